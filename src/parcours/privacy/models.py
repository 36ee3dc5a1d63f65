"""The record of each erasure: that it happened, by whom, why, and how many rows it cleared.

It names the anonymised row by its id only; the reason is checked to hold none of the
subject's identifiers before it is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Erasure(models.Model):
    class Subject(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        PERSON = "person", _("Person")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    object_id = models.BigIntegerField(_("object id"))
    household_id = models.BigIntegerField(_("household id"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    rows = models.PositiveIntegerField(_("rows anonymised"), default=0)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["association", "household_id"])]

    def __str__(self) -> str:
        return f"{self.subject} #{self.object_id} {self.at:%Y-%m-%d}"
