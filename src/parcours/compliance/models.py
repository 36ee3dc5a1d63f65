"""Data protection settings of an association: retention periods, the processors it uses,
and what the retention tiers did to each household (extensions, archive, archive reads).

Defaults and their sources are explained in docs/data-protection.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

# CNIL, référentiel « accueil, hébergement et accompagnement social et médico-social »
# (délibération n° 2023-095 du 14 septembre 2023): the active record is kept 2 years after the
# last contact coming from the person.
DEFAULT_ACTIVE_MONTHS = 24
# The same referential leaves the intermediate archive's length to the controller (probative
# interest, within the applicable limitation period). Parcours proposes 3 years; the
# association's data-protection officer sets it from their own analysis.
DEFAULT_ARCHIVE_MONTHS = 36
# Listening and support notes: shorter than the record (minimisation, GDPR art. 5.1.c and e).
DEFAULT_NOTES_MONTHS = 12
# CNIL recommendation on logging (délibération n° 2021-122 du 14 octobre 2021): 6 months to 1 year.
DEFAULT_AUDIT_MONTHS = 12
# The coordinator is asked this many days before a household leaves the active base.
WARNING_DAYS = 30


def _months(low: int, high: int) -> list:
    return [MinValueValidator(low), MaxValueValidator(high)]


class RetentionPolicy(models.Model):
    """How long an association keeps each kind of data (one row per association)."""

    association = models.OneToOneField(
        "accounts.Association", on_delete=models.CASCADE, related_name="retention_policy"
    )
    active_months = models.PositiveSmallIntegerField(
        _("active record, in months after the family's last contact"),
        default=DEFAULT_ACTIVE_MONTHS,
        validators=_months(1, 120),
    )
    archive_months = models.PositiveSmallIntegerField(
        _("intermediate archive, in months before anonymisation"),
        default=DEFAULT_ARCHIVE_MONTHS,
        validators=_months(0, 120),
    )
    notes_months = models.PositiveSmallIntegerField(
        _("listening and support notes, in months before they are blanked"),
        default=DEFAULT_NOTES_MONTHS,
        validators=_months(1, 120),
    )
    audit_months = models.PositiveSmallIntegerField(
        _("audit log, in months"), default=DEFAULT_AUDIT_MONTHS, validators=_months(1, 120)
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )  # fmt: skip

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.association_id}: {self.active_months}/{self.archive_months}"

    def clean(self) -> None:
        if (
            self.notes_months is not None
            and self.active_months is not None
            and self.notes_months > self.active_months
        ):
            raise ValidationError(
                {
                    "notes_months": _(
                        "Notes cannot be kept longer than the active record (%(months)s months)."
                    )
                    % {"months": self.active_months}
                }
            )


class RetentionEvent(models.Model):
    """What retention did to one household, and why: the file the coordinator and the
    data-protection officer read. Extensions and archive reads carry the reason given."""

    class Kind(models.TextChoices):
        EXTENDED = "extended", _("Kept active longer")
        ARCHIVED = "archived", _("Moved to the intermediate archive")
        ARCHIVE_READ = "archive_read", _("Archive read")
        ANONYMISED = "anonymised", _("Anonymised")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="retention_events"
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    # For an extension: the household stays in the active base at least until this day.
    until = models.DateField(_("kept active until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("retention event")
        verbose_name_plural = _("retention events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "kind"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.at:%Y-%m-%d}"


class Processor(models.Model):
    """A processor (GDPR art. 28) the association uses: host, email service..."""

    class Service(models.TextChoices):
        HOSTING = "hosting", _("Hosting")
        EMAIL = "email", _("Email sending")
        BACKUP = "backup", _("Backups")
        OTHER = "other", _("Other")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    location = models.CharField(_("where the data is"), max_length=200, blank=True)
    guarantees = models.CharField(
        _("contract and guarantees"), max_length=300, blank=True,
        help_text=_("For example: data processing agreement signed on 1 March 2026."),
    )  # fmt: skip

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        ordering = ["service", "name", "id"]

    def __str__(self) -> str:
        return self.name
