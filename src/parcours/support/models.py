"""Personalised support through a breakdown: a case opened, followed up, reviewed, closed.

Everything here is sensitive: only roles with Capability.VIEW_SENSITIVE reach it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Situation improved")
    REFERRED = "referred", _("Referred to a partner service")
    UNREACHABLE = "unreachable", _("Family no longer reachable")
    DECLINED = "declined", _("Family declined support")
    OTHER = "other", _("Other")


class SupportCase(models.Model):
    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("household"),
    )  # fmt: skip
    opened_on = models.DateField(_("opened on"))
    reason = models.TextField(_("reason"))
    next_review = models.DateField(_("next review"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("opened by"),
    )  # fmt: skip
    opened_touchpoint = models.ForeignKey(
        "households.Touchpoint", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    closed_touchpoint = models.ForeignKey(
        "households.Touchpoint", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(closed_on__isnull=True),
                name="support_one_open_case_per_household",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class FollowUp(models.Model):
    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="followups")
    day = models.DateField(_("date"))
    note = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
