"""core.prepared (a queryset compiled once, run with other values) and the few-row writers of
core.fastinsert (one INSERT ... RETURNING, an upsert built once): the same rows and the same
stored values as Django's own paths."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from parcours.core.fastinsert import insert_objects, upsert_objects
from parcours.core.prepared import Prepared
from parcours.households import hooks
from parcours.households.models import Touchpoint
from parcours.journey import services as journey
from parcours.worklists.models import TaskCheck

pytestmark = pytest.mark.django_db


def test_a_prepared_read_gives_the_querysets_rows_for_each_household(world):
    with scopes_disabled():
        journey.journey_refresh(world.household_a)
        for household in (world.household_a, world.household_b, world.household_a):
            pk = household.pk
            # dates, JSON and booleans converted as the queryset converts them; a UNION
            assert journey._STORED.rows(pk) == list(journey._stored_read(pk))
            assert hooks._ROWS.rows(pk) == list(hooks._touchpoint_rows(pk))
        stored = journey._STORED.rows(world.household_a.pk)
    assert stored and isinstance(stored[0][6], date)  # a span's start, not its text
    assert hooks._ROWS.rows(world.household_b.pk) == []


def test_a_value_that_is_not_a_parameter_is_refused():
    fixed = Prepared(lambda pk: Touchpoint.objects.filter(household_id=1).values_list("id"))
    with pytest.raises(ValueError, match="not a parameter"):
        fixed.rows(5)


def test_a_few_objects_are_inserted_in_one_statement_with_their_ids(world):
    household = world.household_a
    objs = [
        Touchpoint(association_id=household.association_id, household=household,
                   day=date(2026, 2, d), kind="call", note=f"n{d}")
        for d in (3, 1, 2)
    ]  # fmt: skip
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        insert_objects(objs)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    with scopes_disabled():
        stored = dict(Touchpoint.objects.filter(note__startswith="n").values_list("id", "note"))
    assert stored == {o.pk: o.note for o in objs}


def test_an_upsert_inserts_then_updates_the_row_in_place(world):
    household = world.household_a
    fields = {"unique_fields": ["household"], "update_fields": ["computed_on", "valid_until"]}

    def check(valid_until):
        return TaskCheck(association_id=household.association_id, household=household,
                         computed_on=date(2026, 3, 1), valid_until=valid_until)  # fmt: skip

    with scopes_disabled():
        TaskCheck.objects.filter(household=household).delete()
        first = upsert_objects([check(date(2026, 4, 1))], **fields)[0]
        second = upsert_objects([check(None)], **fields)[0]
        rows = list(TaskCheck.objects.filter(household=household).values_list("id", "valid_until"))
    assert first.pk == second.pk
    assert rows == [(first.pk, None)]
