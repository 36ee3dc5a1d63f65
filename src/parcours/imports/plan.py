"""From an opened file and its column mapping to a plan: what would be written, and every error.

Reading the plan writes nothing: it is the dry run. Each error names the line, the column (as
headed in the file), the value and the reason. A plan with errors is never committed.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from parcours.households.duplicates import normalise_name, normalise_text
from parcours.imports import values
from parcours.imports.fields import FIELDS, REQUIRED
from parcours.imports.reading import Source

MAX_ERRORS = 1000  # listed; the count goes on
TEXT_LIMITS = {
    "household": 200, "file_ref": 60, "neighbourhood": 100, "address": 240, "postcode": 12,
    "city": 60, "first_name": 100, "last_name": 100, "activity": 200,
}  # fmt: skip


@dataclass
class Problem:
    line: int  # 0: the file as a whole
    column: str
    value: str
    reason: str


@dataclass
class PlannedPerson:
    line: int
    first_name: str
    last_name: str
    birth_year: int | None
    relation: str
    sex: str = "not_stated"


@dataclass
class PlannedHousehold:
    key: str
    line: int
    name: str
    neighbourhood: str = ""
    address: str = ""
    phone: str = ""
    heard_from: str = ""
    persons: list[PlannedPerson] = field(default_factory=list)
    # (day, kind, activity name, line)
    touchpoints: list[tuple[date, str, str, int]] = field(default_factory=list)

    def fields(self) -> dict:
        return {
            "name": self.name, "neighbourhood": self.neighbourhood, "address": self.address,
            "phone": self.phone, "heard_from": self.heard_from,
        }  # fmt: skip


@dataclass
class Plan:
    headers: list[str]
    mapping: list[str]
    households: dict[str, PlannedHousehold] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    rows: int = 0
    preview: list[tuple[int, list[str]]] = field(default_factory=list)

    def refuse(self, line: int, column: str, value, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_ERRORS:
            shown = "" if value is None else str(value)
            self.problems.append(Problem(line, column, shown[:80], reason))

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def counts(self) -> dict[str, int]:
        kinds = Counter(k for h in self.households.values() for _d, k, _a, _l in h.touchpoints)
        return {
            "households": len(self.households),
            "persons": sum(len(h.persons) for h in self.households.values()),
            "touchpoints": sum(kinds.values()),
            **{f"kind_{k}": n for k, n in kinds.items()},
        }

    def activities(self) -> list[str]:
        return sorted({a for h in self.households.values() for _d, _k, a, _l in h.touchpoints if a})


def check_mapping(headers: list[str], mapping: list[str]) -> list[Problem]:
    """A column mapped twice, or a required column missing: the file as a whole is refused."""
    problems = []
    seen: dict[str, int] = {}
    for i, target in enumerate(mapping):
        if not target:
            continue
        if target in seen:
            problems.append(
                Problem(
                    0,
                    headers[i],
                    "",
                    _(
                        "duplicated column: “%(first)s” and “%(second)s” both hold “%(field)s”; "
                        "keep one (or mark the other as ignored)."
                    )
                    % {
                        "first": headers[seen[target]],
                        "second": headers[i],
                        "field": FIELDS[target],
                    },
                )  # fmt: skip
            )
        else:
            seen[target] = i
    for target in REQUIRED:
        if target not in seen:
            problems.append(
                Problem(
                    0,
                    str(FIELDS[target]),
                    "",
                    _("missing column: the file needs a column “%(field)s”.")
                    % {"field": FIELDS[target]},
                )  # fmt: skip
            )
    return problems


def build_plan(
    source: Source, mapping: list[str], *, region: str = "FR", preview: int = 10
) -> Plan:
    headers = source.layout.headers
    plan = Plan(headers=headers, mapping=mapping)
    for p in check_mapping(headers, mapping):
        plan.refuse(p.line, p.column, p.value, p.reason)
    if not plan.ok:
        return plan
    at = {target: i for i, target in enumerate(mapping) if target}
    attendance_seen: dict[tuple, int] = {}
    memo: dict = {}
    for line, cells in source.rows():
        plan.rows += 1
        if len(plan.preview) < preview:
            plan.preview.append((line, ["" if c is None else str(c) for c in cells]))
        row = _read_row(plan, line, cells, at, region, memo)
        if len(memo) > 200_000:  # bounded memory: the cache starts again
            memo.clear()
        if row is None:
            continue
        _add(plan, line, row, at, attendance_seen)
    if plan.rows == 0:
        plan.refuse(0, "", "", _("the table has column names but no row of data."))
    return plan


def _read_row(plan: Plan, line: int, cells: list, at: dict[str, int], region: str, memo: dict):
    """The row's clean values by target, or None when one is refused (each error listed).

    `memo`: each distinct (column, value) is cleaned once (a household's cells repeat on each
    of its rows, dates and kinds repeat across the file)."""
    row: dict = {}
    failed = False
    for target, i in at.items():
        raw = cells[i]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        key = (target, type(raw), raw)
        done = memo.get(key)
        if done is None:
            try:
                done = memo[key] = (True, _clean(target, raw, region))
            except values.Refused as exc:
                done = memo[key] = (False, str(exc))
        if done[0]:
            row[target] = done[1]
        else:
            plan.refuse(line, plan.headers[i], raw, done[1])
            failed = True
    if "household" not in row and not failed:
        plan.refuse(line, plan.headers[at["household"]], "", _("the household's name is missing."))
        return None
    return None if failed else row


def _clean(target: str, raw, region: str):
    if target == "phone":
        return values.parse_phone(raw, region)
    if target == "heard_from":
        return values.parse_channel(raw)
    if target == "relation":
        return values.parse_relation(raw)
    if target == "birth_year":
        return values.parse_birth_year(raw)
    if target == "sex":
        return values.parse_sex(raw)
    if target == "day":
        return values.parse_date(raw)
    if target == "kind":
        return values.parse_kind(raw)
    return values.parse_text(raw, TEXT_LIMITS[target])


@functools.lru_cache(maxsize=65536)
def _key(what: tuple[str, str]) -> str:
    kind, value = what
    if kind == "file_ref":
        return "ref:" + normalise_text(value)
    return normalise_name(value) if kind == "household" else normalise_text(value)


def _add(plan: Plan, line: int, row: dict, at: dict[str, int], attendance_seen: dict) -> None:
    name = row["household"]
    key = _key(("file_ref", row["file_ref"]) if "file_ref" in row else ("household", name))
    household = plan.households.get(key)
    if household is None:
        household = plan.households[key] = PlannedHousehold(key=key, line=line, name=name)
    address = ", ".join(
        p for p in (row.get("address", ""), " ".join(
            x for x in (row.get("postcode", ""), row.get("city", "")) if x)) if p
    )  # fmt: skip
    for attr, value in (
        ("neighbourhood", row.get("neighbourhood", "")), ("address", address[:300]),
        ("phone", row.get("phone", "")), ("heard_from", row.get("heard_from", "")),
    ):  # fmt: skip
        if value and not getattr(household, attr):
            setattr(household, attr, value)
    if "first_name" in row:
        person = PlannedPerson(
            line, row["first_name"], row.get("last_name", ""), row.get("birth_year"),
            row.get("relation", "other"), row.get("sex", "not_stated"),
        )  # fmt: skip
        same = {(p.first_name.casefold(), p.birth_year) for p in household.persons}
        if (person.first_name.casefold(), person.birth_year) not in same:
            household.persons.append(person)
    day, kind, activity = row.get("day"), row.get("kind"), row.get("activity", "")
    if day is None and kind is None:
        return
    if kind is None and activity:
        kind = "attendance"
    if day is None or kind is None:
        missing = "day" if day is None else "kind"
        column = plan.headers[at[missing]] if missing in at else str(FIELDS[missing])
        plan.refuse(line, column, "", _("a touchpoint needs both its date and its kind."))
        return
    if kind == "attendance":
        if not activity:
            column = plan.headers[at["activity"]] if "activity" in at else str(FIELDS["activity"])
            plan.refuse(line, column, "", _("an attendance needs the name of its activity."))
            return
        mark = (key, day, _key(("activity", activity)))
        if mark in attendance_seen:
            plan.refuse(
                line, plan.headers[at["day"]], day.strftime("%d/%m/%Y"),
                _("the same attendance as line %(line)s.") % {"line": attendance_seen[mark]},
            )  # fmt: skip
            return
        attendance_seen[mark] = line
    household.touchpoints.append((day, kind, activity if kind == "attendance" else "", line))
