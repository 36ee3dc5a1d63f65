from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class SearchWord(models.Model):
    """One normalised word of a household's name, neighbourhood, address or members' names:
    the pickers find households by word prefix through the (association, word) index, never
    by scanning (parcours.directory.search)."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="search_words",
        db_index=False,  # the (household, word) index below serves it
    )  # fmt: skip
    word = models.CharField(max_length=60)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [
            # which households have a word starting with ... (a narrow search)
            models.Index(fields=["association", "word", "household"], name="directory_word_prefix"),
            # does this household have a word starting with ... (a broad one, in name order)
            models.Index(fields=["household", "word"], name="directory_household_word"),
        ]

    def __str__(self) -> str:
        return self.word


class HouseholdMerge(models.Model):
    """Two records of one family were merged: everything of `merged_name` moved to `household`.

    Shown on the kept household's timeline; the merged-away household is gone (its id stays
    here so an old link can say where it went)."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="merges",
        verbose_name=_("kept household"),
    )  # fmt: skip
    merged_id = models.BigIntegerField(_("merged household id"), db_index=True)
    merged_name = models.CharField(_("merged household"), max_length=200)
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("merged by"),
    )  # fmt: skip
    moved = models.JSONField(_("rows moved"), default=dict, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("household merge")
        verbose_name_plural = _("household merges")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_name} → {self.household_id}"
