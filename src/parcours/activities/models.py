from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Activity(models.Model):
    """Something the association offers: listening, sharing, activities, training, participation."""

    class Category(models.TextChoices):
        LISTENING = "listening", _("Listening")
        SHARING = "sharing", _("Sharing")
        ACTIVITY = "activity", _("Activities")
        TRAINING = "training", _("Training")
        PARTICIPATION = "participation", _("Participation")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="activities"
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
