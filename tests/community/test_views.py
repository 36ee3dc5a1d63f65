from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.community import services
from parcours.community.models import AbsentVisit, Communication, GroupMembership, Sponsorship
from parcours.households import services as hs
from tests.basis import BASIS

TODAY = timezone.localdate


@pytest.fixture
def other(world):
    with scopes_disabled():
        return hs.household_create(
            lawful_basis=BASIS,
            actor=None,
            association=world.a,
            name="Famille Absente",
            neighbourhood="Nord",
        )


def _mark_absent(world, household):
    from parcours.journey.models import StatusSpan

    with scopes_disabled():
        StatusSpan.objects.create(
            association=world.a, household=household, status="absent",
            start=TODAY() - timedelta(days=3), definition_version="test",
        )  # fmt: skip


def _assign_visit(world, household, visitor):
    from parcours.worklists.models import Task

    with scopes_disabled():
        Task.objects.create(
            association=world.a, household=household, rule="find_absent", cause="absent:x",
            assignee_kind="peer_family_neighbourhood", since=TODAY(), due=TODAY(),
            assignee_household=visitor,
        )  # fmt: skip


def test_peer_family_records_an_absent_visit_for_its_own_household(world, login, other):
    _mark_absent(world, other)
    with scopes_disabled():
        unassigned = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Loin"
        )
    _mark_absent(world, unassigned)
    _assign_visit(world, other, world.household_a)
    client = login(world.user("peer_family"))
    r = client.get("/community/absent-visits/new/")
    assert r.status_code == 200
    assert b"Famille Absente" in r.content
    assert b"Famille Loin" not in r.content  # absent, but not assigned to this family
    assert b"Famille Durand" not in r.content  # never another association's
    r = client.post(
        "/community/absent-visits/new/",
        # an attempt to record it in another household's name is ignored
        {"household": other.pk, "visited": other.pk, "day": TODAY().isoformat(),
         "outcome": "met"},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        visit = AbsentVisit.objects.get()
        assert visit.visitor == world.household_a
        assert visit.touchpoint.kind == "absent_visit" and visit.touchpoint.ref == other.pk


def test_peer_family_sees_only_absent_households(world, login, other):
    _assign_visit(world, other, world.household_a)  # assigned, but no longer absent
    client = login(world.user("peer_family"))
    r = client.get("/community/absent-visits/new/")
    assert b"Famille Absente" not in r.content  # not absent: not offered
    r = client.post(
        "/community/absent-visits/new/",
        {"visited": other.pk, "day": TODAY().isoformat(), "outcome": "met"},
    )
    assert r.status_code == 200 and "visited" in r.context["form"].errors
    with scopes_disabled():
        assert not AbsentVisit.objects.exists()


def test_peer_family_without_a_household_is_refused(world, login):
    client = login(world.user("peer_family", "b"))  # not linked to a household
    assert client.get("/community/absent-visits/new/").status_code == 403


def test_volunteer_records_communication_but_not_groups(world, login):
    client = login(world.user("volunteer"))
    assert client.get("/community/").status_code == 403
    assert client.get("/community/groups/new/").status_code == 403
    r = client.post(
        f"/community/communications/new/?household={world.household_a.pk}",
        {"household": world.household_a.pk, "day": TODAY().isoformat(), "kind": "call",
         "subject": "Prise de nouvelles"},
    )  # fmt: skip
    assert r.status_code == 302
    with scopes_disabled():
        assert Communication.objects.get().recipients.get().household == world.household_a


def test_coordinator_runs_a_group_through_the_web(world, login):
    client = login(world.user("coordinator"))
    r = client.post("/community/groups/new/", {"name": "Cuisine du monde"})
    assert r.status_code == 302
    group_url = r["Location"]
    group_pk = int(group_url.rstrip("/").split("/")[-1])
    r = client.post(
        f"/community/groups/{group_pk}/join/",
        {"household": world.household_a.pk, "start": TODAY().isoformat()},
    )
    assert r.status_code == 302
    with scopes_disabled():
        m = GroupMembership.objects.get()
    # ending before it started: the field is named, nothing changes
    r = client.post(
        f"/community/memberships/{m.pk}/end/",
        {"end": (TODAY() - timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 200 and list(r.context["form"].errors) == ["end"]
    assert "Date de fin" in r.context["form"].errors["end"][0]
    r = client.post(f"/community/memberships/{m.pk}/end/", {"end": TODAY().isoformat()})
    assert r.status_code == 302
    with scopes_disabled():
        kinds = sorted(
            world.household_a.touchpoints.filter(ref=group_pk).values_list("kind", flat=True)
        )
    assert kinds == ["group_joined", "group_left"]


def test_sponsorship_form_names_bad_fields(world, login, other):
    client = login(world.user("social_worker"))
    url = f"/community/sponsorships/new/?household={world.household_a.pk}"
    r = client.post(url, {"household": world.household_a.pk, "start": "31/02/2026"})
    assert r.status_code == 200
    assert {"start", "sponsor_user"} <= set(r.context["form"].errors)
    with scopes_disabled():
        assert not Sponsorship.objects.exists()
    r = client.post(
        url, {"household": world.household_a.pk, "start": TODAY().isoformat(),
              "sponsor_household": other.pk},
    )  # fmt: skip
    assert r.status_code == 302
    page = client.get(f"/households/{world.household_a.pk}/").content.decode()
    assert "Famille Absente" in page  # the sponsor is on the household page


def test_referral_with_a_new_household_through_the_web(world, login):
    client = login(world.user("coordinator"))
    data = {"household": world.household_a.pk, "day": TODAY().isoformat(),
            "new-name": "Famille Amie", "new-purposes": "follow_up",
            "new-consent_day": TODAY().isoformat()}  # fmt: skip
    r = client.post("/community/referrals/new/", data)
    assert r.status_code == 302
    # the same family typed again is proposed, then chosen: no twin
    r = client.post("/community/referrals/new/", data | {"new-name": "famille  amie"})
    assert r.status_code == 200 and r.context["matches"]
    with scopes_disabled():
        from parcours.households.models import Household

        assert Household.objects.filter(name__icontains="amie").count() == 1


def test_list_pages_query_counts(world, login, django_assert_max_num_queries, other):
    with scope(association=[world.a.pk]):
        for i in range(5):
            g = services.group_create(actor=None, association=world.a, name=f"G{i}")
            services.group_join(actor=None, group=g, household=world.household_a, start=TODAY())
            services.communication_record(
                actor=None, association=world.a, day=TODAY(), kind="message", subject="s",
                group=g,
            )  # fmt: skip
            h = hs.household_create(
                lawful_basis=BASIS, actor=None, association=world.a, name=f"H{i}"
            )
            services.sponsorship_start(
                actor=None, household=h, start=TODAY(), sponsor_household=other
            )
            services.referral_record(actor=None, referrer=other, referred=h, day=TODAY())
            services.role_start(actor=None, household=h, kind="project_lead", start=TODAY())
    client = login(world.user("coordinator"))
    for url, most in (("/community/", 12), ("/community/communications/", 8)):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200
    # the household page's community panel: a fixed number of queries, whatever the data
    from parcours.community.selectors import household_community

    with scope(association=[world.a.pk]), django_assert_max_num_queries(7):
        data = household_community(household=other)
    assert len(data["sponsoring"]) == 5 and len(data["brought"]) == 5


def test_group_page_query_count(world, login, django_assert_max_num_queries):
    with scope(association=[world.a.pk]):
        g = services.group_create(actor=None, association=world.a, name="Parents")
        for i in range(6):
            h = hs.household_create(
                lawful_basis=BASIS, actor=None, association=world.a, name=f"M{i}"
            )
            services.group_join(actor=None, group=g, household=h, start=TODAY())
    client = login(world.user("coordinator"))
    with django_assert_max_num_queries(10):
        r = client.get(f"/community/groups/{g.pk}/")
    assert r.status_code == 200 and len(r.context["memberships"]) == 6
