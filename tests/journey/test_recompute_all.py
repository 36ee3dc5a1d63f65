"""`parcours recompute` (journey.recompute.recompute_all) stores what the per-household paths
store: journey_refresh and tasks_regenerate for each household, one after the other. Spans
with reasons and evidence, status spans, placements, tasks (their states kept: done, snoozed,
dismissed, assigned) and task checks, on a generated association with varied history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django_scopes import scopes_disabled

from parcours.households.models import Household
from parcours.journey import recompute, services
from parcours.journey.recompute_io import SQLITE_CACHE_KIB
from parcours.seed import seed_association
from parcours.worklists.models import Task, TaskCheck
from parcours.worklists.regenerate import tasks_regenerate, tasks_regenerate_many
from tests.journey.test_recompute import _stored

AS_OF = date(2026, 3, 10)
LATER = AS_OF + timedelta(days=45)  # windows lapse, snoozes end, households turn dormant


class _Rollback(Exception):
    pass


def _tasks(association) -> dict[str, list[tuple]]:
    with scopes_disabled():
        tasks = sorted(
            (
                t.household_id, t.rule, t.cause, t.assignee_kind, t.stage, repr(t.reason),
                t.ref, t.since, t.due, t.assignee_user_id, t.assignee_household_id, t.state,
                t.state_reason, t.state_by_id, t.snoozed_until, repr(t.closed_because),
                t.audience,
            )
            for t in Task.objects.filter(association=association)
        )  # fmt: skip
        checks = sorted(
            TaskCheck.objects.filter(association=association).values_list(
                "household_id", "computed_on", "valid_until"
            )
        )
    return {"tasks": tasks, "checks": checks}


def _everything(association) -> dict[str, list[tuple]]:
    return {**_stored(association), **_tasks(association)}


@pytest.fixture
def world(db):
    """A generated association with users (peer families, sponsors), its journeys and tasks
    as of AS_OF, then staff acting on some tasks: done, snoozed, dismissed, assigned."""
    result = seed_association(name="Gen", slug="gen", households=150, seed=11, end=AS_OF)
    a = result.association
    tasks_regenerate_many(association=a, as_of=AS_OF)
    with scopes_disabled():
        tasks = list(Task.objects.filter(association=a, state=Task.State.OPEN).order_by("id"))
        assert len(tasks) > 20, "the generated history proposes tasks"
        for i, t in enumerate(tasks[:20]):
            if i % 4 == 0:
                t.state = Task.State.DONE
            elif i % 4 == 1:
                t.state, t.snoozed_until = Task.State.SNOOZED, AS_OF + timedelta(days=10)
            elif i % 4 == 2:
                t.state, t.state_reason = Task.State.DISMISSED, "already seen"
            else:
                t.assignee_user_id = None
                t.assignee_household_id = None
            t.state_at = None
            t.save()
    return a


def _per_household(association, as_of: date) -> None:
    with scopes_disabled():
        households = list(
            Household.objects.filter(association=association).select_related("association")
        )
        active = set(Household.objects.active().values_list("id", flat=True))
        for h in sorted(households, key=lambda h: h.pk):
            services.journey_refresh(h, as_of=as_of)
        for h in sorted(households, key=lambda h: h.pk):
            if h.pk in active:  # the archive gets no task (tasks_regenerate_many)
                tasks_regenerate(h, as_of=as_of)


@pytest.mark.parametrize("keep", [True, False], ids=["log-kept", "log-read-again"])
@pytest.mark.parametrize("as_of", [AS_OF, LATER])
def test_recompute_all_stores_what_the_per_household_paths_store(world, as_of, keep, monkeypatch):
    """Whether the task phase takes the log in memory or reads it again (a large log,
    KEEP_FOR_TASKS), the stored rows are those of the per-household paths."""
    monkeypatch.setattr(recompute, "KEEP_FOR_TASKS", 10**12 if keep else 0)
    taken = []
    for name in ("_tasks", "_tasks_read_again"):
        real = getattr(recompute, name)
        monkeypatch.setattr(recompute, name,
                            lambda *a, _n=name, _f=real: taken.append(_n) or _f(*a))  # fmt: skip
    from parcours.worklists import new_tasks

    real_store, written = new_tasks.store_new, []
    monkeypatch.setattr("parcours.worklists.regenerate.store_new",
                        lambda *a: written.append(real_store(*a)) or written[-1])  # fmt: skip
    with scopes_disabled():
        had_tasks = set(Task.objects.filter(association=world).values_list("household", flat=True))
    with pytest.raises(_Rollback), transaction.atomic():
        report = recompute.recompute_all(association=world, as_of=as_of)
        batch = _everything(world)
        raise _Rollback
    assert taken == ["_tasks" if keep else "_tasks_read_again"]
    if keep:  # households whose stored tasks stay as they are: from the columns too
        assert had_tasks & set(written[0].households)
    assert report.households == 150 and report.rows > 150
    assert report.timings["read s"] >= 0 and report.timings["write s"] >= 0
    _per_household(world, as_of)
    one_by_one = _everything(world)
    for what in ("stage", "status", "journey", "tasks", "checks"):
        assert batch[what] == one_by_one[what], what
    states = {t[11] for t in one_by_one["tasks"]}
    assert {"done", "dismissed"} <= states
    if as_of == LATER:  # the snooze ended: the tasks came back open, as one by one
        assert "closed" in states


@pytest.mark.parametrize("peers", [True, False], ids=["peer-families", "no-peer-family"])
@pytest.mark.parametrize("as_of", [AS_OF, LATER])
def test_recompute_all_on_an_empty_task_table_stores_the_per_household_tasks(world, as_of, peers):
    """Households without tasks get theirs from the task columns (worklists.new_tasks); the
    others (support evidence, peer family or sponsor to pick) through the loop: together the
    rows of the per-household path; a good part of the households took the columns. Without
    a peer family to pick, the peer-family tasks too come from the columns."""
    from parcours.accounts.models import Membership
    from parcours.accounts.roles import Role
    from parcours.worklists import new_tasks

    with scopes_disabled():
        peer = Membership.objects.filter(association=world, role=Role.PEER_FAMILY)
        assert peer.filter(is_active=True, household__isnull=False).exists()
        if not peers:
            peer.update(is_active=False)

    seen = []
    real = new_tasks.store_new

    def watching(*args):
        seen.append(real(*args))
        return seen[-1]

    with scopes_disabled():
        Task.objects.filter(association=world).delete()
        TaskCheck.objects.filter(association=world).delete()
    with pytest.MonkeyPatch.context() as m:
        m.setattr("parcours.worklists.regenerate.store_new", watching)
        with pytest.raises(_Rollback), transaction.atomic():
            report = recompute.recompute_all(association=world, as_of=as_of)
            batch = _everything(world)
            raise _Rollback
    (written,) = seen
    with scopes_disabled():
        active = Household.objects.active().filter(association=world).count()
    assert active // 3 < len(written.households) <= active
    if peers:  # the households with a peer family to pick went through the loop
        assert len(written.households) < active and written.created < report.tasks.created
    assert 0 < written.created <= report.tasks.created
    _per_household(world, as_of)
    one_by_one = _everything(world)
    for what in ("tasks", "checks"):
        assert batch[what] == one_by_one[what], what
    assert {t[11] for t in batch["tasks"]} == {"open"}
    mine = [t for t in batch["tasks"] if t[0] in set(written.households)]
    assert any(t[3].startswith("peer_family") for t in mine) != peers
    if not peers:  # households with support evidence too: two views, from the columns
        assert any(t[16] == "sensitive" for t in mine)
    picked = [t for t in batch["tasks"] if t[3].startswith("peer_family") and t[10]]
    assert bool(picked) == peers


def test_recompute_all_is_one_transaction(world, monkeypatch):
    """A failure while writing leaves every stored row as it was (nothing half written)."""
    recompute.recompute_all(association=world, as_of=AS_OF)
    before = _everything(world)
    real = recompute.write_table
    calls = []

    def failing(model, fields, table):
        calls.append(model)
        if len(calls) == 3:  # spans and statuses written, the placements not
            raise RuntimeError("crash")
        return real(model, fields, table)

    monkeypatch.setattr(recompute, "write_table", failing)
    with pytest.raises(RuntimeError):
        recompute.recompute_all(association=world, as_of=LATER)
    assert _everything(world) == before


def test_recompute_command_runs_end_to_end(world, capsys):
    with scopes_disabled():
        Task.objects.filter(association=world).delete()
        TaskCheck.objects.filter(association=world).delete()
    call_command("recompute")
    out = capsys.readouterr().out
    assert "households recomputed in" in out and "tasks" in out
    with scopes_disabled():
        assert Task.objects.filter(association=world).exists()
        assert TaskCheck.objects.filter(association=world).count() == (
            Household.objects.active().filter(association=world).count()
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_recompute_all_writes_with_a_larger_sqlite_cache_then_restores_it(world, monkeypatch):
    """The spans are written with recompute_io.SQLITE_CACHE_KIB of page cache (fewer spills
    to the WAL); the connection's own size is back afterwards."""

    def cache_size() -> int:
        with connection.cursor() as cursor:
            return cursor.execute("PRAGMA cache_size").fetchone()[0]

    before = cache_size()
    assert before != -SQLITE_CACHE_KIB
    real, seen = recompute.write_table, []

    def watching(model, fields, table):
        seen.append(cache_size())
        return real(model, fields, table)

    monkeypatch.setattr(recompute, "write_table", watching)
    recompute.recompute_all(association=world, as_of=AS_OF)
    assert seen and set(seen) == {-SQLITE_CACHE_KIB}
    assert cache_size() == before
