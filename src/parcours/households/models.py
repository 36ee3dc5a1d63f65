from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Channel(models.TextChoices):
    """How a household heard of the association."""

    OUTREACH = "outreach", _("Proximity action in the neighbourhood")
    MILITANT = "militant", _("Militant action")
    INFO_CENTRE = "info_centre", _("Information centre")
    PEER = "peer", _("Another family")
    PARTNER = "partner", _("Partner or social services")
    WEB = "web", _("Web or social networks")
    OTHER = "other", _("Other")


class Composition(models.TextChoices):
    SINGLE_PARENT = "single_parent", _("Single parent with children")
    COUPLE_CHILDREN = "couple_children", _("Couple with children")
    COUPLE = "couple", _("Couple without children")
    SINGLE = "single", _("Person alone")
    EXTENDED = "extended", _("Extended family")


class HouseholdQuerySet(models.QuerySet):
    def active(self) -> HouseholdQuerySet:
        """Households of the active base: not moved to the intermediate archive."""
        return self.filter(archived_at__isnull=True)


class HouseholdManager(models.Manager.from_queryset(HouseholdQuerySet)):
    def active(self) -> HouseholdQuerySet:
        # Through filter(): outside an association scope this raises django-scopes' ScopeError.
        return self.get_queryset().filter(archived_at__isnull=True)


class ArchiveReason(models.TextChoices):
    """Why a household left the active base (parcours.compliance applies the tiers)."""

    RETENTION = "retention", _("No contact from the family within the retention period")
    BY_HAND = "by_hand", _("Archived by the team")


class Household(models.Model):
    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="households"
    )
    name = models.CharField(_("name"), max_length=200)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    composition = models.CharField(
        _("composition"), max_length=20, choices=Composition.choices, blank=True
    )
    needs = models.TextField(_("needs"), blank=True)  # sensitive
    heard_from = models.CharField(
        _("how they heard of us"), max_length=20, choices=Channel.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Intermediate archive (retention): hidden from every list, search, task and export; only
    # administrators read it, after giving a reason. Set by parcours.compliance.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, db_index=True)
    archived_reason = models.CharField(
        _("why archived"), max_length=20, choices=ArchiveReason.choices, blank=True
    )

    objects = ScopedManager(association="association", _manager_class=HouseholdManager)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["association", "name"])]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class Relation(models.TextChoices):
        """Who the member is to the household's reference person (one per household)."""

        REFERENCE = "reference", _("Reference person")
        SPOUSE = "spouse", _("Spouse or partner")
        PARENT = "parent", _("Parent")
        CHILD = "child", _("Child")
        SIBLING = "sibling", _("Brother or sister")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other")

    class Sex(models.TextChoices):
        """Optional, asked only to count the people reached by sex as funders ask; "not stated"
        unless the person tells it (GDPR: minimal; listed in the register of processing)."""

        NOT_STATED = "not_stated", _("Not stated")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="persons")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    sex = models.CharField(
        _("sex"), max_length=10, choices=Sex.choices, default=Sex.NOT_STATED,
        help_text=_("Optional: only used to count the people reached by sex."),
    )  # fmt: skip
    relation = models.CharField(
        _("relation to the reference person"), max_length=20, choices=Relation.choices
    )
    is_contact = models.BooleanField(_("contact person"), default=False)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["-is_contact", "birth_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(relation="reference"),
                name="households_one_reference_person",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class TouchpointKind(models.TextChoices):
    OUTREACH_CONTACT = "outreach_contact", _("Reached by a proximity action")
    INFO_REQUEST = "info_request", _("Information request")
    PEER_CONTACT = "peer_contact", _("Met a peer family")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    INTAKE_VISIT = "intake_visit", _("Welcome visit")
    ATTENDANCE = "attendance", _("Attended an activity")
    GROUP_JOINED = "group_joined", _("Joined a group of families")
    GROUP_LEFT = "group_left", _("Left a group of families")
    SPONSOR_ASSIGNED = "sponsor_assigned", _("Sponsor assigned")
    SPONSOR_ENDED = "sponsor_ended", _("Sponsorship ended")
    SUPPORT_OPENED = "support_opened", _("Support case opened")
    SUPPORT_CLOSED = "support_closed", _("Support case closed")
    COMMUNICATION = "communication", _("Communication")
    REFERRAL_MADE = "referral_made", _("Brought another family")
    ABSENT_VISIT = "absent_visit", _("Visited an absent family")
    ACTIVITY_LED = "activity_led", _("Led an activity")
    PROJECT_PROPOSED = "project_proposed", _("Proposed a project")
    ROLE_STARTED = "role_started", _("Role started")
    ROLE_ENDED = "role_ended", _("Role ended")


class Touchpoint(models.Model):
    """One dated fact about one household: the event log the journey engine reads."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="touchpoints")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=30, choices=TouchpointKind.choices)
    activity = models.ForeignKey(
        "activities.Activity",
        # An activity with attendance cannot be deleted alone, but goes with its association.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activity"),
    )
    # The episode this touchpoint opens or closes (support case, group, sponsorship, role),
    # or the household brought by a referral.
    ref = models.BigIntegerField(_("reference"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.TextField(_("note"), blank=True)  # sensitive
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["-day", "-id"]
        indexes = [
            models.Index(fields=["household", "day"]),
            # the attendance sheet's regulars: one activity's touchpoints of the last 90 days
            # (activities.selectors.session_regulars); by activity alone it read every
            # touchpoint of the activity since it began, on each poll of the sheet
            models.Index(fields=["activity", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
