"""Task lists a team can finish: priority order, one page at most, bulk actions, and the
families with no contact for a long time moved to a list of their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.worklists.models import Task
from parcours.worklists.selectors import PAGE_SIZE
from tests.worklists.test_services import TODAY, _activity, _household, _tp


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def _task(world, household, due_in: int, n: int = 0, **kw) -> Task:
    with scopes_disabled():
        return Task.objects.create(
            association=world.a,
            household=household,
            rule="bring_a_family",
            cause=f"test:{due_in}:{n}",
            assignee_kind="coordinator",
            stage="loyalty",
            reason={
                "code": "stage_for",
                "params": {"stage": "loyalty", "since": "2025-12-01", "days": 90, "needed": 90},
            },
            since=TODAY - timedelta(days=30),
            due=TODAY + timedelta(days=due_in),
            **kw,
        )


def _cards(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="task-(\d+)"', html)]


@pytest.mark.django_db
def test_a_task_list_never_renders_more_than_one_page(world, today, client):
    h = _household(world, "Famille Ngo")
    made = [_task(world, h, due_in=i % 20 - 10, n=i) for i in range(2 * PAGE_SIZE + 10)]
    client.force_login(world.user(Role.COORDINATOR))
    for url in ("/tasks/", "/tasks/board/"):
        first = client.get(url).content.decode()
        assert len(_cards(first)) == PAGE_SIZE, url
        assert "Page 1 sur 3" in first
        told = re.search(r"(\d+) tâches (à faire|ouvertes)", first)
        assert told and int(told.group(1)) >= len(made), url  # the total, not only the page
        last = client.get(url + "?page=3").content.decode()
        assert len(_cards(last)) == int(told.group(1)) - 2 * PAGE_SIZE
        pages: list[int] = []
        for p in (1, 2, 3):
            pages += _cards(client.get(f"{url}?page={p}").content.decode())
        assert len(pages) == len(set(pages)) == int(told.group(1)), url  # each task once
        assert {t.pk for t in made} <= set(pages), url


@pytest.mark.django_db
def test_due_today_first_then_overdue_this_week_then_the_rest(world, today, client):
    h = _household(world, "Famille Ngo")
    old = _task(world, h, due_in=-300)
    later = _task(world, h, due_in=5)
    week = _task(world, h, due_in=-3)
    week_older = _task(world, h, due_in=-6)
    soon = _task(world, h, due_in=1)
    now = _task(world, h, due_in=0)
    client.force_login(world.user(Role.COORDINATOR))
    mine = {t.pk for t in (old, later, week, week_older, soon, now)}
    order = [pk for pk in _cards(client.get("/tasks/").content.decode()) if pk in mine]
    assert order == [now.pk, week.pk, week_older.pk, soon.pk, later.pk, old.pk]


@pytest.mark.django_db
def test_bulk_done_snooze_and_assign_are_all_or_nothing(world, today, client):
    h = _household(world, "Famille Ngo")
    tasks = [_task(world, h, due_in=i, n=i) for i in range(4)]
    client.force_login(world.user(Role.COORDINATOR))
    done = client.post(
        "/tasks/bulk/",
        {"task": [tasks[0].pk, tasks[1].pk], "bulk-action": "done", "next": "/tasks/"},
        follow=True,
    )
    assert "2 tâches mises à jour" in done.content.decode()
    states = {t.pk: t.state for t in Task.objects.filter(pk__in=[t.pk for t in tasks])}
    assert [states[t.pk] for t in tasks] == ["done", "done", "open", "open"]
    # a closed task in the selection: nothing is written, and the family is named
    refused = client.post(
        "/tasks/bulk/",
        {"task": [tasks[2].pk, tasks[0].pk], "bulk-action": "snooze", "bulk-until": "2026-04-01"},
        follow=True,
    ).content.decode()
    assert "Famille Ngo" in refused and "déjà close" in refused
    assert Task.objects.get(pk=tasks[2].pk).state == "open"
    # snoozing needs a day
    client.post("/tasks/bulk/", {"task": [tasks[2].pk], "bulk-action": "snooze", "bulk-until": ""})
    assert Task.objects.get(pk=tasks[2].pk).state == "open"
    sw = world.user(Role.SOCIAL_WORKER)
    given = client.post(
        "/tasks/bulk/",
        {"task": [tasks[2].pk, tasks[3].pk], "bulk-action": "assign", "bulk-assignee": sw.pk},
    )
    assert given.status_code == 302
    assert set(
        Task.objects.filter(pk__in=[tasks[2].pk, tasks[3].pk]).values_list(
            "assignee_user", flat=True
        )
    ) == {sw.pk}


@pytest.mark.django_db
def test_bulk_acts_only_on_ones_own_tasks(world, today, client):
    h = _household(world, "Famille Ngo")
    mine = _task(world, h, due_in=1, n=1, assignee_user=world.user(Role.VOLUNTEER))
    theirs = _task(world, h, due_in=1, n=2)  # the coordinators' pool
    client.force_login(world.user(Role.VOLUNTEER))
    page = client.get("/tasks/").content.decode()
    assert "Donner à" not in page  # a volunteer cannot give tasks away
    client.post("/tasks/bulk/", {"task": [mine.pk, theirs.pk], "bulk-action": "done"})
    assert Task.objects.get(pk=mine.pk).state == "open"  # all or nothing
    assert Task.objects.get(pk=theirs.pk).state == "open"
    client.post("/tasks/bulk/", {"task": [mine.pk], "bulk-action": "assign", "bulk-assignee": "1"})
    assert Task.objects.get(pk=mine.pk).assignee_user == world.user(Role.VOLUNTEER)
    client.post("/tasks/bulk/", {"task": [mine.pk], "bulk-action": "done"})
    assert Task.objects.get(pk=mine.pk).state == "done"


@pytest.mark.django_db
def test_a_family_without_contact_leaves_the_lists_for_the_recontact_list(world, today, client):
    lost = _household(world, "Famille Perdue")
    _tp(lost, 400, "attendance", activity=_activity(world))
    _tp(lost, 300, "peer_contact")
    _tp(lost, 10, "communication")  # the newsletter is no contact from the family
    near = _household(world, "Famille Proche")
    _tp(near, 20, "attendance", activity=_activity(world))
    with scopes_disabled():
        lost_tasks = set(Task.objects.filter(household=lost).values_list("pk", flat=True))
        near_tasks = set(Task.objects.filter(household=near).values_list("pk", flat=True))
    assert lost_tasks and near_tasks  # the journey proposes tasks for both
    client.force_login(world.user(Role.COORDINATOR))
    for url in ("/tasks/", "/tasks/board/"):
        shown = set(_cards(client.get(url).content.decode()))
        assert not shown & lost_tasks, url
        assert near_tasks <= shown, url
    page = client.get("/tasks/recontact/").content.decode()
    assert "Famille Perdue" in page and "Famille Proche" not in page
    day = (TODAY - timedelta(days=300)).strftime("%-d")
    assert re.search(rf"<td>{day} [^<]+ {TODAY.year - 1}</td>", page), "last contact from family"
    assert "1 famille à recontacter" in client.get("/tasks/").content.decode()
    # the family calls: it is back on the lists
    with time_machine.travel(TODAY, tick=False):
        _tp(lost, 0, "peer_contact")
    assert "Famille Perdue" not in client.get("/tasks/recontact/").content.decode()
