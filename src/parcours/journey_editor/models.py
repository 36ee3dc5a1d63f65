"""The versions of an association's journey rules.

The journey shipped with Parcours (``journeys/<journey>.toml``) is version 1 of every
association once its rules are first edited; each save adds a version (who, when, why) and
older ones stay readable. Restoring a version adds a new one equal to it. The current version
is the highest number (``parcours.journey.definitions.definition_for`` reads it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class JourneyVersion(models.Model):
    class Origin(models.TextChoices):
        SHIPPED = "shipped", _("shipped with Parcours")
        EDITED = "edited", _("edited")
        RESTORED = "restored", _("restored")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveIntegerField(_("version"))
    journey = models.CharField(_("journey"), max_length=50)
    # The rules as the definition loader reads them from TOML (parcours.engine.definition).
    rules = models.JSONField(_("rules"))
    # The engine's version of these rules ("1.0+<hash>"), stored with every span they produce.
    definition_version = models.CharField(_("rules version"), max_length=40)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    restored_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restored from"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    why = models.TextField(_("why"), blank=True)
    # The recomputation of every household's journey that this version started.
    recompute_job = models.ForeignKey(
        "background.BackgroundJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recomputation"),
    )

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("journey version")
        verbose_name_plural = _("journey versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "number"], name="one_journey_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.association_id} v{self.number}"
