"""Federations: a network of associations (a departmental network...) and its viewers.

A federation viewer belongs to the federation, not to any association: the association pages
refuse them (no membership, AssociationScopeMiddleware's empty scope), and they see only the
federation's aggregated figures (parcours.federation.figures), small counts hidden, never a
household's or a person's name. Association members never reach the federation's pages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Federation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    associations = models.ManyToManyField(
        "accounts.Association",
        through="FederationMember",
        related_name="federations",
        verbose_name=_("associations"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("federation")
        verbose_name_plural = _("federations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FederationMember(models.Model):
    """An association belonging to a federation (an association may be in several)."""

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="members")
    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member association")
        verbose_name_plural = _("member associations")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "association"], name="association_once_per_federation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.association} ∈ {self.federation}"


class FederationViewer(models.Model):
    """A user who reads a federation's aggregated figures (the federation role)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="federation_roles"
    )
    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="viewers")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("federation viewer")
        verbose_name_plural = _("federation viewers")
        constraints = [
            models.UniqueConstraint(fields=["user", "federation"], name="one_role_per_federation")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.federation}"


class StoredFigures(models.Model):
    """One association's true figures for one period, kept until its spans change.

    ``stamp`` is the association's data stamp when the figures were computed
    (parcours.analytics.stamps: any write to its journeys changes it); a stored row with another
    stamp is computed again (parcours.federation.store). Counts only: no household id, no
    name."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    first = models.DateField()
    last = models.DateField()
    stages = models.CharField(max_length=500)  # the stage keys the figures are split by
    stamp = models.CharField(max_length=60)
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["association", "first", "last"], name="one_figures_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.association_id} {self.first}–{self.last}"
