"""Proximity and militant actions, and the households each one reached."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class OutreachChannel(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    STREET_STAND = "street_stand", _("Street stand")
    PARTNER = "partner", _("With a partner")
    MILITANT = "militant", _("Militant action")
    OTHER = "other", _("Other")


class OutreachAction(models.Model):
    """One proximity or militant action: where, when, who went, how."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    # One of the association's contact channels (parcours.association_settings);
    # OutreachChannel is the shipped set every association starts with.
    channel = models.CharField(_("channel"), max_length=20)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("team")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("outreach action")
        verbose_name_plural = _("outreach actions")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["association", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.place}"


class OutreachContact(models.Model):
    """A household reached by an action; it produced one outreach_contact touchpoint."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        OutreachAction, on_delete=models.CASCADE, related_name="contacts",
        verbose_name=_("action"),
    )  # fmt: skip
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("household"),
    )  # fmt: skip
    # True when the household was first recorded during this action.
    new_household = models.BooleanField(_("new household"), default=False)
    touchpoint = models.ForeignKey(
        "households.Touchpoint", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("touchpoint"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("household reached")
        verbose_name_plural = _("households reached")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "household"], name="outreach_one_contact")
        ]

    def __str__(self) -> str:
        return f"{self.action_id} -> {self.household_id}"
