"""Tasks the journey produces for people of the association, and digest preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from parcours.journey.models import audience_field


class AssigneeKind(models.TextChoices):
    """Who a task rule is for (the `assignee` setting of a journey's [[tasks]])."""

    OUTREACH_TEAM = "outreach_team", _("Outreach team")
    PEER_FAMILY = "peer_family", _("Peer family")
    PEER_FAMILY_NEIGHBOURHOOD = "peer_family_neighbourhood", _("Peer family of the neighbourhood")
    COORDINATOR = "coordinator", _("Coordinator")
    GROUP_FACILITATOR = "group_facilitator", _("Group facilitator")
    SPONSOR = "sponsor", _("Sponsor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    BOARD = "board", _("Board")


class Task(models.Model):
    """Something someone should do for a household, produced by a task rule.

    (household, rule, cause) is unique: regenerating never duplicates a task, and a task that
    was done or dismissed stays so while its cause lasts.
    """

    class State(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        SNOOZED = "snoozed", _("Snoozed")
        DISMISSED = "dismissed", _("Dismissed")
        CLOSED = "closed", _("Closed by itself")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="tasks"
    )
    rule = models.CharField(_("rule"), max_length=40)
    cause = models.CharField(_("cause"), max_length=80)
    assignee_kind = models.CharField(_("for"), max_length=30, choices=AssigneeKind.choices)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    reason = models.JSONField(_("reason"), default=dict)  # {"code": ..., "params": {...}}
    ref = models.BigIntegerField(_("reference"), null=True, blank=True)
    since = models.DateField(_("since"))
    due = models.DateField(_("due"))
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    # A peer family acts through its contact person; its users see the task.
    assignee_household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assigned to the family"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    state_reason = models.TextField(_("why"), blank=True)
    state_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    state_at = models.DateTimeField(_("on"), null=True, blank=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    # When the task closed by itself: {"code": "cause_gone", "params": {"stage": ..., ...}}
    closed_because = models.JSONField(_("closed because"), default=dict, blank=True)
    # Which view of the journey proposes it (parcours.accounts.visibility): "sensitive" tasks
    # tell of support and are for sensitive roles only.
    audience = audience_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "cause"], name="one_task_per_household_rule_cause"
            ),
            models.CheckConstraint(
                condition=~models.Q(assignee_user__isnull=False, assignee_household__isnull=False),
                name="task_one_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["association", "state", "due"]),
            models.Index(fields=["assignee_user", "state"]),
            models.Index(fields=["assignee_household", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.rule} {self.cause}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.OPEN, self.State.SNOOZED)


class TaskCheck(models.Model):
    """When a household's tasks may change by themselves (a threshold, a lapse, a status).

    The daily command regenerates the households whose `valid_until` has come.
    """

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.OneToOneField(
        "households.Household", on_delete=models.CASCADE, related_name="task_check"
    )
    computed_on = models.DateField(_("computed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("task check")
        verbose_name_plural = _("task checks")

    def __str__(self) -> str:
        return f"{self.household_id} {self.valid_until}"


class DigestPreference(models.Model):
    """A user's choice to receive their tasks by email each morning."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preferences"
    )
    daily_digest = models.BooleanField(_("send me my tasks by email every morning"), default=False)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    last_sent = models.DateField(_("last sent"), null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="one_digest_pref")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.daily_digest}"


class SponsorProfile(models.Model):
    """What matching needs to know about a possible sponsor beyond the household record.

    A volunteer (user) or a sponsor family (household); absent profile means the defaults
    (DEFAULT_CAPACITY in parcours.worklists.matching).
    """

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sponsor family"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("households accompanied at once at most"), default=2
    )
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    available = models.BooleanField(_("available to sponsor"), default=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("sponsor profile")
        verbose_name_plural = _("sponsor profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(household__isnull=True),
                name="sponsor_profile_user_xor_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id or ''}{self.household_id or ''} {self.capacity}"


class SponsorMatch(models.Model):
    """A coordinator's accepted sponsor for a household, with the proposal's explanation."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="sponsor_matches"
    )
    sponsor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("volunteer sponsor"),
    )
    sponsor_household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_matches",
        verbose_name=_("sponsor family"),
    )
    # The sponsorship episode (ref of the sponsor_assigned touchpoint): the community app's
    # sponsorship id, or this match's own id when that app is not installed.
    sponsorship_ref = models.BigIntegerField(_("sponsorship"), null=True, blank=True)
    proposed = models.CharField(_("proposed sponsor"), max_length=20, blank=True)
    score = models.IntegerField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("sponsor match")
        verbose_name_plural = _("sponsor matches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.household_id} <- {self.sponsor_user_id or self.sponsor_household_id}"
