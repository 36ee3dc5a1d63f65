from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.association_settings.models import LOGO_MAX_BYTES
from parcours.core.forms import GuardedForm
from parcours.engine.definition import shipped_vocabularies

VOCABULARY_LABELS = {
    "beneficiary": _("Beneficiary journey (families, activities, support)"),
    "customer": _("Customer journey (customers, products, support tickets)"),
}


def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )
    return [(z, z.replace("_", " ")) for z in zones]


class AssociationForm(GuardedForm):
    name = forms.CharField(label=_("Name of the association"), max_length=200)
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=[("fr", _("French")), ("en", _("English"))],
        help_text=_("For members who have not chosen a language themselves."),
    )
    vocabulary = forms.ChoiceField(
        label=_("Vocabulary"),
        help_text=_(
            "Only the words change: the stages, rules and every family's journey stay the same."
        ),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Days are counted in this zone: today's sessions, tasks, journey windows."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vocabulary"].choices = [
            (v, VOCABULARY_LABELS.get(v, v)) for v in shipped_vocabularies()
        ]
        self.fields["time_zone"].choices = time_zone_choices()


class LogoForm(GuardedForm):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("A PNG, JPEG or WebP image, at most %(size)d KB.")
        % {"size": LOGO_MAX_BYTES // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


class NeighbourhoodForm(GuardedForm):
    name = forms.CharField(label=_("Neighbourhood"), max_length=100)
    priority = forms.BooleanField(
        label=_("Priority neighbourhood (quartier prioritaire de la politique de la ville)"),
        required=False,
    )


class EntryForm(GuardedForm):
    label = forms.CharField(label=_("Label"), max_length=100)


class EntryEditForm(EntryForm):
    active = forms.BooleanField(label=_("Offered in forms"), required=False)
