"""The team page: roles, deactivation and reactivation, email address, password reset. Only
administrators (MANAGE_MEMBERS) change anything, and every change is audited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import ROLE_CAPABILITIES, Capability
from parcours.audit.models import AuditEvent
from tests.conftest import PASSWORD, ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def membership(user, association=None):
    rows = Membership.objects.filter(user=user)
    return rows.get(association=association) if association else rows.get()


def audited(membership_row):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                object_type="accounts.membership", object_id=membership_row.pk
            )
            .order_by("id")
            .values_list("action", "fields")
        )


def edit(client, m, **data):
    return client.post(f"/members/{m.pk}/", {"role": m.role, "email": m.user.email, **data})


def test_the_team_page_lists_members_and_pending_invitations(world, login):
    client = login(world.user("admin"))
    client.post("/members/invite/", {"email": "nadia@example.org", "role": "volunteer"})
    page = client.get("/members/")
    text = page.content.decode()
    assert "volunteer-a" in text and "nadia@example.org" in text
    assert "volunteer-b" not in text  # another association's member


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_change_roles(world, login, role):
    volunteer = membership(world.user("volunteer"))
    response = edit(login(world.user(role)), volunteer, role="coordinator")
    volunteer.refresh_from_db()
    if Capability.MANAGE_MEMBERS in ROLE_CAPABILITIES[role]:
        assert response.status_code == 302
        assert volunteer.role == "coordinator"
        assert audited(volunteer) == [("update", ["role"])]
    else:
        assert response.status_code == 403
        assert volunteer.role == "volunteer"
        assert audited(volunteer) == []


def test_a_role_that_needs_two_factor_sends_the_person_to_enrol(world, login):
    volunteer = membership(world.user("volunteer"))
    edit(login(world.user("admin")), volunteer, role="social_worker")
    person = Client()
    assert person.login(username="volunteer-a", password=PASSWORD)
    assert person.get("/households/")["Location"] == "/2fa/totp/activate/"


def test_the_association_keeps_an_administrator(world, login):
    admin = membership(world.user("admin"))
    client = login(world.user("admin"))
    page = edit(client, admin, role="volunteer")
    assert "au moins un administrateur actif" in page.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin"
    client.post(f"/members/{admin.pk}/deactivate/")
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_volunteer_can_no_longer_sign_in_and_their_history_stays(world, login):
    volunteer_user = world.user("volunteer")
    volunteer = membership(volunteer_user)
    session = Client()
    assert session.login(username="volunteer-a", password=PASSWORD)
    assert session.get("/households/").status_code == 200
    with scopes_disabled():
        history = AuditEvent.objects.filter(actor=volunteer_user).count()

    admin = login(world.user("admin"))
    assert admin.post(f"/members/{volunteer.pk}/deactivate/").status_code == 302
    volunteer.refresh_from_db()
    volunteer_user.refresh_from_db()
    assert not volunteer.is_active and not volunteer_user.is_active
    assert session.get("/households/").status_code == 302  # the session has ended
    assert not Client().login(username="volunteer-a", password=PASSWORD)
    with scopes_disabled():
        assert AuditEvent.objects.filter(actor=volunteer_user).count() >= history
    assert Membership.objects.filter(pk=volunteer.pk).exists()
    assert "volunteer-a" in admin.get("/members/").content.decode()
    assert audited(volunteer) == [("update", ["is_active"])]

    assert admin.post(f"/members/{volunteer.pk}/reactivate/").status_code == 302
    assert Client().login(username="volunteer-a", password=PASSWORD)
    assert audited(volunteer) == [("update", ["is_active"]), ("update", ["is_active"])]


def test_deactivation_in_one_association_leaves_the_other(world, login):
    person = world.user("volunteer")
    in_b = Membership.objects.create(user=person, association=world.b, role="board")
    login(world.user("admin", "b")).post(f"/members/{in_b.pk}/deactivate/")
    person.refresh_from_db()
    assert person.is_active  # still a volunteer of A
    client = Client()
    assert client.login(username="volunteer-a", password=PASSWORD)
    client.post("/association/switch/", {"association": world.b.pk})
    assert client.get("/households/").status_code == 200  # A's page: B is not theirs anymore
    assert b"Famille Martin" in client.get("/households/").content


def test_the_email_address_is_set_from_the_team_page_and_audited(world, login):
    volunteer = membership(world.user("volunteer"))
    client = login(world.user("admin"))
    assert edit(client, volunteer, email="lucas@example.org").status_code == 302
    volunteer.user.refresh_from_db()
    assert volunteer.user.email == "lucas@example.org"
    assert audited(volunteer) == [("update", ["email"])]
    other = membership(world.user("board"))
    page = edit(client, other, email="LUCAS@example.org")
    assert "un autre compte l’utilise déjà" in page.content.decode()


def test_the_email_of_a_person_of_another_association_is_theirs(world, login):
    """An administrator of A never redirects the mail (password resets) of B's members."""
    person = world.user("volunteer")
    Membership.objects.create(user=person, association=world.b, role="admin")
    page = edit(login(world.user("admin")), membership(person, world.a), email="x@example.org")
    assert "fait aussi partie d’une autre association" in page.content.decode()
    person.refresh_from_db()
    assert person.email == ""


