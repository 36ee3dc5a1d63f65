from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.compliance.models import Processor, RetentionPolicy
from parcours.worklists.forms import DateInput


class RetentionPolicyForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["active_months", "archive_months", "notes_months", "audit_months"]


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("Keep the record active until"), widget=DateInput)
    reason = forms.CharField(
        label=_("Why keep it active longer?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class ArchiveReadForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to read this archived record?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "For example: a request from the family, or a dispute. It is kept with your name."
        ),
    )


class ProcessorForm(forms.ModelForm):
    class Meta:
        model = Processor
        fields = ["name", "service", "location", "guarantees"]
