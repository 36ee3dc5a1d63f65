"""Each of the ten stages: the act that makes it, recorded through the web by the role that does
it, moves the household's stage and its reason on the household page (issue 4, acceptance).

The history up to the stage before is written with services at a frozen date, so that every
window is deterministic; then the stage's own act goes through the real URL and form, and the
household page is read back as the user sees it (French by default).
"""

from __future__ import annotations

import html
import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from parcours.households import services as hs
from tests.basis import BASIS
from tests.journal import log_touchpoint

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-03-10 12:00:00+01:00", tick=False)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def family(world):
    with scopes_disabled():
        return hs.household_create(
            actor=None, association=world.a, name="Famille Nouvelle", neighbourhood="Le Parc",
            lawful_basis=BASIS,
        )  # fmt: skip


def record(household, *kinds_and_days, activity=None):
    with scopes_disabled():
        for kind, days in kinds_and_days:
            log_touchpoint(
                actor=None, household=household, day=ago(days), kind=kind,
                activity=activity if kind == "attendance" else None,
            )  # fmt: skip


def placement(client, household) -> tuple[str | None, str | None, str]:
    """(stage key, stage label, reason sentence) as the household page shows them."""
    page = client.get(f"/households/{household.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    badge = re.search(
        r'<p class="current-stage"><span class="stage-badge stage-(\w+)">([^<]+)</span>', body
    )
    reason = re.search(r'<p class="placement-reason">(.*?)</p>', body, re.S)
    return (
        badge.group(1) if badge else None,
        html.unescape(badge.group(2)) if badge else None,
        html.unescape(reason.group(1)).strip() if reason else "",
    )


def assert_moves(client, household, act, *, before: str | None, after: str, label: str, why):
    """The page shows `before`, `act()` is done through the web, the page shows `after`."""
    stage, _label, sentence_before = placement(client, household)
    assert stage == before
    act()
    stage, shown, sentence = placement(client, household)
    assert (stage, shown) == (after, label)
    assert sentence == f"{label} : {why}", sentence
    assert sentence != sentence_before


def _session(world, activity, day=TODAY):
    from parcours.activities import services

    with scope(association=[world.a.pk]):
        return services.session_create(
            actor=world.user(Role.COORDINATOR), activity=activity, day=day,
            start_time=time(14, 0),
        )  # fmt: skip


def mark_present(client, session, household):
    """One tap on the attendance sheet, as the phone sends it (htmx, with its mark id)."""
    assert client.get(f"/activities/sessions/{session.pk}/").status_code == 200
    r = client.post(
        f"/activities/sessions/{session.pk}/marks/",
        {"household": household.pk, "status": "present", "mark_id": f"m-{household.pk}",
         "base_version": 0, "intent_at": int(timezone.now().timestamp() * 1000)},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert r.status_code == 200 and r["X-Mark-Outcome"] == "applied", r.content


def posted(response):
    assert response.status_code == 302, getattr(response, "context", {}) and (
        response.context.get("form").errors if response.context.get("form") else response
    )


# --- 1. awareness: a volunteer reaches the family during a proximity action -----------------


def test_awareness_outreach_by_a_volunteer(world, family, login):
    client = login(world.user(Role.VOLUNTEER))

    def act():
        r = client.post(
            "/outreach/new/",
            {"day": TODAY.isoformat(), "place": "Place du marché", "channel": "street_stand",
             "neighbourhood": "Les Tilleuls", "team": [world.user(Role.VOLUNTEER).pk]},
        )  # fmt: skip
        posted(r)
        action = re.search(r"/outreach/(\d+)/", r["Location"]).group(1)
        posted(client.post(f"/outreach/{action}/reached/", {"household": family.pk}))

    assert_moves(
        client, family, act, before=None, after="awareness", label="Sensibilisation",
        why="Rencontrée lors d’une action de proximité le 10 mars 2026",
    )  # fmt: skip


# --- 2. research: the family asks for information, at the front desk -------------------------


def test_research_information_request_by_a_coordinator(world, family, login):
    record(family, ("outreach_contact", 20))
    client = login(world.user(Role.COORDINATOR))
    url = f"/frontdesk/requests/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "day": TODAY.isoformat(), "channel": "phone",
                          "subject": "Les ateliers"})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="awareness", after="research", label="Recherche",
        why="A demandé des informations le 10 mars 2026",
    )  # fmt: skip


