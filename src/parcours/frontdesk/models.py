"""The front door: information requests, peer contacts, appointments and welcome visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class RequestChannel(models.TextChoices):
    INFO_CENTRE = "info_centre", _("Information centre")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    PEER = "peer", _("Through another family")


class Explanation(models.TextChoices):
    MISSIONS = "missions", _("The association's missions")
    ACTIVITIES = "activities", _("The activities on offer")
    PARTICIPATION = "participation", _("How families take part (groups, projects, committee)")
    SPONSORSHIP = "sponsorship", _("Accompaniment by a volunteer or a sponsor family")
    PRACTICAL = "practical", _("Practical information (places, times, membership)")


class _Record(models.Model):
    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("household"),
    )  # fmt: skip
    touchpoint = models.ForeignKey(
        "households.Touchpoint", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("touchpoint"),
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class InfoRequest(_Record):
    day = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=RequestChannel.choices)
    peer_household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("through the family"),
    )  # fmt: skip
    subject = models.CharField(_("what they asked about"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-day", "-id"]


class PeerContact(_Record):
    day = models.DateField(_("date"))
    peer_household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("member family met"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("peer contact")
        verbose_name_plural = _("peer contacts")
        ordering = ["-day", "-id"]


class Appointment(_Record):
    booked_on = models.DateField(_("booked on"))
    starts_at = models.DateTimeField(_("appointment"))
    with_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("with"),
    )  # fmt: skip
    note = models.CharField(_("practical note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]


class IntakeVisit(_Record):
    day = models.DateField(_("date"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("received by"),
    )  # fmt: skip
    reception = models.TextField(_("reception"), blank=True)
    listening_notes = models.TextField(_("individual listening notes"), blank=True)  # sensitive
    needs = models.TextField(_("needs"), blank=True)  # sensitive
    explanations = models.JSONField(_("explanations given"), default=list, blank=True)
    explanations_note = models.TextField(_("other explanations"), blank=True)

    SENSITIVE_FIELDS = ("listening_notes", "needs")

    class Meta:
        verbose_name = _("welcome visit")
        verbose_name_plural = _("welcome visits")
        ordering = ["-day", "-id"]

    def explanation_labels(self) -> list[str]:
        labels = dict(Explanation.choices)
        return [str(labels.get(code, code)) for code in self.explanations]
