"""Invitations: how a person joins an association's team (sign-up is otherwise closed).

An administrator invites an email address with a role. The emailed link carries a token signed
by Django (`parcours.team.tokens`); the record says whether the invitation is still good: not
expired, not accepted yet, not revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from parcours.accounts.roles import Role


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent on"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires on"))
    accepted_at = models.DateTimeField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    revoked_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} → {self.association} ({self.role})"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)
