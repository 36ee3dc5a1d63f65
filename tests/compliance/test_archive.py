"""The intermediate archive: in no list, search, task or export for anyone; administrators
read a record only after giving a reason. And the pages of retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.compliance.models import RetentionEvent, RetentionPolicy
from parcours.compliance.services import archive_write
from parcours.households.models import Household
from parcours.worklists.models import DigestPreference, Task
from parcours.worklists.regenerate import tasks_regenerate
from parcours.worklists.services import digests_send
from tests.accounts.test_access import EXPECTED, _allowed, _url
from tests.conftest import ROLES
from tests.responses import body

NAME = b"Famille Martin"


@pytest.fixture
def archived(world):
    """Famille Martin (household A, with a person, a touchpoint, tasks and the objects every
    app's factory makes) moved to the archive."""
    h = world.household_a
    with scopes_disabled():
        tasks_regenerate(h)
        Task.objects.filter(household=h).update(assignee_kind="coordinator", state="open")
        for role in ROLES:  # build every route's objects while the household is active
            _url_all(world, role)
        # The peer-family user acts for another family here (its own page would name it).
        Membership.objects.filter(household=h).update(household=None)
        archive_write(h, now=timezone.now())
    return h


def _url_all(world, role):
    return {name: _url(name, world, role=role) for name in EXPECTED}


@pytest.mark.parametrize("role", ROLES)
def test_archived_household_appears_nowhere(role, world, archived, client):
    client.force_login(world.user(role))
    urls = _url_all(world, role)
    for name, url in urls.items():
        if name in ("accounts:logout", "accounts:login", "set_language"):
            continue
        if not _allowed(EXPECTED[name], role):
            continue
        # The archive page finds an exact phone for an administrator, by design (tested below).
        queries = ("", "?q=Martin", "?search=Martin")
        if name != "compliance:archive":
            queries += ("?q=0601020304",)
        for query in queries:
            response = client.get(url + query)
            content = body(response)  # exports stream their files
            assert NAME not in content, (name, role, query, response.status_code)
            if "0601" not in query:  # the page repeats its own address (language form)
                assert b"0601020304" not in content, (name, role, query)
    detail = client.get(reverse("households:detail", args=[archived.pk]))
    if role == Role.ADMIN:
        assert detail.status_code == 302
        assert detail["Location"] == reverse("compliance:archive_read", args=[archived.pk])
    elif _allowed("view_households", role):
        assert detail.status_code == 404


def test_no_task_of_the_archive_in_the_digest(world, archived):
    with scopes_disabled():
        for role in ROLES:
            user = world.user(role)
            user.email = f"{role}@example.org"
            user.save()
            DigestPreference.objects.create(association=world.a, user=user, daily_digest=True)
    digests_send()
    assert all("Martin" not in m.body for m in mail.outbox)


def test_administrator_reads_the_archive_after_giving_a_reason(world, archived, client):
    admin = world.user(Role.ADMIN)
    client.force_login(admin)
    url = reverse("compliance:archive_read", args=[archived.pk])
    page = client.get(url)
    assert page.status_code == 200 and NAME not in page.content
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 200
    assert b"raison" in refused.content or b"reason" in refused.content
    with scopes_disabled():
        assert not RetentionEvent.objects.filter(kind="archive_read").exists()
    opened = client.post(url, {"reason": "Demande d'accès de la famille"})
    assert opened.status_code == 302
    detail = client.get(reverse("households:detail", args=[archived.pk]))
    assert detail.status_code == 200 and NAME in detail.content
    with scopes_disabled():
        event = RetentionEvent.objects.get(kind="archive_read", household=archived)
    assert (event.actor, event.reason) == (admin, "Demande d'accès de la famille")
    # Still in no list, and not editable.
    assert NAME not in client.get(reverse("households:list") + "?q=Martin").content
    assert client.get(reverse("households:edit", args=[archived.pk])).status_code == 404


def test_archive_list_names_no_one_but_finds_an_exact_name(world, archived, client):
    client.force_login(world.user(Role.ADMIN))
    listing = client.get(reverse("compliance:archive"))
    assert listing.status_code == 200 and NAME not in listing.content
    assert f"#{archived.pk}".encode() in listing.content
    assert NAME not in client.get(reverse("compliance:archive") + "?q=Martin").content
    assert NAME in client.get(reverse("compliance:archive") + "?q=famille martin").content


def test_retention_settings_page(world, client):
    client.force_login(world.user(Role.ADMIN))
    url = reverse("compliance:retention")
    page = client.get(url)
    assert page.status_code == 200
    assert "Durées de conservation".encode() in page.content
    assert b"2023-095" in page.content
    data = {"active_months": 24, "archive_months": 36, "notes_months": 30, "audit_months": 12}
    bad = client.post(url, data)
    assert bad.status_code == 200
    assert b"notes" in bad.content and b"Rien n" in bad.content
    with scopes_disabled():
        assert not RetentionPolicy.objects.exists()
    assert client.post(url, {**data, "active_months": "abc"}).status_code == 200
    good = client.post(url, {**data, "notes_months": 6})
    assert good.status_code == 302
    with scopes_disabled():
        policy = RetentionPolicy.objects.get(association=world.a)
        assert policy.notes_months == 6
        assert AuditEvent.objects.filter(object_type="compliance.retentionpolicy").exists()


def test_coordinator_extends_from_the_household_retention_page(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("compliance:household", args=[world.household_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    until = timezone.localdate() + timedelta(days=400)
    refused = client.post(url, {"until": until.isoformat(), "reason": ""})
    assert refused.status_code == 200
    with scopes_disabled():
        assert not RetentionEvent.objects.exists()
    ok = client.post(url, {"until": until.isoformat(), "reason": "Suivi logement"})
    assert ok.status_code == 302
    with scopes_disabled():
        assert RetentionEvent.objects.get(kind="extended").until == until
        assert Household.objects.get(pk=world.household_a.pk).archived_at is None


def test_pages_query_counts(world, client, django_assert_max_num_queries):
    """The archive list, the register and the retention pages: queries do not grow with data."""
    from parcours.compliance.models import Processor
    from parcours.households import services as hs
    from tests.basis import BASIS

    def fill(n):
        with scopes_disabled():
            for i in range(n):
                h = hs.household_create(
                    actor=None, association=world.a, name=f"Famille Q{i}-{n}", lawful_basis=BASIS
                )
                archive_write(h, now=timezone.now())
                Processor.objects.create(association=world.a, name=f"P{i}-{n}", service="email")

    client.force_login(world.user(Role.ADMIN))
    counts = {}
    for n in (2, 12):
        fill(n)
        for url in (
            reverse("compliance:archive"),
            reverse("compliance:archive") + "?q=Famille+Q1-2",
            reverse("compliance:register"),
            reverse("compliance:retention"),
        ):
            with django_assert_max_num_queries(12) as ctx:
                assert client.get(url).status_code == 200
            counts.setdefault(url, []).append(len(ctx.captured_queries))
    assert all(a == b for a, b in counts.values()), counts
