"""Import of households, persons and historic touchpoints: dry run and commit, all or nothing.

The plan (imports.plan) is the dry run. The commit writes it in one transaction through each
app's bulk writer, the same rules as their services (households.bulk, consent.bulk,
activities.bulk, outreach.bulk, frontdesk.bulk), then recomputes the journeys (with their
reasons) and the tasks of the households touched with the batch engine. A crash, a kill or an
error anywhere leaves nothing written. The worklists' tasks of those households are the
caller's, after (imports.tasks: in the background for the browser, after the commit for the
command).

A planned household that looks like one already recorded (households.duplicates) is never
created silently: the caller decides for each one, "link" (its rows go to the existing
household), "create" (a new household anyway) or "skip".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_event
from parcours.households.duplicates import Match, household_duplicates_many
from parcours.households.models import Household, Person, TouchpointKind
from parcours.imports.fields import auto_mapping, is_known
from parcours.imports.plan import Plan, build_plan, check_mapping
from parcours.imports.reading import Layout, open_source

CREATE, SKIP, LINK = "create", "skip", "link"


class DecisionsMissing(Exception):
    """Some planned households look like known ones and no decision was given for them."""

    def __init__(self, keys: list[str]):
        super().__init__("decisions missing")
        self.keys = keys


@dataclass
class Report:
    households_created: int = 0
    households_linked: int = 0
    households_skipped: int = 0
    persons_created: int = 0
    touchpoints: dict[str, int] = field(default_factory=dict)
    activities_created: list[str] = field(default_factory=list)
    already_recorded: int = 0
    journeys: int = 0
    created_ids: list[int] = field(default_factory=list)
    touched_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        skip = ("created_ids", "touched_ids")
        return {k: v for k, v in self.__dict__.items() if k not in skip} | {
            "created_ids": self.created_ids[:500]
        }


def read_plan(
    path: Path, *, mapping: list[str] | None = None, remembered=None, region: str = "FR"
) -> tuple[Layout, Plan]:
    """Open the file, map its columns (given, else remembered or guessed) and build the plan."""
    source = open_source(Path(path), is_known)
    try:
        headers = source.layout.headers
        if mapping is None or len(mapping) != len(headers):
            mapping = auto_mapping(headers, remembered)
        return source.layout, build_plan(source, mapping, region=region)
    finally:
        source.close()


def duplicates(plan: Plan, *, association) -> dict[str, list[Match]]:
    candidates = [(h.key, h.name, h.neighbourhood, h.phone) for h in plan.households.values()]
    return household_duplicates_many(candidates, association=association)


def parse_decision(value: str) -> tuple[str, int | None]:
    if value.startswith(LINK + ":") and value[len(LINK) + 1 :].isdigit():
        return LINK, int(value[len(LINK) + 1 :])
    if value in (CREATE, SKIP):
        return value, None
    raise ValueError(value)


@transaction.atomic
def import_commit(
    *, actor, association, plan: Plan, decisions: dict[str, str], lawful_basis, as_of=None
) -> Report:
    """Write the plan (no errors) in one transaction. `decisions`: planned household key ->
    "create", "skip" or "link:<pk>" for each that looks like a known household (others are
    created). Raises DecisionsMissing (nothing written) when one is missing."""
    if not plan.ok or check_mapping(plan.headers, plan.mapping):
        raise ValueError("a plan with errors is never committed")
    as_of = as_of or timezone.localdate()
    matches = duplicates(plan, association=association)
    missing = [k for k in matches if k not in decisions]
    if missing:
        raise DecisionsMissing(missing)
    report = Report()
    target: dict[str, int] = {}  # planned key -> household id
    new_rows: dict[str, Household] = {}
    allowed = {m.household.pk for ms in matches.values() for m in ms}
    for key, planned in plan.households.items():
        action, pk = (
            parse_decision(decisions.get(key, CREATE)) if key in matches else (CREATE, None)
        )
        if action == SKIP:
            report.households_skipped += 1
        elif action == LINK:
            if pk not in allowed:
                raise ValueError(f"{key}: link to a household that was not proposed")
            target[key] = pk
            report.households_linked += 1
        else:
            new_rows[key] = Household(association=association, **planned.fields())
    from parcours.directory.search import index_households
    from parcours.households.bulk import households_write, persons_write

    households_write(
        actor=actor, association=association, households=list(new_rows.values()),
        lawful_basis=lawful_basis, index=False,
    )  # fmt: skip
    target.update({k: h.pk for k, h in new_rows.items()})
    report.households_created = len(new_rows)
    report.created_ids = [h.pk for h in new_rows.values()]
    persons = persons_write(
        actor=actor, association=association, persons=_persons(plan, new_rows, target),
        index=False,
    )  # fmt: skip
    report.persons_created = len(persons)
    # the pickers' search words, once: new households and linked ones given new members
    index_households(sorted(set(report.created_ids) | {p.household_id for p in persons}))
    _touchpoints(actor, association, plan, target, report)
    _follow(association, sorted(set(target.values())), as_of, report)
    audit_event(
        actor=actor, association_id=association.pk, action=AuditEvent.Action.CREATE,
        object_type="imports.import", fields=[k for k, v in report.as_dict().items() if v],
    )  # fmt: skip
    return report


def _persons(plan: Plan, new_rows: dict[str, Household], target: dict[str, int]) -> list[Person]:
    """The planned persons; for a linked household, those it does not have yet."""
    linked = {pk for k, pk in target.items() if k not in new_rows}
    known = defaultdict(set)
    for hid, first, year in (
        Person.objects.filter(household_id__in=linked).values_list(
            "household_id", "first_name", "birth_year"
        )
        if linked
        else ()
    ):
        known[hid].add((first.casefold(), year))
    rows = []
    for key, planned in plan.households.items():
        if key not in target:
            continue
        hid = target[key]
        household = new_rows.get(key) or Household(pk=hid)
        for i, p in enumerate(planned.persons):
            if (p.first_name.casefold(), p.birth_year) in known[hid]:
                continue
            rows.append(
                Person(
                    household=household,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    birth_year=p.birth_year,
                    sex=p.sex,
                    relation=p.relation,
                    is_contact=key in new_rows and i == 0,
                )  # fmt: skip
            )
    return rows


def _touchpoints(actor, association, plan: Plan, target: dict[str, int], report: Report) -> None:
    from parcours.activities.bulk import attendance_write
    from parcours.frontdesk.bulk import records_write
    from parcours.households.bulk import generic_touchpoints_write
    from parcours.outreach.bulk import contacts_write

    by_kind: dict[str, list] = defaultdict(list)
    for key, planned in plan.households.items():
        hid = target.get(key)
        if hid is None:
            continue
        for day, kind, activity, _line in planned.touchpoints:
            if kind == TouchpointKind.ATTENDANCE:
                by_kind[kind].append((hid, day, activity))
            elif kind == TouchpointKind.OUTREACH_CONTACT:
                by_kind[kind].append((hid, day, planned.neighbourhood))
            else:
                by_kind[kind].append((hid, day))
    marks = attendance_write(
        actor=actor, association=association, marks=by_kind.pop(TouchpointKind.ATTENDANCE, [])
    )
    counts = {TouchpointKind.ATTENDANCE.value: marks.marks_created}
    report.activities_created = marks.activities_created
    report.already_recorded = marks.already_marked
    contacts = by_kind.pop(TouchpointKind.OUTREACH_CONTACT, [])
    counts[TouchpointKind.OUTREACH_CONTACT.value] = contacts_write(
        actor=actor, association=association, contacts=contacts
    )
    report.already_recorded += len(contacts) - counts[TouchpointKind.OUTREACH_CONTACT.value]
    for kind, rows in by_kind.items():
        if kind in (TouchpointKind.INFO_REQUEST, TouchpointKind.INTAKE_VISIT):
            counts[kind] = records_write(actor=actor, association=association, kind=kind, rows=rows)
        else:  # kinds with no record (an event log's appointments, communications)
            counts[kind] = generic_touchpoints_write(
                actor=actor, association=association, kind=kind, rows=rows
            )
    report.touchpoints = {k: n for k, n in counts.items() if n}


def _follow(association, household_ids: list[int], as_of, report: Report) -> None:
    """The journeys (stages with their reasons) of the households touched, batch engine."""
    from parcours.journey.recompute import journey_recompute

    report.touched_ids = household_ids
    if not household_ids:
        return
    report.journeys = journey_recompute(
        association=association, as_of=as_of, household_ids=household_ids
    )


def refusal_text(plan: Plan) -> str:
    return _("%(count)s error(s): nothing was written.") % {"count": plan.problem_count}
