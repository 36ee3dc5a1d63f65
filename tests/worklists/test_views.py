"""Pages: my tasks (only one's own, nothing sensitive), the board, actions, matching."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.worklists.models import DigestPreference, SponsorMatch, Task
from tests.worklists.test_services import TODAY, _activity, _household, _peer_family, _tp


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture
def absent(world, today):
    peer, peer_user = _peer_family(world)
    h = _household(world, "Famille Absente", address="3 rue des Lilas", phone="0611223344")
    _tp(h, 50, "attendance", activity=_activity(world))
    _tp(h, 49, "support_opened", ref=5)
    task = Task.objects.get(household=h, rule="find_absent")
    return h, task, peer, peer_user


@pytest.mark.django_db
def test_peer_family_sees_only_its_task_with_what_it_needs(world, absent, client):
    h, task, peer, peer_user = absent
    client.force_login(peer_user)
    page = client.get("/tasks/").content.decode()
    assert "Aller chercher la famille absente" in page and "Famille Absente" in page
    assert "Faire le point sur l’accompagnement" not in page  # the social worker's task
    detail = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "3 rue des Lilas" in detail and "0611223344" in detail
    assert "Logement" not in detail and "Fiche du foyer" not in detail
    other = Task.objects.get(household=h, rule="support_followup")
    assert client.get(f"/tasks/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_visit_from_the_task_page(world, absent, client):
    h, task, peer, peer_user = absent
    client.force_login(peer_user)
    bad = client.post(
        f"/tasks/{task.pk}/",
        {"action": "visit", "visit-day": "", "visit-outcome": "met"},
    )
    assert bad.status_code == 400
    assert "Jour de la visite" in bad.content.decode()
    assert not peer.touchpoints.filter(kind="absent_visit").exists()
    ok = client.post(
        f"/tasks/{task.pk}/",
        {"action": "visit", "visit-day": TODAY.isoformat(), "visit-outcome": "met"},
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert peer.touchpoints.filter(kind="absent_visit", ref=h.pk).exists()


@pytest.mark.django_db
def test_htmx_done_dismiss_and_snooze(world, absent, client):
    h, task, peer, peer_user = absent
    client.force_login(world.user(Role.COORDINATOR))
    # dismiss without a reason: the field is named, nothing written
    r = client.post(f"/tasks/{task.pk}/", {"action": "dismiss", "dismiss-reason": ""})
    assert r.status_code == 400 and "Pourquoi cette tâche" in r.content.decode()
    task.refresh_from_db()
    assert task.state == Task.State.OPEN
    later = (TODAY + timedelta(days=5)).isoformat()
    r = client.post(f"/tasks/{task.pk}/", {"action": "snooze", "snooze-until": later})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.SNOOZED
    sponsor = Task.objects.get(household=h, rule="assign_sponsor")
    r = client.post(
        f"/tasks/{sponsor.pk}/", {"action": "done", "swap": "card"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "Fait" in r.content.decode()
    assert f'id="task-{sponsor.pk}"' in r.content.decode()
    sponsor.refresh_from_db()
    assert sponsor.state == Task.State.DONE


@pytest.mark.django_db
def test_only_managers_assign(world, absent, client):
    h, task, peer, peer_user = absent
    client.force_login(peer_user)
    r = client.post(f"/tasks/{task.pk}/", {"action": "assign", "assign-assignee": "u1"})
    assert r.status_code == 403
    client.force_login(world.user(Role.COORDINATOR))
    volunteer = world.user(Role.VOLUNTEER)
    r = client.post(
        f"/tasks/{task.pk}/", {"action": "assign", "assign-assignee": f"u{volunteer.pk}"}
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.assignee_user == volunteer and task.assignee_household is None


@pytest.mark.django_db
def test_board_by_stage_and_neighbourhood_with_overdue(
    world, absent, client, django_assert_max_num_queries
):
    h, task, peer, peer_user = absent
    client.force_login(world.user(Role.COORDINATOR))
    with django_assert_max_num_queries(12):
        page = client.get("/tasks/board/").content.decode()
    assert "Famille Absente" in page and "Découverte" in page
    page = client.get("/tasks/board/?by=neighbourhood&neighbourhood=Les+Tilleuls").content.decode()
    assert "Les Tilleuls" in page
    Task.objects.filter(pk=task.pk).update(due=TODAY - timedelta(days=1))
    assert "En retard" in client.get("/tasks/board/").content.decode()


@pytest.mark.django_db
def test_my_tasks_query_count(world, absent, client, django_assert_max_num_queries):
    client.force_login(world.user(Role.COORDINATOR))
    with django_assert_max_num_queries(12):
        assert client.get("/tasks/").status_code == 200


@pytest.mark.django_db
def test_preferences(world, client, today):
    user = world.user(Role.VOLUNTEER)
    client.force_login(user)
    assert "adresse électronique" in client.get("/tasks/preferences/").content.decode()
    r = client.post("/tasks/preferences/", {"daily_digest": "on", "language": "en"})
    assert r.status_code == 302
    pref = DigestPreference.objects.get(user=user)
    assert pref.daily_digest and pref.language == "en"


@pytest.mark.django_db
def test_matching_page_proposes_and_accepts(world, client, today):
    peer, _u = _peer_family(world)
    h = _household(world, "Famille Nouvelle")
    _tp(h, 1, "attendance", activity=_activity(world))  # discovery without a sponsor
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get("/tasks/matching/").content.decode()
    assert "Famille Nouvelle" in page and "même quartier (Les Tilleuls)" in page
    r = client.post("/tasks/matching/", {"household": h.pk, "sponsor": f"h{peer.pk}"})
    assert r.status_code == 302
    match = SponsorMatch.objects.get(household=h)
    assert match.sponsor_household == peer and match.score > 0
    assert h.touchpoints.filter(kind="sponsor_assigned", ref=match.sponsorship_ref).exists()
    # the "assign a sponsor" task closed by itself
    assert Task.objects.get(household=h, rule="assign_sponsor").state == Task.State.CLOSED
    # the family is full now (capacity 1): not proposed again
    other = _household(world, "Famille Autre")
    _tp(other, 1, "attendance", activity=_activity(world))
    r = client.post("/tasks/matching/", {"household": other.pk, "sponsor": f"h{peer.pk}"})
    assert r.status_code == 400


@pytest.mark.django_db
def test_the_sponsor_is_asked_when_usage_is_about_to_lapse(world, client, today):
    h = _household(world, "Famille Nouvelle")
    act = _activity(world)
    _tp(h, 56, "attendance", activity=act)  # discovery, no sponsor
    client.force_login(world.user(Role.COORDINATOR))
    volunteer = world.user(Role.VOLUNTEER)
    r = client.post("/tasks/matching/", {"household": h.pk, "sponsor": f"u{volunteer.pk}"})
    assert r.status_code == 302, r.content.decode()[-3000:]
    # three attendances 55..53 days ago: usage, which lapses in 5 days unless they come
    for d in (55, 54, 53):
        _tp(h, d, "attendance", activity=act)
    lapse = Task.objects.get(household=h, rule="lapse_soon", state=Task.State.OPEN)
    assert lapse.assignee_user == volunteer
    client.force_login(volunteer)
    assert "Encourager la famille à revenir" in client.get("/tasks/").content.decode()
    assert Membership.objects.get(user=volunteer).role == Role.VOLUNTEER


@pytest.mark.django_db
def test_household_page_lists_its_tasks_without_support_ones_for_volunteers(world, absent, client):
    h, task, peer, peer_user = absent
    client.force_login(world.user(Role.VOLUNTEER))
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert "Tâches pour cette famille" in page and "Aller chercher la famille absente" in page
    assert "Faire le point sur l’accompagnement" not in page
    client.force_login(world.user(Role.SOCIAL_WORKER))
    assert (
        "Faire le point sur l’accompagnement" in client.get(f"/households/{h.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_htmx_from_the_task_page_swaps_errors_and_redirects_on_success(world, absent, client):
    h, task, peer, peer_user = absent
    client.force_login(world.user(Role.COORDINATOR))
    r = client.post(
        f"/tasks/{task.pk}/", {"action": "dismiss", "dismiss-reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and 'id="task-actions"' in r.content.decode()
    assert "Pourquoi cette tâche" in r.content.decode()
    r = client.post(
        f"/tasks/{task.pk}/",
        {"action": "dismiss", "dismiss-reason": "Déjà revenue", "next": "https://evil.example/"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 204 and r["HX-Redirect"] == "/tasks/"
    task.refresh_from_db()
    assert task.state == Task.State.DISMISSED and task.state_reason == "Déjà revenue"


@pytest.mark.django_db
def test_sponsor_capacity_and_availability_from_the_matching_page(world, client, today):
    from parcours.worklists.models import SponsorProfile

    peer, _u = _peer_family(world)
    h = _household(world, "Famille Nouvelle")
    _tp(h, 1, "attendance", activity=_activity(world))
    client.force_login(world.user(Role.COORDINATOR))
    r = client.post(
        "/tasks/matching/", {"action": "profile", "sponsor": f"h{peer.pk}", "capacity": "99"}
    )
    assert r.status_code == 400 and "entre 0 et 20" in r.content.decode()
    assert not SponsorProfile.objects.exists()
    volunteer = world.user(Role.VOLUNTEER)
    r = client.post(
        "/tasks/matching/",
        {"action": "profile", "sponsor": f"u{volunteer.pk}", "capacity": "2", "available": "on",
         "neighbourhood": "Les Tilleuls", "languages": "AR, ta"},
    )  # fmt: skip
    assert r.status_code == 302
    profile = SponsorProfile.objects.get(user=volunteer)
    assert profile.capacity == 2 and profile.languages == ["ar", "ta"]
    # the family is not available any more: the volunteer is proposed instead
    r = client.post(
        "/tasks/matching/", {"action": "profile", "sponsor": f"h{peer.pk}", "capacity": "1"}
    )
    assert r.status_code == 302
    page = client.get("/tasks/matching/").content.decode()
    assert f'<option value="h{peer.pk}"' not in page
    r = client.post("/tasks/matching/", {"household": h.pk, "sponsor": f"h{peer.pk}"})
    assert r.status_code == 400


@pytest.mark.django_db
def test_matching_explains_in_words_and_accepts_several_at_once(world, client, today):
    from parcours.worklists.models import SponsorProfile

    peer, _u = _peer_family(world)
    for m in Membership.objects.filter(association=world.a, role=Role.VOLUNTEER):
        SponsorProfile.objects.create(association=world.a, user=m.user, capacity=0)
    volunteer = world.user(Role.VOLUNTEER)
    SponsorProfile.objects.filter(user=volunteer).update(capacity=2)
    for name in ("Famille Une", "Famille Deux", "Famille Trois", "Famille Quatre"):
        h = _household(world, name)
        _tp(h, 1, "attendance", activity=_activity(world))
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get("/tasks/matching/").content.decode()
    # three sponsor places (the family 1, the volunteer 2): three proposals, no raw score
    ticks = [int(x) for x in re.findall(r'name="household" value="(\d+)" form="accept-many"', page)]
    assert len(ticks) == 3
    assert not re.search(r"score \d|[(\s]-\d+\b|\+\d+\b", page), "no raw score or points"
    assert "accompagne 0 sur 1" in page and "accompagne 0 sur 2" in page
    # the volunteer's second proposal is lighter for the first one on this page, which the
    # volunteer does not accompany yet: said so, never "already accompanies"
    assert "aussi proposé à 1 autre famille de cette page" in page
    assert "accompagne déjà 1" not in page
    # tick two: both accepted, the others still waiting
    r = client.post("/tasks/matching/", {"action": "accept_many", "household": ticks[:2]})
    assert r.status_code == 302
    assert set(SponsorMatch.objects.values_list("household_id", flat=True)) == set(ticks[:2])
    # a ticked family that has no proposal any more: refused, nothing written
    r = client.post("/tasks/matching/", {"action": "accept_many", "household": ticks[:1]})
    assert r.status_code == 400
    assert SponsorMatch.objects.count() == 2
    # accept all: the one place left goes to one more family, then every place is taken
    r = client.post("/tasks/matching/", {"action": "accept_all"})
    assert r.status_code == 302
    assert SponsorMatch.objects.count() == 3
    page = client.get("/tasks/matching/").content.decode()
    assert 'form="accept-many"' not in page and "Aucun parrain n’a plus de place" in page


@pytest.mark.django_db
def test_matching_without_room_preselects_nobody(world, client, today):
    from parcours.worklists.models import SponsorProfile

    peer, _u = _peer_family(world)  # one place
    for m in Membership.objects.filter(association=world.a, role=Role.VOLUNTEER):
        SponsorProfile.objects.create(association=world.a, user=m.user, capacity=0)
    for name in ("Famille Une", "Famille Deux"):
        h = _household(world, name)
        _tp(h, 1, "attendance", activity=_activity(world))
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get("/tasks/matching/").content.decode()
    assert page.count('form="accept-many"') == 1  # one family gets the only place
    assert "déjà proposé" in page  # the other is told why, and nothing is pre-selected
    assert "— choisir un parrain —" in page
