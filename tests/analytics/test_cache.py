"""The dashboard's cache (analytics.cache) never serves figures older than the data: every
way of writing what the measures read changes the data stamp (analytics.stamps) in the same
transaction, so the next page shows the write. Each test warms the cache, writes through one
path, and checks the cached figures equal figures computed afresh from the database, and that
the write did change them (else the test could not fail)."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.analytics import cache, selectors, stamps
from parcours.analytics.measures import MEASURES, Period, Query, run
from parcours.journey.definitions import definition_for
from tests.basis import BASIS
from tests.journal import log_touchpoint

KINDS = tuple(MEASURES)
URL = "/analytics/"
PERIOD = "?start=2026-01-01&end=2026-06-30"
QUERY = Query(0, Period(date(2026, 1, 1), date(2026, 6, 30)))


def _membership(world, role=Role.COORDINATOR):
    with scopes_disabled():
        return Membership.objects.get(user=world.user(role), association=world.a)


def _dashboard(world, membership):
    keys = definition_for(world.a).stage_keys
    return cache.Dashboard(association=world.a, stage_keys=keys, membership=membership,
                           today=timezone.localdate())  # fmt: skip


def _cached(world, membership) -> bytes:
    """Every measure and the filters' choices, from the cache."""
    with scopes_disabled():
        d = _dashboard(world, membership)
        return pickle.dumps((d.results(KINDS, QUERY), d.filter_choices()))


def _fresh(world, membership) -> bytes:
    """The same, computed afresh from the database."""
    with scopes_disabled():
        keys = definition_for(world.a).stage_keys
        data = selectors.journey_data(association=world.a, stage_keys=keys, membership=membership)
        choices = selectors.filter_choices(association=world.a)
        return pickle.dumps(({k: run(k, data, QUERY) for k in KINDS}, choices))


def _household(world, name="Famille Nouvelle", neighbourhood="Fives"):
    from parcours.households import services

    with scopes_disabled():
        return services.household_create(
            actor=world.user(Role.COORDINATOR), association=world.a, name=name,
            neighbourhood=neighbourhood, heard_from="peer", lawful_basis=BASIS,
        )  # fmt: skip


def _intake(world, household, day=date(2026, 2, 2)):
    with scopes_disabled():
        log_touchpoint(actor=world.user(Role.COORDINATOR), household=household, day=day,
                       kind="intake_visit")  # fmt: skip


# -- the write paths -------------------------------------------------------------------------


def write_touchpoint(world):
    _intake(world, world.household_a, date(2026, 3, 3))


def write_new_household(world):
    _intake(world, _household(world))


def write_neighbourhood(world):
    from parcours.households import services

    with scopes_disabled():
        services.household_update(
            actor=world.user(Role.COORDINATOR), household=world.household_a,
            neighbourhood="Wazemmes",
        )  # fmt: skip


def write_bulk_households(world):
    from parcours.households.bulk import households_write
    from parcours.households.models import Household

    with scopes_disabled():
        households_write(actor=None, association=world.a, audit=False,
                         households=[Household(name="Famille Bulk", neighbourhood="Bulkville",
                                               heard_from="web")])  # fmt: skip


def write_person(world):
    from parcours.households.bulk import persons_write
    from parcours.households.models import Person

    with scopes_disabled():
        persons_write(actor=None, association=world.a, audit=False,
                      persons=[Person(household=world.household_a, first_name="Léa",
                                      birth_year=2015, relation="child")])  # fmt: skip


def write_merge(world):
    from parcours.directory.merge import household_merge

    twin = _household(world, "Famille Martin bis")
    _intake(world, twin, date(2026, 1, 10))
    before = _cached(world, _membership(world))
    assert before == _fresh(world, _membership(world))
    with scopes_disabled(), transaction.atomic():
        household_merge(actor=world.user(Role.COORDINATOR), kept=world.household_a, merged=twin)


def write_household_deleted(world):
    with scopes_disabled():
        world.household_a.delete()  # the cascade: spans, touchpoints, members


def erase(world):
    from parcours.privacy.services import household_erase

    with scopes_disabled():
        household_erase(actor=world.user(Role.ADMIN), household=world.household_a,
                        reason="Demande de la famille par courrier")  # fmt: skip


def write_spans_deleted(world):
    from parcours.journey.models import StageSpan

    with scopes_disabled():
        StageSpan.objects.filter(association=world.a).delete()


def write_recompute(world):
    from parcours.journey.recompute import journey_recompute

    with scopes_disabled():
        journey_recompute(association=world.a, as_of=date(2026, 6, 30))


write_recompute.prepare = write_spans_deleted  # the spans to recompute are gone first


def write_queryset_update(world):
    from parcours.households.models import Touchpoint

    with scopes_disabled():
        Touchpoint.objects.filter(association=world.a).update(day=date(2026, 4, 4))


def write_raw_sql(world):
    from parcours.households.models import Touchpoint

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Touchpoint._meta.db_table} WHERE association_id = %s", [world.a.pk]
        )


PATHS = [write_touchpoint, write_new_household, write_neighbourhood, write_bulk_households,
         write_person, write_merge, write_household_deleted, write_spans_deleted, write_recompute,
         write_queryset_update, write_raw_sql]  # fmt: skip


@pytest.fixture
def filled(world):
    """Association A with a few households that came to the welcome visit."""
    for i in range(3):
        _intake(world, _household(world, f"Famille Test{i}", "Le Centre"))
    _intake(world, world.household_a, date(2026, 1, 5))
    cache.STORE.clear()
    return world


