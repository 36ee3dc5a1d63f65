"""Activities, their weekly schedules and sessions, and the attendance sheet of each session.

The attendance sheet is the source of truth for "who came": one `Attendance` row per
(session, household), carrying the mark and a version; a present household came whole unless
members are unticked (`absent_persons`): the journey reads households, the reports count people.
The `attendance` touchpoint the journey engine reads is derived from it (one per present mark,
linked from the row), and so is the `activity_led` touchpoint of a session led by a member of
a household.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
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
    # One of the association's activity types (parcours.association_settings); Category is
    # the shipped set every association starts with.
    category = models.CharField(_("category"), max_length=20)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("usual place"), max_length=200, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Facilitated(models.Model):
    """Who leads: a volunteer (a user of the association) or a member of a household."""

    facilitator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator (team member)"),
    )
    facilitator_household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator (household)"),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.facilitator_user_id and self.facilitator_household_id:
            raise ValidationError(
                {
                    "facilitator_household": _(
                        "Choose either a team member or a household as facilitator, not both."
                    )
                }
            )

    @property
    def facilitator(self):
        return self.facilitator_household or self.facilitator_user


class Schedule(Facilitated):
    """A weekly slot of an activity between two dates; it generates the sessions."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="schedules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("weekly schedule")
        verbose_name_plural = _("weekly schedules")
        ordering = ["weekday", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.activity} · {self.get_weekday_display()} {self.start_time:%H:%M}"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must come after the start date.")})
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The end time must come after the start time.")})


class Session(Facilitated):
    """One occurrence of an activity: generated by a schedule or one-off."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    schedule = models.ForeignKey(
        Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # The activity_led touchpoint of the facilitating household, derived from the fields above.
    led_touchpoint = models.OneToOneField(
        "households.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["day", "start_time", "id"]
        constraints = [
            # A schedule generates at most one session per day: generation can be re-run.
            models.UniqueConstraint(
                fields=["schedule", "day"], name="activities_one_session_per_schedule_day"
            )
        ]
        indexes = [models.Index(fields=["association", "day"])]

    def __str__(self) -> str:
        return f"{self.activity} · {self.day} {self.start_time:%H:%M}"

    # The sheet's rows post here: reversed once per page, not once per row (hundreds).
    @cached_property
    def marks_url(self) -> str:
        return reverse("activities:marks", args=[self.pk])

    @cached_property
    def members_url(self) -> str:
        return reverse("activities:members", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The end time must come after the start time.")})


class Attendance(models.Model):
    """One household's mark on one session's sheet; the source of truth for attendance."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")
        UNMARKED = "unmarked", _("Not marked")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Bumped on every change: a client sends the version it saw, so a stale write is detected.
    version = models.PositiveIntegerField(default=1)
    # The client-generated id of the last applied mark: a retried request is recognised.
    mark_id = models.CharField(max_length=64, blank=True)
    # The id of the mark that created the row: a retried newcomer quick-add is recognised.
    origin_mark_id = models.CharField(max_length=64, blank=True)
    # When the person tapped (client clock, clamped to the server's): last intent wins.
    intent_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Attendance per person: a present mark means the whole household came, except the members
    # unticked on the sheet. Rows from before per-person attendance have none: whole household.
    absent_persons = models.ManyToManyField(
        "households.Person",
        blank=True,
        related_name="+",
        verbose_name=_("members who did not come"),
    )
    # The attendance touchpoint derived from a present mark.
    touchpoint = models.OneToOneField(
        "households.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "household"], name="activities_one_mark_per_household"
            )
        ]
        indexes = [models.Index(fields=["household", "session"])]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.household_id}: {self.status}"
