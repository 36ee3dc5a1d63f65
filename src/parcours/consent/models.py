"""The lawful basis on which the association keeps a household's or a person's data.

Each ConsentRecord is one dated event for one purpose: consent given, or consent withdrawn
(an objection, for a basis other than consent). Rows are never updated: the current state of a
purpose is the latest row of its scope (the household, or one person of it), so the history
stays. A row with no person covers the whole household; a person's own rows, when members
differ, override the household's for that person.

Which bases are allowed (docs/consent.md explains why):
- consent (GDPR art. 6.1.a), always, and the only basis for sponsoring, messages and photos;
- legitimate interest (art. 6.1.f) and a public-interest mission (art. 6.1.e), for follow-up
  only, and only when the association enables them in its ConsentPolicy with a written
  justification (its balancing test, or the reference of its public mandate).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (GDPR art. 6.1.a)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (GDPR art. 6.1.f)")
    PUBLIC_TASK = "public_task", _("Public-interest mission (GDPR art. 6.1.e)")


# The bases an association may enable besides consent; they cover follow-up only.
OTHER_BASES = (LawfulBasis.LEGITIMATE_INTEREST, LawfulBasis.PUBLIC_TASK)


class Purpose(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up by the association")
    SPONSORING = "sponsoring", _("Sponsoring")
    MESSAGES = "messages", _("Messages")
    PHOTOS = "photos", _("Photos")


class ConsentRecord(models.Model):
    class Action(models.TextChoices):
        GIVEN = "given", _("given")
        WITHDRAWN = "withdrawn", _("withdrawn")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="consent_records",
        verbose_name=_("household"),
    )  # fmt: skip
    person = models.ForeignKey(
        "households.Person", on_delete=models.CASCADE, null=True, blank=True,
        related_name="consent_records", verbose_name=_("person"),
    )  # fmt: skip
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    basis = models.CharField(_("lawful basis"), max_length=30, choices=LawfulBasis.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    day = models.DateField(_("day"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    # Someone else who collected it, e.g. a partner's social worker on a paper form.
    collected_by_name = models.CharField(_("collected by (name)"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-id"]
        indexes = [models.Index(fields=["household", "purpose"])]

    def __str__(self) -> str:
        return f"{self.day} {self.purpose} {self.action}"


class ConsentPolicy(models.Model):
    """The lawful bases other than consent an association allows, and why."""

    association = models.OneToOneField(
        "accounts.Association", on_delete=models.CASCADE, related_name="consent_policy"
    )
    other_bases = models.JSONField(_("other lawful bases allowed"), default=list, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("consent policy")
        verbose_name_plural = _("consent policies")

    def __str__(self) -> str:
        return ", ".join(self.other_bases) or "consent"
