"""Stored decisions of the journey engine, with their reasons and the definition version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from parcours.accounts.visibility import Audience


def audience_field():
    """Which roles' view a stored row belongs to (parcours.accounts.visibility)."""
    return models.CharField(
        _("audience"),
        max_length=10,
        choices=Audience.CHOICES,
        default=Audience.ALL,
    )


class StageSpan(models.Model):
    """A period during which the household's current stage was `stage`: [start, end)."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="stage_spans"
    )
    stage = models.CharField(_("stage"), max_length=40)
    stage_order = models.PositiveSmallIntegerField(_("stage order"))
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)  # first day out; null = current
    predicted_end = models.DateField(_("ends unless something happens"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    evidence = models.JSONField(_("touchpoints that made it"), default=list)
    skipped = models.JSONField(_("skipped stages"), default=list)
    regression = models.BooleanField(_("regression"), default=False)
    definition_version = models.CharField(_("journey version"), max_length=40)
    audience = audience_field()

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("stage span")
        verbose_name_plural = _("stage spans")
        ordering = ["household", "start"]
        indexes = [
            models.Index(fields=["association", "stage", "start"]),
            models.Index(fields=["household", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="stage_span_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.stage} {self.start}–{self.end or ''}"


class StatusSpan(models.Model):
    """A period during which a status (active, absent, dormant, in support) held."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="status_spans"
    )
    status = models.CharField(_("status"), max_length=40)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    definition_version = models.CharField(_("journey version"), max_length=40)
    audience = audience_field()

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("status span")
        verbose_name_plural = _("status spans")
        ordering = ["household", "start"]
        indexes = [models.Index(fields=["association", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.status} {self.start}–{self.end or ''}"


class ManualPlacement(models.Model):
    """A user's placement of a household, with a written reason; shown beside the computed one."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="manual_placements"
    )
    stage = models.CharField(_("stage"), max_length=40)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("manual placement")
        verbose_name_plural = _("manual placements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.stage}"


class HouseholdJourney(models.Model):
    """When the stored spans of a household stop being true if nothing happens.

    The daily command recomputes the households whose `valid_until` has come.
    """

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    # One row per audience: "all", or "sensitive" and "public" for a household with support.
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="journeys"
    )
    computed_on = models.DateField(_("computed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    stage = models.CharField(_("current stage"), max_length=40, blank=True)
    statuses = models.JSONField(_("current statuses"), default=list)
    reasons = models.JSONField(_("reasons"), default=list)  # of the current stage, as of today
    definition_version = models.CharField(_("journey version"), max_length=40)
    audience = audience_field()

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("household journey")
        verbose_name_plural = _("household journeys")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "audience"], name="one_journey_per_household_audience"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.stage}"