# --- 3. selection: a volunteer puts the family in touch with a peer family -------------------


def test_selection_peer_contact_by_a_volunteer(world, family, login):
    record(family, ("outreach_contact", 30), ("info_request", 20))
    with scopes_disabled():
        peer = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Paire"
        )
    client = login(world.user(Role.VOLUNTEER))
    url = f"/frontdesk/peer-contacts/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "day": TODAY.isoformat(),
                          "peer_household": peer.pk})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="research", after="selection", label="Sélection",
        why="A rencontré une famille paire le 10 mars 2026",
    )  # fmt: skip


def test_selection_appointment_by_a_coordinator(world, family, login):
    record(family, ("outreach_contact", 30), ("info_request", 20))
    client = login(world.user(Role.COORDINATOR))
    url = f"/frontdesk/appointments/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "starts_at": f"{TODAY.isoformat()}T15:00"})
    )
    assert_moves(
        client, family, act, before="research", after="selection", label="Sélection",
        why="A pris rendez-vous le 10 mars 2026",
    )  # fmt: skip


# --- 4. acquisition: the welcome visit -----------------------------------------------------


def test_acquisition_welcome_visit_by_a_coordinator(world, family, login):
    record(family, ("outreach_contact", 40), ("info_request", 30), ("appointment_booked", 20))
    client = login(world.user(Role.COORDINATOR))
    url = f"/frontdesk/welcome-visits/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "day": TODAY.isoformat(),
                          "reception": "Accueil au local", "listening_notes": "Écoute"})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="selection", after="acquisition", label="Acquisition",
        why="Visite d’accueil le 10 mars 2026",
    )  # fmt: skip


# --- 5. discovery: first attendance, marked by a volunteer on the sheet ---------------------


def test_discovery_first_attendance_on_the_sheet(world, family, activities, login):
    record(family, ("info_request", 40), ("appointment_booked", 30), ("intake_visit", 20))
    session = _session(world, activities[0])
    client = login(world.user(Role.VOLUNTEER))
    assert_moves(
        client, family, lambda: mark_present(client, session, family), before="acquisition",
        after="discovery", label="Découverte",
        why="A participé à une activité le 10 mars 2026",
    )  # fmt: skip


# --- 6. usage: a coordinator welcomes the family into a group of families -------------------


def test_usage_group_join_by_a_coordinator(world, family, activities, login):
    record(family, ("intake_visit", 40), ("attendance", 20), activity=activities[0])
    client = login(world.user(Role.COORDINATOR))
    r = client.post("/community/groups/new/", {"name": "Parents du quartier"})
    posted(r)
    group = r["Location"].rstrip("/").split("/")[-1]
    act = lambda: posted(  # noqa: E731
        client.post(f"/community/groups/{group}/join/",
                    {"household": family.pk, "start": TODAY.isoformat()})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="discovery", after="usage", label="Utilisation",
        why="Dans un groupe de familles depuis le 10 mars 2026",
    )  # fmt: skip


# --- 7. maintenance: a social worker opens a support case after a breakdown -----------------


def test_maintenance_support_case_by_a_social_worker(world, family, activities, login):
    record(family, ("intake_visit", 50), *[("attendance", d) for d in (40, 30, 20)],
           activity=activities[0])  # fmt: skip
    client = login(world.user(Role.SOCIAL_WORKER))
    url = f"/support/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "opened_on": TODAY.isoformat(),
                          "reason": "Perte du logement"})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="usage", after="maintenance", label="Maintenance",
        why="Accompagnement en cours depuis le 10 mars 2026",
    )  # fmt: skip


# --- 8. loyalty: the eighth attendance in two activities, on the sheet ----------------------


def test_loyalty_eighth_attendance_on_the_sheet(world, family, activities, login):
    cafe, cuisine = activities
    record(family, ("intake_visit", 100))
    for i, days in enumerate((70, 60, 50, 40, 30, 20, 10)):
        record(family, ("attendance", days), activity=(cafe, cuisine)[i % 2])
    session = _session(world, cafe)
    client = login(world.user(Role.VOLUNTEER))
    assert_moves(
        client, family, lambda: mark_present(client, session, family), before="usage",
        after="loyalty", label="Fidélisation",
        why="8 présences dans 2 activités ces 90 derniers jours "
        "(l’étape en demande 8 dans 2 activités)",
    )  # fmt: skip


