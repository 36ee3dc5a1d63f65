"""The household page's timeline: touchpoints and stage changes together, filtered by kind
group in the URL, shown 20 at a time, with the same number of queries whatever the history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.households import selectors
from parcours.households.models import TouchpointKind
from tests.journal import log_touchpoint


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-03-10 12:00:00+01:00", tick=False)


TODAY = date(2026, 3, 10)


def _history(household, activity, n: int):
    """n attendances (the stage climbs), a support case and a communication."""
    with scopes_disabled():
        log_touchpoint(actor=None, household=household, day=TODAY - timedelta(days=2 * n + 5),
                             kind="info_request")  # fmt: skip
        for i in range(n):
            log_touchpoint(
                actor=None, household=household, day=TODAY - timedelta(days=2 * (n - i)),
                kind="attendance", activity=activity, note=f"note {i}",
            )  # fmt: skip
        log_touchpoint(actor=None, household=household, day=TODAY, kind="support_opened",
                             ref=7)  # fmt: skip
        log_touchpoint(actor=None, household=household, day=TODAY, kind="communication")


def test_every_kind_belongs_to_one_group():
    grouped = [k for kinds in selectors.KIND_GROUPS.values() for k in kinds]
    assert sorted(grouped) == sorted(TouchpointKind.values)


@pytest.mark.parametrize("n", [5, 60])
def test_household_page_queries_do_not_grow_with_the_history(
    world, client, django_assert_max_num_queries, n
):
    _history(world.household_a, world.touchpoint_a.activity, n)
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/"
    client.get(url)  # warm the session and the journey definition
    # 24, the consent panel, the journey bar's touchpoints (what would move the family next) and
    # the association's current journey version, and the merges
    with django_assert_max_num_queries(28):
        page = client.get(url)
    assert page.status_code == 200
    with django_assert_max_num_queries(13):  # and the merges
        partial = client.get(url + "?filtered=1&show=activities&page=3", HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="timeline")  # fmt: skip
    assert partial.status_code == 200


def test_stage_changes_and_touchpoints_are_interleaved_newest_first(world, client):
    _history(world.household_a, world.touchpoint_a.activity, 3)
    client.force_login(world.user(Role.COORDINATOR))
    body = client.get(f"/households/{world.household_a.pk}/").content.decode()
    timeline = body[body.index('id="timeline"') :]
    # the third attendance (2 days ago) made usage: the change is listed just above it
    usage = timeline.index('class="stage-badge stage-usage"')
    third = timeline.index("A participé à une activité", usage)
    assert "08/03/2026" in timeline[usage - 300 : usage] or "8 mars 2026" in timeline[usage - 300 :]
    assert timeline.index("Accompagnement ouvert") < usage < third  # today's is newer
    assert timeline.count('class="stage-change"') == 3  # discovery (5 Jan), usage, maintenance


def test_the_filter_is_in_the_url_and_answers_htmx_with_the_timeline_only(world, client):
    _history(world.household_a, world.touchpoint_a.activity, 3)
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/?filtered=1&show=stages"
    full = client.get(url).content.decode()
    assert 'value="stages" checked' in full and 'value="activities" checked' not in full
    r = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="timeline"') and "<html" not in body
    assert body.count('class="stage-change"') == 3
    assert "<li><time" not in body  # no touchpoint entry
    body = client.get(url.replace("stages", "communications")).content.decode()
    timeline = body[body.index('id="timeline"') :]
    assert "Communication" in timeline and 'class="stage-change"' not in timeline
    empty = client.get(f"/households/{world.household_a.pk}/?filtered=1").content.decode()
    assert "Cochez au moins un type" in empty


def test_show_more_twenty_at_a_time(world, client):
    _history(world.household_a, world.touchpoint_a.activity, 30)
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/?filtered=1&show=activities"
    body = client.get(url).content.decode()
    assert body.count("A participé à une activité") == 20
    assert "page=2" in body and "Voir plus" in body
    body = client.get(url + "&page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    body = body.content.decode()
    assert body.count("A participé à une activité") == 31  # 30 + the world's first one
    assert "Voir plus" not in body
    assert client.get(url + "&page=x").status_code == 200


def test_a_volunteer_gets_no_support_filter_nor_support_entries(world, client):
    _history(world.household_a, world.touchpoint_a.activity, 3)
    client.force_login(world.user(Role.VOLUNTEER))
    url = f"/households/{world.household_a.pk}/"
    for u in (url, url + "?filtered=1&show=support", url + "?filtered=1&show=support&show=stages"):
        body = client.get(u).content.decode()
        assert 'value="support"' not in body
        assert "Accompagnement ouvert" not in body and "note 1" not in body
    # the journey computed without the support case: usage, never Maintenance
    assert "Maintenance" not in body and 'class="stage-badge stage-usage"' in body
    client.force_login(world.user(Role.SOCIAL_WORKER))
    body = client.get(url + "?filtered=1&show=support").content.decode()
    assert 'value="support" checked' in body and "Accompagnement ouvert" in body


def test_the_sponsor_is_at_the_top(world, client):
    from parcours.community import services as cs

    with scopes_disabled():
        cs.sponsorship_start(
            actor=None, household=world.household_a, start=TODAY,
            sponsor_user=world.user(Role.VOLUNTEER),
        )  # fmt: skip
    client.force_login(world.user(Role.VOLUNTEER))
    body = client.get(f"/households/{world.household_a.pk}/").content.decode()
    top = body[: body.index('id="journey-title"')]
    assert "Parrain ou marraine :" in top and "volunteer-a, depuis le 10/03/2026" in top
