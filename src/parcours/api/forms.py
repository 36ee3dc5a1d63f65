from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import GuardedForm


class TokenForm(GuardedForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, e.g. « federation spreadsheet »."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("One year"))],
        initial=90,
    )