def _loyal(family, activities):
    cafe, cuisine = activities
    for i, days in enumerate((80, 70, 60, 50, 40, 30, 20, 10)):
        record(family, ("attendance", days), activity=(cafe, cuisine)[i % 2])


# --- 9. recommendation: the family brings another one, or visits an absent family -----------


def test_recommendation_referral_by_a_coordinator(world, family, activities, login):
    _loyal(family, activities)
    client = login(world.user(Role.COORDINATOR))
    url = f"/community/referrals/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "day": TODAY.isoformat(),
                          "new-name": "Famille Voisine", "new-purposes": "follow_up",
                          "new-consent_day": TODAY.isoformat()})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="loyalty", after="recommendation", label="Recommandation",
        why="A amené une autre famille le 10 mars 2026",
    )  # fmt: skip


def test_recommendation_absent_visit_by_a_volunteer(world, family, activities, login):
    _loyal(family, activities)
    with scopes_disabled():
        absent = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Absente"
        )
    record(absent, ("attendance", 120), activity=activities[0])
    client = login(world.user(Role.VOLUNTEER))
    url = f"/community/absent-visits/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "visited": absent.pk,
                          "day": TODAY.isoformat(), "outcome": "met"})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="loyalty", after="recommendation", label="Recommandation",
        why="A rendu visite à une famille absente le 10 mars 2026",
    )  # fmt: skip


# --- 10. engagement: a role in the association, or a project, recorded by a coordinator -----


def test_engagement_role_by_a_coordinator(world, family, activities, login):
    _loyal(family, activities)
    record(family, ("referral_made", 5))
    client = login(world.user(Role.COORDINATOR))
    url = f"/community/roles/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "kind": "committee_member",
                          "start": TODAY.isoformat()})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="recommendation", after="engagement", label="Engagement",
        why="A un rôle dans l’association depuis le 10 mars 2026",
    )  # fmt: skip


def test_engagement_project_by_a_coordinator(world, family, activities, login):
    _loyal(family, activities)
    record(family, ("referral_made", 5))
    client = login(world.user(Role.COORDINATOR))
    url = f"/community/projects/new/?household={family.pk}"
    act = lambda: posted(  # noqa: E731
        client.post(url, {"household": family.pk, "day": TODAY.isoformat(),
                          "title": "Jardin partagé", "description": "Un potager"})
    )  # fmt: skip
    assert_moves(
        client, family, act, before="recommendation", after="engagement", label="Engagement",
        why="A proposé un projet le 10 mars 2026",
    )  # fmt: skip


# --- a windowed stage lapses back when its window passes ------------------------------------


def test_usage_lapses_back_to_discovery_after_60_days_without_attendance(
    world, family, activities, login, time_machine
):
    from parcours.journey.recompute import journey_recompute

    record(family, ("intake_visit", 40), ("attendance", 20), ("attendance", 10),
           activity=activities[0])  # fmt: skip
    session = _session(world, activities[0])
    client = login(world.user(Role.VOLUNTEER))
    assert_moves(
        client, family, lambda: mark_present(client, session, family), before="discovery",
        after="usage", label="Utilisation",
        why="3 présences à Café des parents ces 60 derniers jours (l’étape en demande 3)",
    )  # fmt: skip
    # The first of the three leaves the 60-day window 60 days after it: the page says so.
    body = client.get(f"/households/{family.pk}/").content.decode()
    assert "Utilisation prend fin le 19 avril 2026 si la famille ne revient pas." in body
    time_machine.move_to("2026-04-19 08:00:00+02:00", tick=False)
    journey_recompute(association=world.a, only_due=True)  # the daily run
    client = login(world.user(Role.VOLUNTEER))  # a new day, a new sign-in
    stage, label, sentence = placement(client, family)
    assert (stage, label) == ("discovery", "Découverte")
    body = client.get(f"/households/{family.pk}/").content.decode()
    assert "prend fin le" not in body
    # The step back is in the timeline, apart from the touchpoints.
    assert 'class="stage-change"' in body and "retour en arrière" in body
