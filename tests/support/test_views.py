"""Support cases through the web, and the field-level wall around them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.support import services
from parcours.support.models import SupportCase
from tests.basis import BASIS

TODAY = timezone.localdate
SECRET = b"Secret support reason"


@pytest.fixture
def case(world):
    with scope(association=[world.a.pk]):
        c = services.support_case_open(
            actor=None, household=world.household_a, opened_on=TODAY() - timedelta(days=3),
            reason=SECRET.decode(),
        )  # fmt: skip
        services.support_followup_add(actor=None, case=c, day=TODAY(), note="Secret follow-up")
    return c


@pytest.mark.parametrize("role", ["volunteer", "peer_family", "board"])
def test_no_other_role_reaches_support_cases(world, case, login, role):
    client = login(world.user(role))
    for url in (
        "/support/",
        "/support/?q=Secret",
        "/support/?status=all",
        f"/support/{case.pk}/",
        f"/support/{case.pk + 1}/",  # guessing the next id
        f"/support/{case.pk}/close/",
        f"/support/{case.pk}/follow-ups/new/",
        f"/support/new/?household={world.household_a.pk}",
    ):
        r = client.get(url)
        assert r.status_code == 403, (url, r.status_code)
        assert SECRET not in r.content
    r = client.post(f"/support/{case.pk}/close/", {"closed_on": TODAY(), "outcome": "resolved"})
    assert r.status_code == 403
    with scopes_disabled():
        assert SupportCase.objects.get().is_open


def test_volunteer_sees_no_support_on_household_page_nor_search(world, case, login):
    client = login(world.user("volunteer"))
    for url in (f"/households/{world.household_a.pk}/", "/households/?q=Secret"):
        r = client.get(url)
        assert r.status_code == 200
        assert SECRET not in r.content and b"Secret follow-up" not in r.content
        assert b"/support/" not in r.content
    assert b"Famille Martin" not in client.get("/households/?q=Secret+support").content


def test_social_worker_sees_the_case_on_the_household_page(world, case, login):
    client = login(world.user("social_worker"))
    r = client.get(f"/households/{world.household_a.pk}/")
    assert f"/support/{case.pk}/".encode() in r.content
    r = client.get(f"/support/{case.pk}/")
    assert SECRET in r.content and b"Secret follow-up" in r.content
    r = client.get("/support/?q=Secret")
    assert b"Famille Martin" in r.content


def test_coordinator_of_another_association_gets_not_found(world, case, login):
    client = login(world.user("coordinator", "b"))
    assert client.get(f"/support/{case.pk}/").status_code == 404
    assert b"Famille Martin" not in client.get("/support/?status=all").content


def test_open_followup_close_through_the_web(world, login):
    client = login(world.user("social_worker"))
    r = client.post(
        "/support/new/",
        {"household": world.household_a.pk, "opened_on": TODAY().isoformat(),
         "reason": "Rupture"},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        case = SupportCase.objects.get()
    r = client.post(
        f"/support/{case.pk}/follow-ups/new/", {"day": TODAY().isoformat(), "note": "Visite"}
    )
    assert r.status_code == 302
    r = client.post(
        f"/support/{case.pk}/close/", {"closed_on": TODAY().isoformat(), "outcome": "resolved"}
    )
    assert r.status_code == 302
    with scopes_disabled():
        kinds = list(
            world.household_a.touchpoints.filter(ref=case.pk).values_list("kind", flat=True)
        )
    assert sorted(kinds) == ["support_closed", "support_opened"]


def test_bad_close_names_the_field_in_french(world, case, login):
    client = login(world.user("social_worker"))
    early = (TODAY() - timedelta(days=10)).isoformat()
    r = client.post(f"/support/{case.pk}/close/", {"closed_on": early, "outcome": "resolved"})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert list(errors) == ["closed_on"]
    assert "« Clôturé le »" in errors["closed_on"][0]
    r = client.post(f"/support/{case.pk}/close/", {"closed_on": "", "outcome": ""})
    assert set(r.context["form"].errors) == {"closed_on", "outcome"}
    with scopes_disabled():
        assert SupportCase.objects.get().is_open


def test_list_query_count(world, login, django_assert_max_num_queries):
    from parcours.households import services as hs

    with scope(association=[world.a.pk]):
        for i in range(6):
            h = hs.household_create(
                lawful_basis=BASIS, actor=None, association=world.a, name=f"F{i}"
            )
            c = services.support_case_open(actor=None, household=h, opened_on=TODAY(), reason="r")
            services.support_followup_add(actor=None, case=c, day=TODAY(), note="n")
    client = login(world.user("coordinator"))
    with django_assert_max_num_queries(8):
        r = client.get("/support/")
    assert len(r.context["page"].object_list) == 6


def test_errors_follow_the_users_language(world, case, login):
    client = login(world.user("social_worker"))
    client.cookies["django_language"] = "en"
    early = (TODAY() - timedelta(days=10)).isoformat()
    r = client.post(f"/support/{case.pk}/close/", {"closed_on": early, "outcome": "resolved"})
    assert "Closed on" in r.context["form"].errors["closed_on"][0]
    assert "the last follow-up" in r.context["form"].errors["closed_on"][0]
