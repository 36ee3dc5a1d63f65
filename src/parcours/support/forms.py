from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import GuardedForm
from parcours.outreach.forms import DateInput
from parcours.support.models import Outcome


class OpenForm(GuardedForm):
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason: what the breakdown is about"), widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review = forms.DateField(label=_("Next review"), required=False, widget=DateInput())


class FollowUpForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(
        label=_("What was done or decided"), widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review = forms.DateField(label=_("Next review"), required=False, widget=DateInput())


class CloseForm(GuardedForm):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_note = forms.CharField(
        label=_("Outcome note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