@pytest.mark.parametrize("write", PATHS, ids=lambda f: f.__name__)
def test_every_write_path_shows_on_the_next_page(filled, write):
    membership = _membership(filled)
    if hasattr(write, "prepare"):
        write.prepare(filled)
    before = _cached(filled, membership)
    assert before == _fresh(filled, membership)
    token = stamps.token(filled.a.pk)
    write(filled)
    assert stamps.token(filled.a.pk) != token
    after = _fresh(filled, membership)
    assert after != before, "this write changes no figure: the test would prove nothing"
    assert _cached(filled, membership) == after


def test_a_rolled_back_write_leaves_the_figures_as_they_are(filled):
    membership = _membership(filled)
    before = _cached(filled, membership)
    with pytest.raises(RuntimeError), transaction.atomic():
        write_new_household(filled)
        raise RuntimeError
    assert _fresh(filled, membership) == before == _cached(filled, membership)


def test_a_write_elsewhere_leaves_the_figures_and_a_read_changes_nothing(filled):
    membership = _membership(filled)
    _cached(filled, membership)
    token = stamps.token(filled.a.pk)
    _cached(filled, membership)
    assert stamps.token(filled.a.pk) == token
    with scopes_disabled():
        from parcours.households import services

        services.household_update(actor=filled.user(Role.COORDINATOR),
                                  household=filled.household_a, phone="0600000000")  # fmt: skip
    if connection.vendor == "postgresql":  # SQLite: any write to a watched table counts
        assert stamps.token(filled.a.pk) == token


def test_the_views_are_cached_apart(filled):
    """The board does not see support: its inputs are not the coordinator's."""
    board, coordinator = _membership(filled, Role.BOARD), _membership(filled, Role.COORDINATOR)
    assert _dashboard(filled, board).key != _dashboard(filled, coordinator).key


def _rows(response) -> str:
    """The panels as the page shows them (drawn, or taken as drawn: analytics.drawn)."""
    return str(response.context["panels_html"])


def _data_queries(queries) -> list[str]:
    tables = ("households_touchpoint", "journey_stagespan", "journey_statusspan")
    return [q["sql"] for q in queries if any(t in q["sql"] for t in tables)]


def test_a_warm_page_and_its_export_read_no_journey_row_and_a_tap_shows(filled, client, settings):
    settings.ANALYTICS_MAX_AGE = 0  # the page wants the current data's figures
    client.force_login(filled.user(Role.COORDINATOR))
    first = client.get(URL + PERIOD)
    assert first.status_code == 200 and _data_queries([]) == []
    with CaptureQueriesContext(connection) as warm:
        again = client.get(URL + PERIOD)
        export = client.get(URL + "export/" + PERIOD + "&measure=funnel")
    assert again.status_code == 200 and export.status_code == 200
    assert _rows(again) == _rows(first)
    assert _data_queries(warm.captured_queries) == []
    write_new_household(filled)
    with CaptureQueriesContext(connection) as cold:
        after = client.get(URL + PERIOD)
    assert _data_queries(cold.captured_queries)
    assert _rows(after) != _rows(first)


def _export(client) -> bytes:
    return client.get(URL + "export/" + PERIOD + "&measure=funnel").content


@pytest.mark.django_db(transaction=True)  # each request its own transaction, as served
def test_the_page_may_show_figures_a_minute_old_and_says_so(filled, client, settings, monkeypatch):
    """ANALYTICS_MAX_AGE: after a write the page keeps the figures read less than that long ago,
    without reading the journeys again, and gives their time; past it, it counts afresh. The
    export always has the current data's. (A transaction that has itself written never takes
    older figures: on PostgreSQL they could hide its own writes, see test_stamp_once.py.)"""
    settings.ANALYTICS_MAX_AGE = 60
    now = [1_800_000_000.0]
    monkeypatch.setattr(cache.time, "time", lambda: now[0])
    client.force_login(filled.user(Role.COORDINATOR))
    first = client.get(URL + PERIOD)
    assert first.context["as_of"] is None and b"figures-age" not in first.content
    export_before = _export(client)
    write_new_household(filled)
    now[0] += 59
    with CaptureQueriesContext(connection) as queries:
        older = client.get(URL + PERIOD)
    assert _data_queries(queries.captured_queries) == []
    assert _rows(older) == _rows(first)
    assert older.context["as_of"].timestamp() == 1_800_000_000.0
    assert b'class="figures-age"' in older.content
    assert _export(client) != export_before  # the export: the current data's figures
    now[0] += 2
    newer = client.get(URL + PERIOD)
    assert newer.context["as_of"] is None and _rows(newer) != _rows(first)


def test_the_store_is_bounded_by_bytes():
    lru = cache.LRU(100)
    lru.put("a", 1, 60)
    lru.put("b", 2, 30)
    assert lru.get("a") == 1  # "b" is now the least recently used
    lru.put("c", 3, 30)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    assert lru.used == 90
    lru.put("huge", 4, 101)
    assert lru.get("huge") is None and lru.used == 90


def test_an_erasure_keeps_every_figure_and_the_cache_agrees(filled):
    """An erasure anonymises: the figures stay (privacy.services), cached or not."""
    membership = _membership(filled)
    before = _cached(filled, membership)
    erase(filled)
    assert _fresh(filled, membership) == before == _cached(filled, membership)


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_change_the_stamp_too():
    """Autocommit: an insert that returns its id, a bulk statement, a delete."""
    from parcours.accounts.models import Association
    from parcours.households.models import Household

    with scopes_disabled():
        association = Association.objects.create(name="Autocommit", slug="autocommit")
        seen = {stamps.token(association.pk)}
        household = Household.objects.create(association=association, name="Famille Auto")
        seen.add(stamps.token(association.pk))
        Household.objects.filter(pk=household.pk).update(neighbourhood="Fives")
        seen.add(stamps.token(association.pk))
        Household.objects.filter(pk=household.pk).delete()
        seen.add(stamps.token(association.pk))
    assert len(seen) == 4
