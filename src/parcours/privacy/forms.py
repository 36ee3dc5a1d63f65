from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import GuardedForm
from parcours.privacy.services import MAX_REASON


class ErasureRequestForm(GuardedForm):
    """First confirmation: why, and that it cannot be undone."""

    reason = forms.CharField(
        label=_("Reason for the erasure (kept after it: do not name the family)"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Reason: say why the data are erased."),
            "max_length": _("Reason: too long (%(limit_value)s characters at most)."),
        },
    )
    understood = forms.BooleanField(
        label=_("I understand that the erasure cannot be undone."),
        error_messages={"required": _("Confirmation: tick the box to go on.")},
    )


class ErasureConfirmForm(ErasureRequestForm):
    """Second confirmation: type the name of who is erased."""

    confirmation = forms.CharField(
        max_length=300,
        error_messages={"required": _("Confirmation: type the name shown above.")},
    )

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["reason"].widget = forms.HiddenInput()
        self.fields["understood"].widget = forms.HiddenInput()
        self.fields["confirmation"].label = _("To confirm, type “%(name)s”") % {"name": expected}

    def clean_confirmation(self):
        value = " ".join(self.cleaned_data["confirmation"].split())
        if value.casefold() != " ".join(self.expected.split()).casefold():
            raise forms.ValidationError(
                _("Confirmation: the name typed is not “%(name)s”. Nothing was erased."),
                params={"name": self.expected},
            )
        return value
