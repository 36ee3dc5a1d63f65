"""The community of families: groups, sponsorships, referrals, visits to absent families, roles,
project proposals and the communications log. Each row is the source of truth for the
touchpoints it wrote, and keeps a link to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

HOUSEHOLD = "households.Household"
TOUCHPOINT = "households.Touchpoint"


def _touchpoint(verbose_name=None):
    return models.ForeignKey(
        TOUCHPOINT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=verbose_name or _("touchpoint"),
    )  # fmt: skip


def _user(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=verbose_name,
    )  # fmt: skip


class _Scoped(models.Model):
    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Group(_Scoped):
    """A group of families (community of practice)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    facilitator = _user(_("facilitator"))

    class Meta:
        verbose_name = _("group of families")
        verbose_name_plural = _("groups of families")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(_Scoped):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=300, blank=True)
    joined_touchpoint = _touchpoint()
    left_touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "household"], condition=Q(end__isnull=True),
                name="community_one_open_membership",
            )
        ]  # fmt: skip


class ClosureReason(models.TextChoices):
    AUTONOMOUS = "autonomous", _("The family is at ease on its own")
    FAMILY_LEFT = "family_left", _("The family left the association")
    SPONSOR_UNAVAILABLE = "sponsor_unavailable", _("The sponsor is no longer available")
    MISMATCH = "mismatch", _("The pairing did not work")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("The family withdrew its consent to sponsoring")
    OTHER = "other", _("Other")


class Sponsorship(_Scoped):
    """A volunteer (user) or a sponsor family accompanies a household."""

    household = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    sponsor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("sponsoring volunteer"),
    )  # fmt: skip
    sponsor_household = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("sponsor family"),
    )  # fmt: skip
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=30, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    started_touchpoint = _touchpoint()
    ended_touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(sponsor_user__isnull=False) & Q(sponsor_household__isnull=True))
                | (Q(sponsor_user__isnull=True) & Q(sponsor_household__isnull=False)),
                name="community_one_sponsor",
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(end__isnull=True),
                name="community_one_active_sponsorship",
            ),
        ]  # fmt: skip

    @property
    def sponsor_name(self) -> str:
        if self.sponsor_household_id:
            return self.sponsor_household.name
        u = self.sponsor_user
        return (u.get_full_name() or u.get_username()) if u else ""


class Referral(_Scoped):
    """A household brought another one: the edge of the referral graph."""

    referrer = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("brought by")
    )
    referred = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("family brought")
    )
    day = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    referrer_touchpoint = _touchpoint()
    referred_touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["referrer", "referred"], name="community_one_referral"),
            models.CheckConstraint(
                condition=~Q(referrer=models.F("referred")), name="community_referral_not_self"
            ),
        ]


class VisitOutcome(models.TextChoices):
    MET = "met", _("We met the family")
    NOT_HOME = "not_home", _("Nobody at home")
    MOVED = "moved", _("The family has moved")


class AbsentVisit(_Scoped):
    """A peer family went to find a family that no longer comes."""

    visitor = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("visiting family")
    )
    visited = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("family visited")
    )
    day = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices)
    recorded_by = _user(_("recorded by"))
    touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("visit to an absent family")
        verbose_name_plural = _("visits to absent families")
        ordering = ["-day", "-id"]


class RoleKind(models.TextChoices):
    COMMITTEE = "committee_member", _("Committee member")
    ACTIVITY_LEADER = "activity_leader", _("Activity leader")
    PROJECT_LEAD = "project_lead", _("Project lead")


class CommunityRole(_Scoped):
    """A mandate held by a member of a household."""

    household = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    person = models.ForeignKey(
        "households.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("member of the household"),
    )  # fmt: skip
    kind = models.CharField(_("role"), max_length=30, choices=RoleKind.choices)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    started_touchpoint = _touchpoint()
    ended_touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["-start", "-id"]


class ProjectProposal(_Scoped):
    household = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    day = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("project proposal")
        verbose_name_plural = _("project proposals")
        ordering = ["-day", "-id"]


class CommunicationKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    NEWSLETTER = "newsletter", _("Newsletter")
    CALL = "call", _("Call")


class Communication(_Scoped):
    """A message, newsletter or call to one household or to a group of families."""

    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=CommunicationKind.choices)
    household = models.ForeignKey(
        HOUSEHOLD, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("household"),
    )  # fmt: skip
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="communications",
        verbose_name=_("group of families"),
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=200)
    sent_by = _user(_("by"))

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(household__isnull=False) & Q(group__isnull=True))
                | (Q(household__isnull=True) & Q(group__isnull=False)),
                name="community_communication_one_target",
            )
        ]

    def __str__(self) -> str:  # what a recipient's subject export shows of it
        return f"{self.day:%d/%m/%Y} · {self.get_kind_display()} · {self.subject}"


class CommunicationRecipient(_Scoped):
    """One household a communication reached, with the touchpoint written for it."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="recipients"
    )
    household = models.ForeignKey(HOUSEHOLD, on_delete=models.CASCADE, related_name="+")
    touchpoint = _touchpoint()

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["communication", "household"], name="community_one_recipient"
            )
        ]
