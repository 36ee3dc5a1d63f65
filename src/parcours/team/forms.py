from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from parcours.accounts.roles import Role
from parcours.core.forms import GuardedForm
from parcours.team.services import TEAM_ROLES

ROLE_CHOICES = [(r.value, r.label) for r in Role if r in TEAM_ROLES]


class InvitationForm(GuardedForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={"invalid": _("Email address: enter a valid email address.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class MemberForm(GuardedForm):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        required=False,
        help_text=_("Invitations and password resets are sent to this address."),
        error_messages={"invalid": _("Email address: enter a valid email address.")},
    )


class AcceptForm(GuardedForm):
    """A new account: its username and password (Django's password rules apply)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[
            UnicodeUsernameValidator(message=_("Username: letters, digits and @ . + - _ only."))
        ],
        help_text=_("You type it to sign in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("Password (again): the two passwords differ."))
        return data
