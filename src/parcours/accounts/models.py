from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.roles import Role


class Association(models.Model):
    """The tenant: every domain row belongs to exactly one association."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    journey = models.CharField(_("journey"), max_length=50, default="beneficiary")
    vocabulary = models.CharField(
        _("vocabulary"),
        max_length=20,
        default="beneficiary",
        choices=[("beneficiary", _("Beneficiary journey")), ("customer", _("Customer journey"))],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one association."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # A peer family's user acts for one household (set once households exist).
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    # A deactivated member keeps their history but can no longer work in this association.
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="one_role_per_association")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.association} ({self.role})"
