"""The audit log's filters: a GET form, its URL holds the whole view."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from parcours.audit.models import AuditEvent
from parcours.core.forms import GuardedForm


class AuditFilterForm(GuardedForm):
    actor = forms.ModelChoiceField(
        label=_("Person"), required=False, queryset=get_user_model().objects.none(),
        empty_label=_("Everyone"),
    )  # fmt: skip
    household = forms.CharField(label=_("Household"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("Action"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, association, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["actor"].queryset = (
            get_user_model()
            .objects.filter(memberships__association=association)
            .order_by("username")
        )
        self.fields["action"].choices = [("", _("All")), *AuditEvent.Action.choices]
        self.fields["household"].widget.attrs["autocomplete"] = "off"
        self.fields["household"].validators = [
            ProhibitNullCharactersValidator(
                message=_("Household: this text contains a forbidden character.")
            )
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("Until: this date comes before the start date."))
        return data
