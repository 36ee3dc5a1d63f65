"""Reads of the directory: the picker's answers, merges shown on a timeline."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from parcours.accounts import visibility
from parcours.directory import search
from parcours.directory.models import HouseholdMerge
from parcours.households.models import Household, Person

PICKER_SIZE = 10
MEMBERS_SHOWN = 4


@dataclass(frozen=True)
class PickerOption:
    pk: int
    name: str
    neighbourhood: str
    address: str
    members: list[str]
    more_members: int


def picker_options(qs: QuerySet[Household], limit: int | None = None) -> list[PickerOption]:
    """What tells homonyms apart: neighbourhood, address and first names. Nothing about the
    journey or support (a volunteer's picker shows what any household page shows them).
    Two queries of plain rows, whatever the number of households."""
    rows = qs.order_by("name", "id").values_list("id", "name", "neighbourhood", "address")
    rows = list(rows[:limit] if limit is not None else rows)
    names: dict[int, list[str]] = {}
    persons = Person.objects.filter(household_id__in=[r[0] for r in rows])
    ordered = persons.order_by("household_id", "-is_contact", "birth_year", "id")
    for household_id, first_name in ordered.values_list("household_id", "first_name"):
        names.setdefault(household_id, []).append(first_name)
    return [
        PickerOption(pk, name, place, address, names.get(pk, [])[:MEMBERS_SHOWN],
                     max(len(names.get(pk, [])) - MEMBERS_SHOWN, 0))
        for pk, name, place, address in rows
    ]  # fmt: skip


def picker_search(*, membership, query: str, exclude: int | None = None) -> tuple[list, bool]:
    """The first PICKER_SIZE households this member may see matching `query`, and whether
    more match. Indexed (parcours.directory.search): no household is read to filter."""
    qs = search.matching(visibility.households(membership), query)
    if exclude:
        qs = qs.exclude(pk=exclude)
    options = picker_options(qs, limit=PICKER_SIZE + 1)
    return options[:PICKER_SIZE], len(options) > PICKER_SIZE


def household_merges(household: Household) -> list[HouseholdMerge]:
    return list(HouseholdMerge.objects.filter(household=household).select_related("actor"))


def merged_into(pk: int) -> int | None:
    """The household a merged-away household's history went to (an old link follows it)."""
    row = HouseholdMerge.objects.filter(merged_id=pk).values_list("household_id", flat=True)
    return row.first()
