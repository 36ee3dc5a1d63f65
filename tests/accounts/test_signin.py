"""Sign-in through the real forms: lockout, two-factor per role, recovery codes, an
administrator's reset, password reset by email, idle timeout, closed sign-up."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SENSITIVE = ["admin", "coordinator", "social_worker"]
OTHERS = ["volunteer", "peer_family", "board"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()  # the rate limits and the used TOTP codes live in the cache
    yield
    cache.clear()


def sign_in(client, user, password=PASSWORD):
    return client.post("/login/", {"login": user.username, "password": password})


def enrol(client) -> tuple[str, list[str]]:
    """Enrol the signed-in account through the activation page; its secret and codes."""
    page = client.get("/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post("/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done["Location"] == "/2fa/recovery-codes/"
    codes = client.get("/2fa/recovery-codes/").context["unused_codes"]
    return secret, list(codes)


def audit(user, action):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(actor=user, action=action).order_by("id"))


# --- lockout ---------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(world):
    user = world.user("volunteer")
    client = Client()
    for _ in range(5):
        r = sign_in(client, user, "wrong-password")
        assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = sign_in(client, user)
    assert "_auth_user_id" not in client.session
    assert "verrouillé pour 15 minutes" in r.content.decode()
    assert len(audit(user, "login_failed")) == 6
    assert audit(user, "login_failed")[-1].fields == ["locked"]
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        sign_in(client, user)
        assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lockout_message_in_english(world):
    user = world.user("board")
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(6):
        r = sign_in(client, user, "wrong-password")
    assert "locked for 15 minutes" in r.content.decode()


def test_a_locked_account_does_not_lock_its_colleagues(world):
    client = Client()
    for _ in range(6):
        sign_in(client, world.user("volunteer"), "wrong-password")
    sign_in(client, world.user("board"))
    assert client.session["_auth_user_id"] == str(world.user("board").pk)


# --- two-factor, required or optional --------------------------------------------------------


@pytest.mark.parametrize("role", SENSITIVE)
def test_sensitive_roles_reach_nothing_before_enrolling(world, role):
    client = Client()
    sign_in(client, world.user(role))
    for path in ("/", "/households/", "/tasks/", f"/households/{world.household_a.pk}/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/2fa/totp/activate/", path
    r = client.get("/households/", headers={"HX-Request": "true"})
    assert r.status_code == 403 and r["HX-Redirect"] == "/2fa/totp/activate/"
    assert client.get("/2fa/totp/activate/").status_code == 200
    enrol(client)
    assert client.get("/").status_code == 200
    assert client.get("/households/").status_code == 200


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_may_go_without(world, role):
    client = Client()
    sign_in(client, world.user(role))
    assert client.get("/").status_code == 200


def test_an_enrolled_account_needs_its_code_after_the_password(world):
    user = world.user("coordinator")
    client = Client()
    sign_in(client, user)
    secret, _codes = enrol(client)
    client.post("/logout/")
    with time_machine.travel(time.time() + 60, tick=False):  # a code is used once: next one
        r = sign_in(client, user)
        assert r.status_code == 302 and r["Location"] == "/2fa/authenticate/"
        assert "_auth_user_id" not in client.session
        assert client.get("/households/").status_code == 302  # not signed in yet
        wrong = client.post("/2fa/authenticate/", {"code": "000000"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
        r = client.post("/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})
        assert r.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
        assert client.get("/households/").status_code == 200
    assert [e.fields for e in audit(user, "login_failed")] == [["second_factor"]]
    assert len(audit(user, "login")) == 2


def test_an_optional_role_can_enrol_and_then_needs_its_code(world):
    user = world.user("volunteer")
    client = Client()
    sign_in(client, user)
    enrol(client)
    client.post("/logout/")
    assert sign_in(client, user)["Location"] == "/2fa/authenticate/"


def test_a_recovery_code_signs_in_once(world):
    user = world.user("social_worker")
    client = Client()
    sign_in(client, user)
    _secret, codes = enrol(client)
    assert len(codes) == 10
    client.post("/logout/")
    sign_in(client, user)
    client.post("/2fa/authenticate/", {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200
    client.post("/logout/")
    sign_in(client, user)
    client.post("/2fa/authenticate/", {"code": codes[0]})
    assert "_auth_user_id" not in client.session


def test_sensitive_roles_cannot_switch_two_factor_off(world):
    for role, kept in (("coordinator", True), ("volunteer", False)):
        user = world.user(role)
        client = Client()
        sign_in(client, user)
        enrol(client)
        page = client.get("/2fa/").content.decode()
        assert ("/2fa/totp/deactivate/" not in page) is kept, role
        client.post("/2fa/totp/deactivate/", {})
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
        assert totp.exists() is kept, role


# --- an administrator resets a colleague's two-factor ----------------------------------------


def test_admin_resets_a_lost_phone(world, login):
    coordinator = world.user("coordinator")
    phone = Client()
    sign_in(phone, coordinator)
    enrol(phone)
    assert phone.get("/").status_code == 200
    admin = login(world.user("admin"))
    page = admin.get("/members/")
    row = next(m for m in page.context["members"] if m.user == coordinator)
    assert row.has_totp and row.second_factor_required
    r = admin.post(f"/members/{row.pk}/second-factor/reset/")
    assert r.status_code == 302
    assert not Authenticator.objects.filter(user=coordinator).exists()
    assert phone.get("/").status_code == 302  # the lost phone's session is over
    (event,) = audit(world.user("admin"), "mfa_reset")
    assert (event.object_type, event.object_id) == ("accounts.membership", row.pk)
    assert event.fields == ["recovery_codes", "totp"]
    again = Client()
    sign_in(again, coordinator)
    assert again.get("/")["Location"] == "/2fa/totp/activate/"  # enrols anew


def test_only_the_own_association_members_can_be_reset(world, login):
    from parcours.accounts.models import Membership

    other = Membership.objects.get(user=world.user("coordinator", "b"))
    admin = login(world.user("admin"))
    assert admin.post(f"/members/{other.pk}/second-factor/reset/").status_code == 404
    assert world.user("coordinator", "b").username not in admin.get("/members/").content.decode()


# --- password reset by email -----------------------------------------------------------------


def test_password_reset_by_email(world):
    user = world.user("board")
    user.email = "michel@example.org"
    user.save()
    client = Client()
    r = client.post("/password/reset/", {"email": "michel@example.org"})
    assert r.status_code == 302 and r["Location"] == "/password/reset/done/"
    (message,) = mail.outbox
    assert message.to == ["michel@example.org"] and message.subject.startswith("[Parcours]")
    link = re.search(r"http://testserver(/password/reset/key/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "un-nouveau-mot-de-passe-2026"
    r = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert r.status_code == 302
    assert sign_in(Client(), user, new)["Location"] == "/"


def test_password_reset_tells_nothing_about_unknown_addresses(world):
    r = Client().post("/password/reset/", {"email": "nobody@example.org"})
    assert r.status_code == 302 and r["Location"] == "/password/reset/done/"
    assert mail.outbox == []


# --- idle timeout ----------------------------------------------------------------------------


def test_sensitive_roles_are_signed_out_after_30_idle_minutes(world, login):
    client = login(world.user("social_worker"))
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=20)):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=45)):  # 25 min since the last request
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=76)):
        htmx = client.get("/households/?q=Mar", headers={"HX-Request": "true"})
        assert htmx.status_code == 403 and htmx["HX-Redirect"].startswith("/login/")
    client = login(world.user("social_worker"))
    with time_machine.travel(start + timedelta(minutes=76)):
        r = client.get("/households/")
        assert r.status_code == 302 and r["Location"].startswith("/login/")
        assert "_auth_user_id" not in client.session


def test_other_roles_keep_their_working_day(world, login):
    client = login(world.user("volunteer"))
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert client.get("/").status_code == 200


# --- no sign-up ------------------------------------------------------------------------------


def test_sign_up_is_closed(world, django_user_model):
    before = django_user_model.objects.count()
    client = Client()
    r = client.post(
        "/signup/", {"username": "intrus", "password1": "x-Y-z-123456", "password2": "x-Y-z-123456"}
    )
    assert r.status_code == 200
    assert django_user_model.objects.count() == before


def test_the_sign_in_page_links_to_the_password_reset_once(client):
    html = Client().get("/login/").content.decode()
    assert html.count('href="/password/reset/"') == 1, "one 'forgot your password?' link"
