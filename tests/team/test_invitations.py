"""Invitations: sent by email through Django's mail framework, accepted once, before they
expire, never after a withdrawal; sign-up stays closed otherwise; every step is audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.audit.models import AuditEvent
from parcours.team.models import Invitation

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def invite(client, email="nadia.roux@example.org", role="coordinator"):
    return client.post("/members/invite/", {"email": email, "role": role})


def link_in_last_mail() -> str:
    return re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def accept(link, username="nadia.roux", password=NEW_PASSWORD, password2=None):
    return Client().post(
        path_of(link),
        {"username": username, "password1": password, "password2": password2 or password},
    )


def events(association, object_type):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(association=association, object_type=object_type)
            .order_by("id")
            .values_list("action", "fields")
        )


def test_an_administrator_invites_by_email_and_the_person_joins(world, login):
    client = login(world.user("admin"))
    response = invite(client)
    assert response.status_code == 302 and response["Location"] == "/members/"
    (message,) = mail.outbox
    assert message.to == ["nadia.roux@example.org"]
    assert "Association A" in message.subject
    assert "application d’authentification" in message.body  # a coordinator enrols 2FA
    link = link_in_last_mail()
    page = Client().get(path_of(link))
    assert page.status_code == 200
    assert "Rejoindre l’équipe" in page.content.decode()

    done = accept(link)
    assert done.status_code == 302 and done["Location"] == "/login/"
    user = get_user_model().objects.get(username="nadia.roux")
    assert user.email == "nadia.roux@example.org" and user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.association, membership.role, membership.is_active) == (
        world.a,
        "coordinator",
        True,
    )
    signed_in = Client()
    assert signed_in.login(username="nadia.roux", password=NEW_PASSWORD)
    # A coordinator must enrol an authenticator app before anything else.
    assert signed_in.get("/households/")["Location"] == "/2fa/totp/activate/"
    assert events(world.a, "team.invitation") == [
        ("create", ["email", "role"]),
        ("update", ["accepted_at"]),
    ]
    assert events(world.a, "accounts.membership") == [("create", ["is_active", "role"])]


def test_a_link_works_once(world, login):
    invite(login(world.user("admin")))
    link = link_in_last_mail()
    assert accept(link).status_code == 302
    again = Client().get(path_of(link))
    assert "déjà été utilisée" in again.content.decode()
    second = accept(link, username="someone.else")
    assert "déjà été utilisée" in second.content.decode()
    assert not get_user_model().objects.filter(username="someone.else").exists()


def test_an_expired_link_is_refused_in_french(world, login, settings):
    invite(login(world.user("admin")))
    link = link_in_last_mail()
    with time_machine.travel(
        timezone.now() + timedelta(days=settings.PARCOURS_INVITATION_DAYS, hours=1)
    ):
        page = Client().get(path_of(link))
        assert "Cette invitation a expiré" in page.content.decode()
        accept(link)
    assert not get_user_model().objects.filter(username="nadia.roux").exists()


def test_a_withdrawn_or_tampered_link_is_refused(world, login):
    client = login(world.user("admin"))
    invite(client)
    link = link_in_last_mail()
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert client.post(f"/members/invitations/{invitation.pk}/withdraw/").status_code == 302
    assert "retirée par l’association" in Client().get(path_of(link)).content.decode()
    tampered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]
    assert "n’est pas valide" in Client().get(path_of(tampered)).content.decode()
    accept(link)
    assert not get_user_model().objects.filter(username="nadia.roux").exists()


def test_a_new_invitation_withdraws_the_earlier_one(world, login):
    client = login(world.user("admin"))
    invite(client)
    first = link_in_last_mail()
    invite(client, role="volunteer")
    assert "retirée" in Client().get(path_of(first)).content.decode()
    accept(link_in_last_mail())
    assert Membership.objects.get(user__username="nadia.roux").role == "volunteer"


def test_sign_up_stays_closed_without_an_invitation(world):
    response = Client().post(
        "/signup/", {"username": "intrus", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code in (200, 302)
    assert not get_user_model().objects.filter(username="intrus").exists()


def test_the_form_names_the_field_in_french(world, login):
    invite(login(world.user("admin")))
    page = accept(link_in_last_mail(), password2="autre-chose-2026")
    assert "Mot de passe (confirmation) : les deux mots de passe sont différents." in (
        page.content.decode()
    )
    page = accept(link_in_last_mail(), username="coordinator-a")  # taken
    assert "Identifiant : cet identifiant est déjà pris." in page.content.decode()
    page = accept(link_in_last_mail(), password="12345678")
    assert "password1" in page.context["form"].errors
    assert not get_user_model().objects.filter(email="nadia.roux@example.org").exists()


def test_an_active_member_cannot_be_invited_again(world, login):
    user = world.user("volunteer")
    user.email = "lucas@example.org"
    user.save()
    page = invite(login(world.user("admin")), email="LUCAS@example.org", role="volunteer")
    assert page.status_code == 200
    assert "fait déjà partie de l’équipe" in page.content.decode()
    assert mail.outbox == []


def test_a_peer_family_role_is_not_given_by_invitation(world, login):
    page = invite(login(world.user("admin")), role="peer_family")
    assert page.status_code == 200 and "role" in page.context["form"].errors
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_a_person_of_another_association_joins_with_their_account(world, login):
    """Invited by B, A's social worker signs in and joins B: one account, two memberships."""
    person = world.user("social_worker")
    person.email = "karim@example.org"
    person.save()
    invite(login(world.user("admin", "b")), email="karim@example.org", role="volunteer")
    link = link_in_last_mail()
    anonymous = Client().get(path_of(link))
    assert "Vous avez déjà un compte Parcours" in anonymous.content.decode()
    client = Client()
    client.force_login(person)
    assert client.post(path_of(link)).status_code == 302
    assert set(Membership.objects.filter(user=person).values_list("association__slug", "role")) == {
        ("a", "social_worker"),
        ("b", "volunteer"),
    }
    # the session now works in B, the association just joined
    assert client.session["parcours_association"] == world.b.pk


def test_another_persons_invitation_cannot_be_taken_by_a_signed_in_user(world, login):
    invite(login(world.user("admin")), email="nadia.roux@example.org")
    client = Client()
    client.force_login(world.user("volunteer", "b"))
    page = client.post(path_of(link_in_last_mail()))
    assert "envoyée à une autre adresse" in page.content.decode()
    assert not Membership.objects.filter(user=world.user("volunteer", "b"), association=world.a)
