"""Reads of consent: the current state of each purpose, per household and per person."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from parcours.consent.models import ConsentRecord, Purpose

GIVEN = ConsentRecord.Action.GIVEN
WITHDRAWN = ConsentRecord.Action.WITHDRAWN


def current(household) -> dict[tuple[int | None, str], ConsentRecord]:
    """The latest record of each (person id or None for the household, purpose)."""
    state: dict[tuple[int | None, str], ConsentRecord] = {}
    rows = ConsentRecord.objects.filter(household=household).select_related("person")
    rows = rows.order_by("id")
    for row in rows:
        state[(row.person_id, row.purpose)] = row
    return state


def is_given(state, purpose: str, person_id: int | None = None) -> bool:
    """Whether the purpose is covered now for a person: their own record, else the household."""
    row = state.get((person_id, purpose)) if person_id is not None else None
    row = row or state.get((None, purpose))
    return row is not None and row.action == GIVEN


def has_follow_up_basis(household) -> bool:
    return is_given(current(household), Purpose.FOLLOW_UP)


def withdrawal(household, purpose: str) -> ConsentRecord | None:
    """The household's withdrawal of `purpose`, if that is its current state."""
    row = (
        ConsentRecord.objects.filter(household=household, person=None, purpose=purpose)
        .order_by("-id")
        .first()
    )
    return row if row is not None and row.action == WITHDRAWN else None


def withdrawn_household_ids(purpose: str, household_ids=None) -> set[int]:
    """Households (of the active scope) whose current state for `purpose` is withdrawn."""
    rows = ConsentRecord.objects.filter(person=None, purpose=purpose)
    if household_ids is not None:
        rows = rows.filter(household_id__in=list(household_ids))
    latest = rows.values("household_id").annotate(last=Max("id")).values("last")
    return set(
        ConsentRecord.objects.filter(id__in=latest, action=WITHDRAWN).values_list(
            "household_id", flat=True
        )
    )


def withdrawn_rows(household_ids, purposes, *, between: tuple[int, int] | None = None):
    """(household id, purpose) of the `purposes` each household of `household_ids` (or with
    an id in `between`, both ends included) withdrew: the query (a values_list queryset)."""
    rows = ConsentRecord.objects.filter(person=None, purpose__in=list(purposes))
    if between is None:
        rows = rows.filter(household_id__in=list(household_ids))
    else:
        rows = rows.filter(household_id__gte=between[0], household_id__lte=between[1])
    latest = rows.values("household_id", "purpose").annotate(last=Max("id")).values("last")
    return ConsentRecord.objects.filter(id__in=latest, action=WITHDRAWN).values_list(
        "household_id", "purpose"
    )


def withdrawn_purposes(household_ids, purposes, *, rows=None) -> dict[int, set[str]]:
    """For each household of `household_ids`, the `purposes` it withdrew (one query; `rows`:
    that query's rows when the caller ran it already)."""
    found: dict[int, set[str]] = {}
    for household_id, purpose in withdrawn_rows(household_ids, purposes) if rows is None else rows:
        found.setdefault(household_id, set()).add(purpose)
    return found


def households_without_basis():
    """Households (of the active scope) with no current consent or basis for follow-up: those
    recorded before consent was required without one, or that withdrew it."""
    from parcours.households.models import Household

    rows = ConsentRecord.objects.filter(person=None, purpose=Purpose.FOLLOW_UP)
    latest = rows.values("household_id").annotate(last=Max("id")).values("last")
    covered = ConsentRecord.objects.filter(id__in=latest, action=GIVEN).values("household_id")
    return Household.objects.exclude(id__in=covered).order_by("name", "id")


@dataclass
class PurposeState:
    purpose: str
    label: str
    record: ConsentRecord | None

    @property
    def given(self) -> bool:
        return self.record is not None and self.record.action == GIVEN

    @property
    def withdrawn(self) -> bool:
        return self.record is not None and self.record.action == WITHDRAWN


@dataclass
class ConsentSummary:
    household: list[PurposeState]
    persons: list[tuple[object, list[PurposeState]]]  # members with their own records
    history: list[ConsentRecord]

    @property
    def has_basis(self) -> bool:
        return any(s.given for s in self.household if s.purpose == Purpose.FOLLOW_UP)

    @property
    def by_purpose(self) -> dict[str, PurposeState]:
        return {s.purpose: s for s in self.household}


def consent_summary(household, *, history: bool = False) -> ConsentSummary:
    rows = list(
        ConsentRecord.objects.filter(household=household)
        .select_related("person", "collected_by")
        .order_by("id")
    )
    state = {(r.person_id, r.purpose): r for r in rows}
    persons = {r.person_id: r.person for r in rows if r.person_id is not None}
    return ConsentSummary(
        household=[PurposeState(p, label, state.get((None, p))) for p, label in Purpose.choices],
        persons=[
            (person, [PurposeState(p, label, state.get((pk, p))) for p, label in Purpose.choices])
            for pk, person in sorted(persons.items())
        ],
        history=list(reversed(rows)) if history else [],
    )
