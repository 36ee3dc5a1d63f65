"""The choices of an export, read from its URL: the format, a period, an activity."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.activities.models import Activity
from parcours.core.forms import GuardedForm
from parcours.exports.formats import CSV, FORMATS

DEFAULT_DAYS = 365  # a period left empty: the last twelve months


def _day(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FormatForm(GuardedForm):
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[(f, f.upper()) for f in FORMATS]
    )

    def chosen_format(self) -> str:
        return self.cleaned_data.get("format") or CSV


class PeriodForm(FormatForm):
    start = _day(_("From"))
    end = _day(_("Until"))
    activity = forms.TypedChoiceField(
        label=_("Activity"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data=None, *, activities: bool = False, **kwargs):
        super().__init__(data, **kwargs)
        if activities:
            self.fields["activity"].choices = [("", _("All activities"))] + [
                (str(pk), name)
                for pk, name in Activity.objects.order_by("name").values_list("pk", "name")
            ]
        else:
            del self.fields["activity"]

    def clean(self):
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS)
        if start > end:
            raise ValidationError(_("The period: the first day must come before the last."))
        data["start"], data["end"] = start, end
        return data
