from __future__ import annotations

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.frontdesk import services
from parcours.frontdesk.models import InfoRequest, IntakeVisit
from parcours.households.models import Household
from tests.basis import BASIS

TODAY = timezone.localdate


def _visit(world):
    with scope(association=[world.a.pk]):
        return services.intake_visit_record(
            actor=None, association=world.a, household=world.household_a, day=TODAY(),
            reception="Café offert", listening_notes="Secret listening note",
            needs="Secret needs",
        )  # fmt: skip


def test_volunteer_never_sees_listening_notes(world, login):
    visit = _visit(world)
    client = login(world.user("volunteer"))
    for url in (
        f"/frontdesk/welcome-visits/{visit.pk}/",
        f"/households/{world.household_a.pk}/",
        "/frontdesk/",
        "/frontdesk/?q=Secret",
        "/households/?q=Secret",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert b"Secret listening note" not in r.content, url
        assert b"Secret needs" not in r.content, url
    assert b"Caf\xc3\xa9 offert" in client.get(f"/frontdesk/welcome-visits/{visit.pk}/").content
    # the intake form does not even offer the fields to a volunteer
    form = client.get(f"/frontdesk/welcome-visits/new/?household={world.household_a.pk}")
    assert b"listening_notes" not in form.content


def test_volunteer_cannot_write_listening_notes_by_posting_them(world, login):
    client = login(world.user("volunteer"))
    r = client.post(
        "/frontdesk/welcome-visits/new/",
        {"household": world.household_a.pk, "day": TODAY().isoformat(),
         "listening_notes": "Injected", "needs": "Injected"},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        visit = IntakeVisit.objects.get()
    assert visit.listening_notes == "" and visit.needs == ""


def test_social_worker_sees_listening_notes(world, login):
    visit = _visit(world)
    client = login(world.user("social_worker"))
    assert b"Secret listening note" in client.get(f"/frontdesk/welcome-visits/{visit.pk}/").content


def test_info_request_with_new_household_through_the_web(world, login):
    client = login(world.user("volunteer"))
    r = client.post(
        "/frontdesk/requests/new/",
        {"day": TODAY().isoformat(), "channel": "phone", "subject": "Activités",
         "new-name": "Famille Sow", "new-purposes": "follow_up",
         "new-consent_day": TODAY().isoformat()},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        req = InfoRequest.objects.get()
    assert req.household.name == "Famille Sow"
    assert req.touchpoint.kind == "info_request"


def test_bad_input_names_fields_and_nothing_partial(world, login):
    client = login(world.user("volunteer"))
    r = client.post(
        "/frontdesk/requests/new/",
        {"day": "pas une date", "channel": "peer", "new-name": "Famille Sow",
         "new-purposes": "follow_up", "new-consent_day": TODAY().isoformat()},
    )  # fmt: skip
    assert r.status_code == 200
    assert "day" in r.context["form"].errors
    with scopes_disabled():
        assert not Household.objects.filter(name="Famille Sow").exists()
    # consent missing on the new family: named on the quick-add form
    r = client.post(
        "/frontdesk/requests/new/",
        {"day": TODAY().isoformat(), "channel": "web", "new-name": "Famille Sow"},
    )
    assert "purposes" in r.context["new_form"].errors
    with scopes_disabled():
        assert not Household.objects.filter(name="Famille Sow").exists()
        assert not InfoRequest.objects.exists()


def test_duplicate_is_proposed_and_can_be_chosen(world, login):
    client = login(world.user("coordinator"))
    data = {"day": TODAY().isoformat(), "channel": "web", "new-name": "Martin",
            "new-neighbourhood": "Les Tilleuls", "new-purposes": "follow_up",
            "new-consent_day": TODAY().isoformat()}  # fmt: skip
    r = client.post("/frontdesk/requests/new/", data)
    assert r.status_code == 200 and r.context["matches"][0].household == world.household_a
    r = client.post("/frontdesk/requests/new/", data | {"household": world.household_a.pk})
    assert r.status_code == 302
    with scopes_disabled():
        assert InfoRequest.objects.get().household == world.household_a


def test_peer_contact_and_appointment_through_the_web(world, login):
    with scopes_disabled():
        from parcours.households import services as hs

        peer = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Pair"
        )
    client = login(world.user("volunteer"))
    r = client.post(
        "/frontdesk/peer-contacts/new/",
        {"household": world.household_a.pk, "day": TODAY().isoformat(),
         "peer_household": peer.pk},
    )  # fmt: skip
    assert r.status_code == 302
    r = client.post(
        "/frontdesk/appointments/new/",
        {"household": world.household_a.pk, "starts_at": f"{TODAY().isoformat()}T23:30"},
    )
    assert r.status_code == 302
    with scopes_disabled():
        kinds = set(world.household_a.touchpoints.values_list("kind", flat=True))
    assert {"peer_contact", "appointment_booked"} <= kinds


def test_home_query_count(world, login, django_assert_max_num_queries):
    for _ in range(5):
        _visit(world)
        with scope(association=[world.a.pk]):
            services.info_request_record(
                actor=None, association=world.a, household=world.household_a, day=TODAY(),
                channel="web",
            )  # fmt: skip
    client = login(world.user("coordinator"))
    with django_assert_max_num_queries(12):
        r = client.get("/frontdesk/")
    assert r.status_code == 200
