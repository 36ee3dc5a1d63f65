from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.roles import Role


def default_time_zone() -> str:
    """The deployment's zone (PARCOURS_TIME_ZONE), the default of a new association."""
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("Time zone: %(value)s is not a known time zone (e.g. Europe/Paris)."),
            params={"value": value},
            code="invalid",
        )


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
    # Association settings (parcours.association_settings): the language of members who have
    # not chosen one, the zone its days are counted in, and when its logo last changed.
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        default="fr",
        db_default="fr",  # rows written without the field (older code, migration tests) get it
        choices=[("fr", _("French")), ("en", _("English"))],
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        db_default="Europe/Paris",
        validators=[validate_time_zone],
    )
    logo_updated_at = models.DateTimeField(_("logo updated at"), null=True, blank=True)

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
