"""Differential support test: two associations built alike, the same households with the same
touchpoints, except that in one of them two households have a support case (one open with a
follow-up, one past), made through the support service. For the volunteer, the peer family and
the board, every route (and every link, fragment and export the pages offer) answers the same
in both, ids and the associations' own names masked: support leaves no trace they can see.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from tests.accounts.test_access import URL_KWARGS
from tests.basis import BASIS, COVERED
from tests.conftest import World
from tests.security.crawl import Crawl, seed_urls

pytestmark = pytest.mark.django_db

READERS = (Role.VOLUNTEER, Role.PEER_FAMILY, Role.BOARD)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _build(slug: str, with_support: bool):
    """One association: a peer family P (at recommendation), the family H it is asked to find
    (three sessions long ago, absent since), a neutral household N for the other routes."""
    from parcours.activities import services as activities
    from parcours.community import services as community
    from parcours.households import services as hs
    from parcours.support import services as support
    from parcours.worklists.models import Task
    from parcours.worklists.regenerate import tasks_regenerate_many

    today = timezone.localdate()
    assoc = Association.objects.create(name=f"Association {slug}", slug=slug)
    users = {}
    for role in (Role.COORDINATOR, *READERS):
        user = get_user_model().objects.create_user(f"{role}-{slug}", password="x")
        users[("a", role)] = user
        Membership.objects.create(user=user, association=assoc, role=role)

    def family(name, **kw):
        return hs.household_create(lawful_basis=BASIS, allow_duplicate=True,
            actor=None, association=assoc, name=name, neighbourhood="Centre",
            address="1 rue des Lilas", phone="0601020304", **kw,
        )  # fmt: skip

    p, friend = family("Famille Paire"), family("Famille Amie")
    community.referral_record(
        actor=None, referrer=p, day=today - timedelta(days=10), referred=friend
    )
    Membership.objects.filter(user=users[("a", Role.PEER_FAMILY)]).update(household=p)
    h = family("Famille Suivie")
    activity = activities.activity_create(
        actor=None, association=assoc, name="Atelier cuisine", category="activity"
    )
    for days in (100, 95, 90):
        session = activities.session_create(
            actor=None, activity=activity, day=today - timedelta(days=days), start_time=time(14)
        )
        activities.attendance_mark(actor=None, session=session, household=h, status="present")
    neutral = hs.household_create(
        lawful_basis=BASIS,
        allow_duplicate=True,
        actor=None,
        association=assoc,
        name="Famille Neutre",
        neighbourhood="Sud",
    )
    cases = []
    if with_support:
        case = support.support_case_open(
            actor=None, household=h, opened_on=today - timedelta(days=60), reason="Dettes"
        )
        support.support_followup_add(
            actor=None, case=case, day=today - timedelta(days=30), note="Appel"
        )
        past = support.support_case_open(
            actor=None, household=p, opened_on=today - timedelta(days=40), reason="Logement"
        )
        support.support_case_close(
            actor=None, case=past, closed_on=today - timedelta(days=20), outcome="resolved"
        )
        cases = [case, past]
    tasks_regenerate_many(association=assoc)
    person = hs.person_add(
        lawful_basis=COVERED, actor=None, household=neutral, first_name="Léa", relation="parent"
    )
    world = World(assoc, assoc, users, neutral, neutral, person, None)
    world.session = session
    world.activity = activity
    world.households = [h, p]
    world.cases = cases
    world.tasks = list(Task.objects.filter(household=h).order_by("rule"))
    return world


class _Missing:
    pk = 987654  # an id nothing has: "a task that does not exist"


def _objects(world, other, role):
    """(key, route) -> the objects of ``world`` to try; ``other`` is the twin world, so that an
    object only one of them has (a support case, a support task) meets a missing id."""

    def found(key, name):
        if key == "pk":
            return world.households
        if key == "activity_pk":
            return [world.activity]
        if key == "session_pk":
            return [world.session]
        if key == "case_pk":
            return (world.cases or [_Missing] * len(other.cases))[:2]
        if key == "task_pk":
            mine = {t.rule: t for t in world.tasks}
            theirs = {t.rule for t in other.tasks}
            return [mine.get(rule, _Missing) for rule in sorted(set(mine) | theirs)]
        factory = URL_KWARGS.get(key)
        return [factory(world, "a")] if factory else []

    return found


def _masked(text: str, world) -> str:
    """Ids and tokens out; the association's name and slug and its users' names out."""
    for (_, role), user in world.users.items():
        text = text.replace(user.username, f"<{role}>")
    text = text.replace(world.a.name, "<association>").replace(world.a.slug, "<slug>")
    text = re.sub(r"[A-Za-z0-9]{32,}", "<token>", text)  # csrf tokens
    text = re.sub(r"pc_[A-Za-z0-9_-]+", "pc_<token>", text)  # API token prefixes (random)
    text = re.sub(r"(/)\d+(?=[/?\"'#]|$)", r"\1<id>", text)  # ids in paths
    # ids in attributes: values, element ids, htmx targets, ?household=...
    text = re.sub(
        r'((?:value|id|for|aria-[\w-]+|hx-[\w-]+|data-[\w-]+|href)="[^"]*?)\d+', r"\1<id>", text
    )
    text = re.sub(r"((?:household|task|case|pk)[=-])\d+", r"\1<id>", text)
    return text


def test_support_cases_leave_no_trace_for_volunteer_peer_family_and_board(
    client, capsys, monkeypatch
):
    # the twins are alike on purpose: the duplicate check (run across associations when no
    # request scope is active) would refuse the second one's families
    monkeypatch.setattr("parcours.households.services.household_duplicates", lambda **kwargs: [])
    with time_machine.travel(NOW, tick=False), scopes_disabled():
        supported = _build("twinone", with_support=True)
        plain = _build("twintwo", with_support=False)
    # the twins differ where they should: the full journey of H is Maintenance, in support
    from parcours.journey.models import HouseholdJourney

    with scopes_disabled():
        h = supported.households[0]
        assert HouseholdJourney.objects.get(household=h, audience="sensitive").stage == (
            "maintenance"
        )
        assert HouseholdJourney.objects.get(household=plain.households[0]).audience == "all"
        # the peer family was asked to find H in both
        assert any(t.rule == "find_absent" and t.assignee_household_id for t in supported.tasks)
    compared, differences = 0, []
    for role in READERS:
        answers = []
        for world, twin in ((supported, plain), (plain, supported)):
            client.logout()
            client.force_login(world.user(role))
            with time_machine.travel(NOW, tick=False), scopes_disabled():
                urls = [u for _n, u in seed_urls(_objects(world, twin, role))]
            with time_machine.travel(NOW, tick=False):
                fetches = Crawl(client, search="Famille", limit=80).run(urls)
            answers.append([(f.status, _masked(f.url, world), _masked(repr(f.headers), world),
                             _masked(f.body, world)) for f in fetches])  # fmt: skip
        with_support, without = answers
        assert len(with_support) == len(without), (role, len(with_support), len(without))
        for a, b in zip(with_support, without, strict=True):
            compared += 1
            if a != b:
                differences.append((role, a[1], b[1], a[0], b[0], _first_difference(a[3], b[3])))
    with capsys.disabled():
        print(f"\nsupport differential: {compared} responses compared, {len(differences)} differ")
    assert not differences, "\n".join(map(str, differences[:10]))


def _first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"...{a[max(0, i - 80) : i + 80]!r} != {b[max(0, i - 80) : i + 80]!r}"
