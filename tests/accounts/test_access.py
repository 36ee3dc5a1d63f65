"""The access matrix: every route x every role (two associations) x anonymous, GET and POST.

EXPECTED is the specification. A route added to the URL conf without an entry here fails.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from parcours.accounts.roles import ROLE_CAPABILITIES, Role
from tests.conftest import ROLES

ANY_MEMBER = "any member"
PUBLIC = "public"
# the roles that see households, and a peer family its own household (world.household_a)
OWN_HOUSEHOLD = "view_households or own household"

# a federation's viewers (parcours.federation), who belong to no association; no association
# role may open these pages (test_federation_viewer_reaches_no_association_page below)
FEDERATION = "federation viewer"
# url name -> who may use it: PUBLIC, ANY_MEMBER, FEDERATION or a capability
EXPECTED = {
    "accounts:home": ANY_MEMBER,
    "accounts:members": "manage_members",
    "accounts:second_factor_reset": "manage_members",
    "team:invite": "manage_members",
    "team:invitation_revoke": "manage_members",
    "team:member": "manage_members",
    "team:deactivate": "manage_members",
    "team:reactivate": "manage_members",
    "team:password_reset": "manage_members",
    "team:accept": PUBLIC,  # the invitation link: a token, checked by the page
    "team:switch": ANY_MEMBER,  # among the person's own active memberships only
    # django-allauth's pages (sign-in, password, two-factor): their flows are tested in
    # tests/accounts/test_signin.py; here, who may reach them (SIGN_IN_FLOW below).
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "mfa_authenticate": PUBLIC,
    "account_reauthenticate": ANY_MEMBER,
    "account_change_password": ANY_MEMBER,
    "account_set_password": ANY_MEMBER,
    "mfa_index": ANY_MEMBER,
    "mfa_reauthenticate": ANY_MEMBER,
    "mfa_activate_totp": ANY_MEMBER,
    "mfa_deactivate_totp": ANY_MEMBER,
    "mfa_view_recovery_codes": ANY_MEMBER,
    "mfa_generate_recovery_codes": ANY_MEMBER,
    "mfa_download_recovery_codes": ANY_MEMBER,
    "set_language": PUBLIC,
    "households:list": "view_households",
    "households:create": "edit_households",
    "households:detail": OWN_HOUSEHOLD,
    "households:edit": "edit_households",
    "households:person_add": "edit_households",
    "households:touchpoint_add": "record_touchpoints",
    "directory:picker": "view_households",
    "directory:archived": "merge_households",
    "directory:merge": "merge_households",
    "directory:archive": "merge_households",
    "directory:restore": "merge_households",
    "directory:person_edit": "edit_households",
    "directory:person_remove": "edit_households",
    "consent:household": "edit_households",
    "consent:withdraw": "edit_households",
    "consent:policy": "manage_members",
    "analytics:dashboard": "view_aggregates",
    "analytics:export": "view_aggregates",
    "exports:index": "view_households",
    "exports:households": "view_households",
    "exports:persons": "view_households",
    "exports:touchpoints": "view_households",
    "exports:attendance": "view_households",
    "exports:attendance_summary": "view_aggregates",
    "exports:event_log_xes": "view_households",
    "exports:event_log_ocel": "view_households",
    "activities:list": "record_touchpoints",
    "activities:create": "manage_activities",
    "activities:today": "record_touchpoints",
    "activities:detail": "record_touchpoints",
    "activities:grid": "record_touchpoints",
    "activities:edit": "manage_activities",
    "activities:schedule_add": "manage_activities",
    "activities:session_add": "manage_activities",
    "activities:sheet": "record_touchpoints",
    "activities:session_edit": "manage_activities",
    "activities:marks": "record_touchpoints",
    "activities:newcomer": "record_touchpoints",
    "activities:members": "record_touchpoints",
    "reports:period": "view_aggregates",
    "reports:period_pdf": "view_aggregates",
    "reports:period_xlsx": "view_aggregates",
    "reports:generate": "view_aggregates",
    "reports:file": "view_aggregates",
    "reports:session_sheet": "record_touchpoints",
    "reports:blank_sheet": "record_touchpoints",
    "reports:household_summary": "view_sensitive",
    "outreach:list": "record_touchpoints",
    "outreach:create": "record_touchpoints",
    "outreach:detail": "record_touchpoints",
    "outreach:contact_add": "record_touchpoints",
    "frontdesk:home": "record_touchpoints",
    "frontdesk:info_request": "record_touchpoints",
    "frontdesk:peer_contact": "record_touchpoints",
    "frontdesk:appointment": "record_touchpoints",
    "frontdesk:intake": "record_touchpoints",
    "frontdesk:intake_detail": "record_touchpoints",
    "support:list": "view_sensitive",
    "support:open": "view_sensitive",
    "support:detail": "view_sensitive",
    "support:followup_add": "view_sensitive",
    "support:close": "view_sensitive",
    "community:home": "edit_households",
    "community:group_create": "edit_households",
    "community:group_detail": "edit_households",
    "community:group_join": "edit_households",
    "community:membership_end": "edit_households",
    "community:sponsorship_create": "edit_households",
    "community:sponsorship_end": "edit_households",
    "community:referral_create": "edit_households",
    "community:absent_visit": "record_peer_visits",
    "community:role_create": "edit_households",
    "community:role_end": "edit_households",
    "community:project_create": "edit_households",
    "community:communications": "record_touchpoints",
    "community:communication_create": "record_touchpoints",
    "worklists:mine": "work_on_tasks",  # not the board: it never sees a name
    "worklists:board": "manage_tasks",
    "worklists:task": "work_on_tasks",  # and only one's own tasks (404 otherwise)
    "worklists:preferences": ANY_MEMBER,
    "worklists:matching": "manage_tasks",
    "agenda:calendar": "record_touchpoints",
    "agenda:feeds": "record_touchpoints",  # each member's own calendar links
    # the iCal feed: no sign-in (a phone's calendar reads it), the secret address is the key;
    # a wrong address is "not found" for everyone (tests/agenda/test_agenda.py)
    "agenda:feed": PUBLIC,
    "worklists:bulk": "work_on_tasks",  # and only one's own tasks, any for a manager
    "worklists:recontact": "view_households",
    "journey:place": "edit_households",
    "privacy:household": "export_subject",
    "privacy:household_export": "export_subject",
    "privacy:person_export": "export_subject",
    "privacy:household_erase": "erase_subject",
    "privacy:person_erase": "erase_subject",
    "audit:log": "read_audit_log",
    "compliance:retention": "manage_data_protection",
    "compliance:household": "manage_tasks",
    "compliance:archive": "manage_data_protection",
    "compliance:archive_read": "manage_data_protection",
    "compliance:register": "manage_data_protection",
    "compliance:register_pdf": "manage_data_protection",
    "compliance:processor_delete": "manage_data_protection",
    # a job's progress: any member, for the jobs of a kind they may follow (403 otherwise)
    "background:job": ANY_MEMBER,
    "imports:start": "import_households",
    "imports:columns": "import_households",
    "imports:check": "import_households",
    "imports:report": "import_households",
    "imports:event_log": "import_households",
    "journey_editor:edit": "edit_journey",
    "journey_editor:versions": "edit_journey",
    "journey_editor:version": "edit_journey",
    "journey_editor:restore": "restore_journey",
    "association_settings:page": "manage_settings",
    "association_settings:logo": "manage_settings",
    "association_settings:logo_remove": "manage_settings",
    "association_settings:logo_image": ANY_MEMBER,
    "association_settings:neighbourhood_add": "manage_settings",
    "association_settings:neighbourhood_edit": "manage_settings",
    "association_settings:neighbourhood_delete": "manage_settings",
    "association_settings:activity_type_add": "manage_settings",
    "association_settings:activity_type_edit": "manage_settings",
    "association_settings:contact_channel_add": "manage_settings",
    "association_settings:contact_channel_edit": "manage_settings",
    "guides:guide": ANY_MEMBER,
    # a person's own API tokens (parcours.api): only their own can be revoked (404 otherwise)
    "api:tokens": ANY_MEMBER,
    "api:token_revoke": ANY_MEMBER,
    # the REST API's schema and documentation page: no data in them
    "api_v1:api-root": PUBLIC,
    "api_v1:openapi-json": PUBLIC,
    "api_v1:openapi-view": PUBLIC,
    "federation:dashboard": FEDERATION,
    "federation:export": FEDERATION,
}
# The REST API's operations (parcours.api): a personal token is their only key, the session is
# none (401 JSON); with a token, the capability of the matching pages (tests/api has the rest).
API_TOKEN = {
    "api_v1:households_list": "view_households",
    "api_v1:household_detail": "view_households",
    "api_v1:persons_list": "view_households",
    "api_v1:touchpoints_list": "view_households",
    "api_v1:touchpoint_create": "record_touchpoints",
    "api_v1:stage_spans_list": "view_households",
    "api_v1:activities_list": "record_touchpoints",
    "api_v1:sessions_list": "record_touchpoints",
    "api_v1:attendance_list": "record_touchpoints",
    "api_v1:tasks_list": "work_on_tasks",
    "api_v1:measures_list": "view_aggregates",
    "api_v1:measure_detail": "view_aggregates",
}
EXPECTED.update(API_TOKEN)
# routes that only accept POST: an allowed GET is 405, an allowed empty POST is refused politely
POST_ONLY = {
    "journey:place",
    "accounts:second_factor_reset",
    "compliance:processor_delete",
    "activities:members",
    "worklists:bulk",
    "association_settings:logo_remove",
    "association_settings:neighbourhood_delete",
}
POST_ONLY |= {"team:invitation_revoke", "team:deactivate", "team:reactivate"}
POST_ONLY |= {"team:password_reset", "team:switch"}
POST_ONLY |= {"journey_editor:restore"}
POST_ONLY |= {"api:token_revoke", "api_v1:touchpoint_create"}
POST_ONLY |= {"reports:generate"}
# allauth's pages answer a signed-in user by their state (already signed in, no authenticator
# yet, recent sign-in needed...): a redirect or "not found", never a page of another member.
SIGN_IN_FLOW = {n for n in EXPECTED if n.startswith(("account_", "mfa_"))}
# pages reached by a secret address instead of a sign-in: a wrong address is "not found"
SECRET_ADDRESS = {"agenda:feed"}


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from _walk(p, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def all_routes():
    return dict(_walk(get_resolver()))


def test_every_route_is_in_the_matrix():
    assert set(all_routes()) == set(EXPECTED)


def _activity(world, which):
    from django_scopes import scopes_disabled

    from parcours.activities.models import Activity

    association = world.a if which == "a" else world.b
    with scopes_disabled():
        return Activity.objects.get_or_create(
            association=association, name="Access matrix", defaults={"category": "activity"}
        )[0]


def _session(world, which):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.activities.models import Session

    activity = _activity(world, which)
    with scopes_disabled():
        return Session.objects.get_or_create(
            association_id=activity.association_id, activity=activity,
            day=timezone.localdate(), defaults={"start_time": "14:00"},
        )[0]  # fmt: skip


# a route's <int:...> argument -> the object of association `which` it names
URL_KWARGS = {
    "pk": lambda world, which: world.household_a if which == "a" else world.household_b,
    "activity_pk": _activity,
    "session_pk": _session,
}


def _membership(world, which):
    from parcours.accounts.models import Membership

    return Membership.objects.get(user=world.user("volunteer", which))


URL_KWARGS["member_pk"] = _membership  # accounts: a member of the association
# the daily-operations apps name their own objects (tests/<app>/factories.py)
_APPS = ("outreach", "frontdesk", "support", "community", "worklists", "privacy", "compliance")
_APPS += ("background", "imports")
_APPS += ("team",)
_APPS += ("journey_editor",)
_APPS += ("directory",)
_APPS += ("association_settings",)
_APPS += ("api",)
_APPS += ("reports",)
for _app in _APPS:
    URL_KWARGS.update(__import__(f"tests.{_app}.factories", fromlist=["URL_KWARGS"]).URL_KWARGS)


def _object(key, world, which, role):
    """A factory may take the role walking the matrix (objects only their holder sees)."""
    import inspect

    factory = URL_KWARGS[key]
    if "role" in inspect.signature(factory).parameters:
        return factory(world, which, role=role)
    return factory(world, which)


def _url(name, world, which="a", role=None):
    import re

    from django.urls import reverse

    if name == "account_reset_password_from_key":
        return reverse(name, kwargs={"uidb36": "1", "key": "not-a-key"})
    if name in ("team:accept", "agenda:feed"):
        return reverse(name, kwargs={"token": "not-a-token"})
    if name == "api_v1:measure_detail":
        return reverse(name, kwargs={"key": "funnel"})
    pattern = str(all_routes()[name].pattern)
    kwargs = {k: _object(k, world, which, role).pk for k in re.findall(r"<int:(\w+)>", pattern)}
    return reverse(name, kwargs=kwargs)


def _allowed(rule, role):
    if rule == FEDERATION:
        return False
    if rule in (PUBLIC, ANY_MEMBER):
        return True
    if rule == OWN_HOUSEHOLD:
        return role == Role.PEER_FAMILY or "view_households" in ROLE_CAPABILITIES[role]
    return rule in ROLE_CAPABILITIES[role]


def _api_token(user) -> dict:
    from tests.api.conftest import token_for

    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}


def _api_post(client, url, headers):
    body = {"day": "2026-01-01", "kind": "info_request"}
    return client.post(url, body, content_type="application/json", **headers)


def _api_matrix(name, role, world, client, which="a"):
    """An API operation with a token of `role` (of association `which`): the session is no
    key (401); with the token, 200 (201 posted) if the role may, 403 if not, 404 for an
    object of another association."""
    client.force_login(world.user(role, which))
    url = _url(name, world, role=role)
    assert client.get(url).status_code in ((405,) if name in POST_ONLY else (401,))
    headers = _api_token(world.user(role, which))
    allowed, own = _allowed(API_TOKEN[name], role), which == "a"
    if name in POST_ONLY:
        assert client.get(url, **headers).status_code == 405
        response = _api_post(client, url, headers)
        expected = (201 if own else 404) if allowed else 403
    else:
        response = client.get(url, **headers)
        expected = 200 if own or "<int:" not in str(all_routes()[name].pattern) else 404
        expected = expected if allowed else 403
    assert response.status_code == expected, (name, role, which, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    if not own:
        assert b"Famille Martin" not in response.content


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_on_own_association(name, role, world, client):
    if name in API_TOKEN:
        return _api_matrix(name, role, world, client)
    client.force_login(world.user(role))
    url = _url(name, world, role=role)
    response = client.get(url)
    if name in ("account_logout", "set_language"):
        assert response.status_code in (200, 302, 405)
        return
    if name == "account_login":  # a signed-in user is sent home
        assert response.status_code == 302 and response["Location"] == "/"
        return
    if name in SIGN_IN_FLOW or name in SECRET_ADDRESS:
        assert response.status_code in (200, 302, 404), (name, role, response.status_code)
        return
    if _allowed(EXPECTED[name], role) and name in POST_ONLY:
        assert response.status_code == 405, (name, role, response.status_code)
        assert client.post(url, {}).status_code == 302
    elif _allowed(EXPECTED[name], role):
        assert response.status_code == 200, (name, role, response.status_code)
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(
    "name", [n for n in sorted(EXPECTED) if "<int:" in str(all_routes()[n].pattern)]
)
@pytest.mark.parametrize("role", ROLES)
def test_other_association_objects_are_unreachable(name, role, world, client):
    """A user of B asking for A's household sees 'not found' (or 'not allowed'), never data."""
    if name in API_TOKEN:
        return _api_matrix(name, role, world, client, which="b")
    client.force_login(world.user(role, "b"))
    url = _url(name, world, which="a", role=role)
    get = client.get(url)
    assert get.status_code in ((403, 404, 405) if name in POST_ONLY else (403, 404)), (name, role)
    assert b"Famille Martin" not in get.content
    for response in (client.post(url, {"name": "Hacked", "day": "2026-01-01"}),):
        assert response.status_code in (403, 404), (name, role, response.status_code)
        assert b"Famille Martin" not in response.content


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_anonymous_is_sent_to_login(name, world, client):
    response = client.get(_url(name, world))
    if name in API_TOKEN:  # the API answers programs: 401 JSON, no sign-in page
        assert response.status_code == (405 if name in POST_ONLY else 401)
        if name not in POST_ONLY:
            assert response.json()["detail"]
        return
    if name in SECRET_ADDRESS:
        assert response.status_code == 404
    elif EXPECTED[name] == PUBLIC:
        assert response.status_code in (200, 302, 405)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_user_without_membership_sees_nothing(world, client, django_user_model):
    lonely = django_user_model.objects.create_user("lonely", password="x")
    client.force_login(lonely)
    assert client.get("/").status_code == 403
    assert client.get(f"/households/{world.household_a.pk}/").status_code == 403


