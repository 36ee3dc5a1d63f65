"""An event log (XES or CSV) and its TOML mapping, made into an import plan (docs/event-logs.md).

The plan is the one the spreadsheet import commits (parcours.imports.services.import_commit):
one household per case, one touchpoint per mapped event, written by each kind's owning app's
bulk writer, then the journeys computed with their reasons; all or nothing. Reading the log and
the mapping writes nothing: every error is listed with its line, its field and the reason.

The mapping file::

    [log]
    household = "Client {case}"   # the household's name made from the case (default "{case}")
    ignore = ["Send reminder"]    # activities of the log left out

    [activities]
    "Website visit" = "outreach_contact"
    "Quote requested" = "info_request"
    "Demo booked" = "appointment_booked"
    "Contract signed" = "intake_visit"
    "Training session" = { kind = "attendance", activity = "Formation" }
    "Newsletter opened" = "communication"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.households.models import TouchpointKind
from parcours.imports.logreading import LogEvent, LogRefused
from parcours.imports.plan import MAX_ERRORS, TEXT_LIMITS, Plan, PlannedHousehold

# The kinds a log may be mapped to: each has a bulk writer that the import goes through.
LOG_KINDS = (
    TouchpointKind.OUTREACH_CONTACT,
    TouchpointKind.INFO_REQUEST,
    TouchpointKind.APPOINTMENT_BOOKED,
    TouchpointKind.INTAKE_VISIT,
    TouchpointKind.ATTENDANCE,
    TouchpointKind.COMMUNICATION,
    TouchpointKind.PEER_CONTACT,
)
HEADERS = ["case", "activity", "timestamp"]


class MappingRefused(ValueError):
    """The mapping file cannot be used: which key, and why (French)."""

    def __init__(self, where: str, reason: str):
        self.where, self.reason = where, reason
        super().__init__(
            _("Mapping file, %(where)s: %(reason)s") % {"where": where, "reason": reason}
        )


@dataclass(frozen=True)
class Target:
    kind: str
    activity: str = ""  # the activity's name, for attendance


@dataclass
class LogMapping:
    activities: dict[str, Target]
    ignore: frozenset[str] = frozenset()
    household: str = "{case}"

    def name(self, case: str) -> str:
        return self.household.replace("{case}", case)


def _kind(value: object, where: str) -> str:
    allowed = ", ".join(LOG_KINDS)
    if not isinstance(value, str) or value not in LOG_KINDS:
        raise MappingRefused(
            where,
            _("“%(value)s” is not a kind of touchpoint an event log may carry; accepted: "
              "%(accepted)s.") % {"value": value, "accepted": allowed},
        )  # fmt: skip
    return value


def _target(name: str, value: object) -> Target:
    where = f"[activities] “{name}”"
    if isinstance(value, dict):
        unknown = set(value) - {"kind", "activity"}
        if unknown:
            raise MappingRefused(where, _("unknown key “%(key)s”.") % {"key": sorted(unknown)[0]})
        kind = _kind(value.get("kind"), where)
        activity = value.get("activity", "")
        if not isinstance(activity, str) or len(activity) > TEXT_LIMITS["activity"]:
            raise MappingRefused(where, _("the activity must be a name of 200 characters at most."))
    else:
        kind, activity = _kind(value, where), ""
    if kind == TouchpointKind.ATTENDANCE and not activity.strip():
        raise MappingRefused(
            where,
            _('attendance needs the activity attended: { kind = "attendance", activity = '
              '"Formation" }.'),
        )  # fmt: skip
    return Target(kind, activity.strip())


def read_mapping(path: Path) -> LogMapping:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingRefused("TOML", str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = _("the file cannot be read (%(error)s).") % {"error": exc}
        raise MappingRefused("TOML", reason) from None
    unknown = set(data) - {"log", "activities"}
    if unknown:
        raise MappingRefused(f"[{sorted(unknown)[0]}]", _("unknown table."))
    activities = data.get("activities")
    if not isinstance(activities, dict) or not activities:
        raise MappingRefused("[activities]", _("the table is missing or empty."))
    log = data.get("log", {})
    if not isinstance(log, dict) or set(log) - {"household", "ignore"}:
        raise MappingRefused("[log]", _("only the keys “household” and “ignore” are known."))
    household = log.get("household", "{case}")
    if not isinstance(household, str) or "{case}" not in household:
        raise MappingRefused("[log] household", _("the name must hold “{case}”."))
    ignore = log.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        raise MappingRefused("[log] ignore", _("a list of activity names is expected."))
    return LogMapping(
        activities={str(k): _target(str(k), v) for k, v in activities.items()},
        ignore=frozenset(ignore),
        household=household,
    )


@dataclass
class LogPlan:
    plan: Plan
    events: int = 0
    ignored: int = 0
    cases: dict[str, str] = field(default_factory=dict)  # case -> planned household key


def _day(stamp: datetime):
    return timezone.localtime(stamp).date() if timezone.is_aware(stamp) else stamp.date()


def build_log_plan(events: Iterable[LogEvent], mapping: LogMapping, *, max_rows: int) -> LogPlan:
    """Read every event (a LogRefused ends the reading: the file itself is broken), and list
    every event whose activity the mapping does not know, with its line."""
    out = LogPlan(Plan(headers=HEADERS, mapping=["household", "", ""]))
    plan = out.plan
    today = timezone.localdate()
    try:
        for e in events:
            out.events += 1
            plan.rows += 1
            if out.events > max_rows:
                plan.refuse(e.line, "", "", _("more than %(n)s events: split the log.")
                            % {"n": f"{max_rows:,}"})  # fmt: skip
                break
            if e.activity in mapping.ignore:
                out.ignored += 1
                continue
            target = mapping.activities.get(e.activity)
            if target is None:
                plan.refuse(e.line, "activity", e.activity,
                            _("this activity is not in the mapping file (add it to "
                              "[activities] or to ignore in [log])."))  # fmt: skip
                continue
            day = _day(e.timestamp)
            if day > today:
                plan.refuse(e.line, "timestamp", e.timestamp.isoformat(),
                            _("a date in the future."))  # fmt: skip
                continue
            name = mapping.name(e.case)
            if len(name) > TEXT_LIMITS["household"]:
                plan.refuse(e.line, "case", e.case, _("the household's name would be too long."))
                continue
            key = out.cases.get(e.case)
            if key is None:
                key = out.cases[e.case] = f"case:{e.case}"
                plan.households[key] = PlannedHousehold(key=key, line=e.line, name=name)
            plan.households[key].touchpoints.append((day, target.kind, target.activity, e.line))
            if len(plan.problems) >= MAX_ERRORS:
                break
    except LogRefused as exc:
        plan.refuse(exc.line, exc.field, "", exc.reason)
    if not out.events and plan.ok:
        plan.refuse(0, "", "", _("the log holds no event."))
    return out
