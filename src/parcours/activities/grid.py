"""The attendance grid: several paper sheets of one activity keyed in at once.

Rows are households (those on a sheet of the period, those who came to the activity around
it, and any family added with the picker), columns are the activity's sessions of one month;
a ticked cell means the household came, whole by default (members are unticked on the
session's sheet).

Saving goes through `services.attendance_mark`, one call per changed cell, inside one
transaction: any refused cell (cancelled or future session, unknown household...) rolls the
whole grid back and is reported by family, session and reason. A cell counts as changed when
the person changed it on the page (ticked state differs from the state the page showed); a
change the sheets already hold is skipped, so the same grid sent twice writes nothing twice.
Unticking a present household removes the mark ("unmarked"), as a second tap does on the sheet.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.activities import services
from parcours.activities.models import Activity, Attendance, Session
from parcours.activities.selectors import REGULAR_WINDOW_DAYS
from parcours.households.models import Household, Touchpoint, TouchpointKind

Status = Attendance.Status
MAX_ROWS = 200  # a grid longer than this is not a paper sheet any more


# --- the period ---------------------------------------------------------------------------


def month_param(raw: str, *, today: date) -> tuple[date, str | None]:
    """The first day of the month named "YYYY-MM" (this month when empty), or an error."""
    this_month = today.replace(day=1)
    if not raw:
        return this_month, None
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = date(year, month, 1)
    except ValueError:
        return this_month, _("Month: enter it as YYYY-MM, for example 2026-05.")
    if abs(first.year - today.year) > 10:
        return this_month, _("Month: choose one within ten years of today.")
    return first, None


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


# --- reading the grid ---------------------------------------------------------------------


@dataclass
class Cell:
    session: Session
    attendance: Attendance | None
    markable: bool
    # What the page shows: the stored mark, or what the person ticked before adding a row or
    # before a refused save (`keep_posted`); `was` and `seen_version` are what they first saw.
    ticked: bool = False
    was: bool = False
    seen_version: int = 0

    def __post_init__(self):
        self.ticked = self.was = self.present
        self.seen_version = self.version

    @property
    def present(self) -> bool:
        return self.attendance is not None and self.attendance.status == Status.PRESENT

    @property
    def other_status(self) -> str:
        """Absent or excused, as marked on the phone sheet (shown beside the box)."""
        if self.attendance is None or self.attendance.status in (Status.PRESENT, Status.UNMARKED):
            return ""
        return self.attendance.get_status_display()

    @property
    def version(self) -> int:
        return self.attendance.version if self.attendance else 0

    @property
    def absent_count(self) -> int:
        return getattr(self.attendance, "absent_count", 0) if self.present else 0


@dataclass
class Row:
    household: Household
    cells: list[Cell] = field(default_factory=list)
    members: int = 0


@dataclass
class Grid:
    activity: Activity
    first: date
    last: date
    sessions: list[Session]
    rows: list[Row]
    truncated: bool = False

    @property
    def markable(self) -> bool:
        return any(_markable(s) for s in self.sessions)

    @property
    def today(self) -> date:
        return timezone.localdate()

    def present_counts(self) -> list[int]:
        return [sum(r.cells[i].present for r in self.rows) for i in range(len(self.sessions))]


def _markable(session: Session) -> bool:
    return not session.cancelled and session.day <= timezone.localdate()


def grid_sessions(*, activity: Activity, first: date, last: date) -> list[Session]:
    return list(
        Session.objects.filter(activity=activity, day__gte=first, day__lte=last).order_by(
            "day", "start_time", "id"
        )
    )


def grid_households(
    *, activity: Activity, sessions: list[Session], first: date, last: date, visible: QuerySet,
    added: list[int],
) -> QuerySet[Household]:  # fmt: skip
    """On a sheet of the period, present at the activity within REGULAR_WINDOW_DAYS of the
    period (before: the regulars the sheets expect; after: paper sheets keyed in late), or
    added by hand."""
    on_sheets = Attendance.objects.filter(session__in=sessions).values("household_id")
    regulars = Touchpoint.objects.filter(
        kind=TouchpointKind.ATTENDANCE,
        activity_id=activity.pk,
        day__gte=first - timedelta(days=REGULAR_WINDOW_DAYS),
        day__lte=last + timedelta(days=REGULAR_WINDOW_DAYS),
    ).values("household_id")
    chosen = Q(pk__in=on_sheets) | Q(pk__in=regulars) | Q(pk__in=added)
    return visible.filter(chosen).filter(archived_at__isnull=True).order_by("name", "id")


def grid_read(
    *, activity: Activity, first: date, last: date, visible: QuerySet, added: list[int]
) -> Grid:
    sessions = grid_sessions(activity=activity, first=first, last=last)
    households = list(
        grid_households(
            activity=activity, sessions=sessions, first=first, last=last, visible=visible,
            added=added,
        ).annotate(member_count=Count("persons"))[: MAX_ROWS + 1]
    )  # fmt: skip
    truncated = len(households) > MAX_ROWS
    households = households[:MAX_ROWS]
    marks = {
        (a.household_id, a.session_id): a
        for a in Attendance.objects.filter(
            session__in=sessions, household__in=[h.pk for h in households]
        ).annotate(absent_count=Count("absent_persons"))
    }
    markable = [_markable(s) for s in sessions]
    rows = []
    for h in households:
        cells = [Cell(s, marks.get((h.pk, s.pk)), markable[i]) for i, s in enumerate(sessions)]
        rows.append(Row(h, cells, h.member_count))
    return Grid(activity, first, last, sessions, rows, truncated)


# --- saving the grid ----------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    household_id: int
    session_id: int
    present: bool  # the ticked state sent
    seen_version: int  # the version of the mark the page showed


@dataclass
class GridSaved:
    added: int = 0
    removed: int = 0
    already: int = 0  # changes the sheets already held (the same grid sent again)


@dataclass(frozen=True)
class CellProblem:
    household: str
    session: str
    reason: str

    def __str__(self) -> str:
        return _("%(household)s, session of %(session)s: %(reason)s") % {
            "household": self.household, "session": self.session, "reason": self.reason,
        }  # fmt: skip


class GridRefused(Exception):
    """Nothing was written: the problems name the family, the session and the reason."""

    def __init__(self, problems: list[CellProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def session_label(session: Session) -> str:
    return f"{formats.date_format(session.day, 'l j F')} {session.start_time:%H:%M}"


def new_grid_token() -> str:
    """Sent with the page: the marks of one grid carry ids a retried request is known by."""
    return secrets.token_hex(8)


def grid_save(
    *, actor, activity: Activity, sessions: list[Session], households: dict[int, Household],
    changes: list[CellChange], token: str,
) -> GridSaved:  # fmt: skip
    """Write the changed cells through attendance_mark, all or nothing (module docstring).

    `sessions` and `households` are the ones the grid may name (the activity's sessions of the
    period; the households the person may see); a change naming another is refused."""
    by_pk = {s.pk: s for s in sessions}
    problems: list[CellProblem] = []
    saved = GridSaved()
    token = "".join(ch for ch in token if ch.isalnum())[:16]
    with transaction.atomic():
        # Lock order, so that two grids saved at once wait instead of deadlocking (PostgreSQL):
        # every session of this grid first, by id, then the families one by one, by id.
        list(Session.objects.select_for_update().filter(pk__in=list(by_pk)).order_by("pk"))
        changes = sorted(changes, key=lambda c: (c.household_id, c.session_id))
        current = {
            (a.household_id, a.session_id): a
            for a in Attendance.objects.filter(
                session__in=sessions, household_id__in=[c.household_id for c in changes]
            )
        }
        for change in changes:
            household = households.get(change.household_id)
            session = by_pk.get(change.session_id)
            if household is None or session is None:
                problems.append(
                    CellProblem(
                        str(household or change.household_id),
                        session_label(session) if session else str(change.session_id),
                        _("this family or this session is not in the grid any more."),
                    )
                )
                continue
            row = current.get((household.pk, session.pk))
            status = row.status if row is not None else Status.UNMARKED
            if change.present == (status == Status.PRESENT):
                saved.already += 1
                continue
            if not change.present and status != Status.PRESENT:
                continue  # unticking an absent or excused mark leaves it as it is
            wanted = Status.PRESENT if change.present else Status.UNMARKED
            try:
                result = services.attendance_mark(
                    actor=actor, session=session, household=household, status=wanted,
                    mark_id=f"grid-{token}-{household.pk}-{session.pk}-{wanted}",
                    base_version=change.seen_version,
                )  # fmt: skip
            except ValidationError as exc:
                problems.append(
                    CellProblem(household.name, session_label(session), " ".join(exc.messages))
                )
                continue
            if result.outcome == "applied":
                if change.present:
                    saved.added += 1
                else:
                    saved.removed += 1
            else:
                saved.already += 1
        if problems:
            raise GridRefused(problems)  # leaves the atomic block: every mark is rolled back
    return saved


def keep_posted(grid: Grid, post) -> None:
    """Show the boxes as the person left them (a row added, or a save refused)."""
    for row in grid.rows:
        for cell in row.cells:
            key = f"{row.household.pk}-{cell.session.pk}"
            if f"was-{key}" in post:
                cell.was = post.get(f"was-{key}") == "1"
                cell.ticked = post.get(f"c-{key}") == "1"
                cell.seen_version = _int(post.get(f"v-{key}"))


def _int(raw) -> int:
    try:
        return max(0, int(raw or 0))
    except (TypeError, ValueError):
        return 0


def parse_cells(post, *, sessions: list[Session], household_ids: list[int]) -> list[CellChange]:
    """The cells the person changed on the page: for each (household, session) the page
    showed, `was-H-S` holds the state shown ("1" ticked) and `v-H-S` the mark's version; the
    box `c-H-S` is sent when ticked."""
    changes = []
    for h in household_ids:
        for s in sessions:
            key = f"{h}-{s.pk}"
            if f"was-{key}" not in post:
                continue  # not on the page the person saw (a row added since)
            was = post.get(f"was-{key}") == "1"
            now = post.get(f"c-{key}") == "1"
            if was == now:
                continue
            changes.append(CellChange(h, s.pk, now, _int(post.get(f"v-{key}"))))
    return changes


def posted_household_ids(post) -> list[int]:
    ids = []
    for raw in post.getlist("row"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))