def test_search_never_crosses_associations(world, client):
    client.force_login(world.user(Role.COORDINATOR, "b"))
    response = client.get("/households/?q=Martin")
    assert response.status_code == 200
    assert b"Famille Martin" not in response.content
    response = client.get("/households/?q=Durand")
    assert b"Famille Durand" in response.content


def test_volunteer_never_sees_sensitive_fields(world, client):
    client.force_login(world.user(Role.VOLUNTEER))
    response = client.get(f"/households/{world.household_a.pk}/")
    assert response.status_code == 200
    assert b"Confidential listening note" not in response.content
    assert b"Logement" not in response.content
    client.force_login(world.user(Role.SOCIAL_WORKER))
    response = client.get(f"/households/{world.household_a.pk}/")
    assert b"Confidential listening note" in response.content
    assert b"Logement" in response.content


def test_disabled_account_loses_access(world, client):
    user = world.user(Role.COORDINATOR)
    client.force_login(user)
    assert client.get("/households/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/households/").status_code == 302


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_federation_viewer_reaches_no_association_page(name, world, client):
    """A federation's viewer holds no membership: every page of an association (any member's
    ones included) and every API operation refuses them; their home is the federation's page,
    and the sign-in pages answer them as any signed-in person."""
    from tests.federation.conftest import make_network

    network = make_network(world)
    client.force_login(network.viewer)
    url = _url(name, world)
    response = client.get(url)
    if name in API_TOKEN:  # no token: a viewer cannot make one (api:tokens refuses them)
        assert response.status_code in (401, 405), (name, response.status_code)
        return
    if name == "accounts:home":
        assert response.status_code == 302 and response["Location"] == "/federation/"
        return
    rule = EXPECTED[name]
    if rule == FEDERATION:
        assert response.status_code == 200, (name, response.status_code)
        return
    if name in ("account_logout", "set_language", "account_login"):
        assert response.status_code in (200, 302, 405)
        return
    if name in SIGN_IN_FLOW or name in SECRET_ADDRESS or rule == PUBLIC:
        assert response.status_code in (200, 302, 404), (name, response.status_code)
        return
    assert response.status_code == 403, (name, response.status_code)
    assert client.post(url, {}).status_code == 403
    assert b"Famille Martin" not in response.content


def test_a_member_with_a_federation_role_is_refused_the_federation(world, client):
    """Should an account hold both (made by hand in the database), the membership wins: the
    federation's page refuses it rather than mixing an association's access with its own."""
    from parcours.federation.models import FederationViewer
    from tests.federation.conftest import make_network

    network = make_network(world)
    coordinator = world.user(Role.COORDINATOR)
    FederationViewer.objects.create(user=coordinator, federation=network.federation)
    client.force_login(coordinator)
    assert client.get("/federation/").status_code == 403
    assert client.get("/federation/export.csv").status_code == 403
    client.force_login(network.viewer)
    assert client.get("/federation/").status_code == 200