def test_an_administrator_sends_a_password_reset(world, login):
    volunteer = membership(world.user("volunteer"))
    client = login(world.user("admin"))
    client.post(f"/members/{volunteer.pk}/password-reset/")
    assert mail.outbox == []  # no address yet: nothing sent, said in French
    edit(client, volunteer, email="lucas@example.org")
    volunteer.user.refresh_from_db()
    assert client.post(f"/members/{volunteer.pk}/password-reset/").status_code == 302
    (message,) = mail.outbox
    assert message.to == ["lucas@example.org"]
    link = re.search(r"https?://\S+/password/reset/key/\S+/", message.body).group(0)
    person = Client()
    form = person.get("/" + link.split("/", 3)[3], follow=True)
    assert form.status_code == 200
    done = person.post(
        form.redirect_chain[-1][0] if form.redirect_chain else "/" + link.split("/", 3)[3],
        {"password1": "nouveau-mot-de-passe-2026", "password2": "nouveau-mot-de-passe-2026"},
    )
    assert done.status_code == 302
    assert Client().login(username="volunteer-a", password="nouveau-mot-de-passe-2026")
    assert ("update", ["password_reset_sent"]) in audited(volunteer)


def test_members_of_another_association_are_not_found(world, login):
    theirs = membership(world.user("volunteer", "b"))
    client = login(world.user("admin"))
    assert client.get(f"/members/{theirs.pk}/").status_code == 404
    assert client.post(f"/members/{theirs.pk}/deactivate/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_a_deactivated_member_is_offered_no_more_work(world, login):
    """Task assignees and sponsor candidates are the association's active members."""
    from parcours.worklists.selectors import bulk_assignees

    admin = membership(world.user("admin"))
    volunteer = membership(world.user("volunteer"))
    assert volunteer in bulk_assignees(admin)
    login(world.user("admin")).post(f"/members/{volunteer.pk}/deactivate/")
    assert volunteer not in bulk_assignees(admin)


def test_a_deactivated_members_open_tasks_go_back_unassigned(world, login):
    """Nothing waits on someone who left: their open tasks lose their assignee (audited), done
    ones keep it as history, and nobody can give them a task again."""
    from django.core.exceptions import ValidationError

    from parcours.worklists.models import Task
    from parcours.worklists.services import task_assign
    from tests.worklists.factories import task

    volunteer = world.user("volunteer")
    open_task = task(world, "a", "volunteer")
    with scopes_disabled():
        done = Task.objects.create(
            association=world.a, household=world.household_a, rule="find_absent", cause="old",
            assignee_kind=open_task.assignee_kind, reason=open_task.reason,
            since=open_task.since, due=open_task.due, assignee_user=volunteer, state="done",
        )  # fmt: skip
    admin = world.user("admin")
    login(admin).post(f"/members/{membership(volunteer).pk}/deactivate/")
    with scopes_disabled():
        open_task.refresh_from_db()
        done.refresh_from_db()
        assert open_task.assignee_user is None and done.assignee_user == volunteer
        assert AuditEvent.objects.filter(
            object_id=open_task.pk, object_type__icontains="task", fields=["assignee_user"]
        ).exists()
        with pytest.raises(ValidationError):
            task_assign(actor=admin, task=open_task, user=volunteer)
