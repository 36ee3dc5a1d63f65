"""Journey integrity: a kind owned by a record is written only by that record's service."""

from __future__ import annotations

import pathlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.households import ownership
from parcours.households import services as hs
from parcours.households.models import Touchpoint, TouchpointKind
from parcours.journey.models import HouseholdJourney, StageSpan
from parcours.support import services as support
from tests.conftest import ROLES
from tests.journal import log_touchpoint

TODAY = timezone.localdate
SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "parcours"
OWNED = sorted(ownership.OWNERS)


def test_every_kind_is_owned_or_generic_exactly_once():
    assert set(ownership.OWNERS) | set(ownership.GENERIC_KINDS) == set(TouchpointKind.values)
    assert not set(ownership.OWNERS) & set(ownership.GENERIC_KINDS)
    # the kinds the journey counts as commitment are all owned
    assert {
        "support_opened", "support_closed", "role_started", "role_ended", "group_joined",
        "group_left", "sponsor_assigned", "sponsor_ended", "referral_made", "project_proposed",
        "intake_visit", "attendance", "activity_led", "absent_visit",
    } <= set(OWNED)  # fmt: skip


@pytest.mark.parametrize("kind", OWNED)
def test_each_owner_names_a_real_record_and_its_service_writes_the_kind(kind):
    owner = ownership.OWNERS[kind]
    model = owner.model_class()
    link = model._meta.get_field(owner.link)
    assert link.related_model is Touchpoint
    assert model._meta.get_field(owner.household).related_model._meta.label == (
        "households.Household"
    )
    source = (SRC / owner.service.removeprefix("parcours.").replace(".", "/")).with_suffix(".py")
    text = source.read_text()
    member = TouchpointKind(kind).name
    assert re.search(rf"\b(K|TouchpointKind)\.{member}\b", text), (kind, source)


def test_no_other_module_writes_an_owned_kind_or_the_unchecked_write():
    """Owned kinds appear as touchpoint_record arguments only in their owner's module, and the
    unchecked write is used by households.services alone (tests use tests/journal.py)."""
    for path in SRC.rglob("*.py"):
        module = "parcours." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        text = path.read_text()
        if module != "parcours.households.services":
            assert "_touchpoint_write" not in text, module
        assert "tests.journal" not in text, module
        for call in re.findall(r"touchpoint_record\((.*?)\)", text, flags=re.S):
            for kind in OWNED:
                member = TouchpointKind(kind).name
                if re.search(rf"\.{member}\b|[\"']{kind}[\"']", call):
                    assert ownership.OWNERS[kind].service == module, (kind, module)


@pytest.mark.parametrize("kind", OWNED)
def test_touchpoint_record_refuses_an_owned_kind_from_elsewhere(world, kind):
    with scopes_disabled():
        before = Touchpoint.objects.count(), AuditEvent.objects.count()
        with pytest.raises(ownership.OwnedKindError) as caught:
            hs.touchpoint_record(
                actor=None, household=world.household_a, day=TODAY(), kind=kind,
                activity=world.touchpoint_a.activity, ref=1,
            )  # fmt: skip
        assert "kind" in caught.value.message_dict
        assert (Touchpoint.objects.count(), AuditEvent.objects.count()) == before


def test_the_owner_module_still_needs_the_saved_record_of_the_same_household(world):
    """The record is checked even for the owner: none, unsaved, or another household's."""
    owner = ownership.OWNERS["support_opened"]
    with scope(association=[world.a.pk]):
        case = support.support_case_open(
            actor=None, household=world.household_a, opened_on=TODAY(), reason="Logement"
        )
    for record in (None, type(case)(household=world.household_a), case):
        household = world.household_b if record is case else world.household_a
        with pytest.raises(ownership.OwnedKindError):
            ownership.check_write(
                kind="support_opened", household=household, record=record, caller=owner.service
            )
    ownership.check_write(
        kind="support_opened", household=world.household_a, record=case, caller=owner.service
    )
    with pytest.raises(TypeError):  # a generic kind has no record
        ownership.check_write(
            kind="communication", household=world.household_a, record=case, caller=None
        )


def _journey(household):
    journey = HouseholdJourney.objects.filter(household=household).values_list("stage", "statuses")
    return list(journey), list(StageSpan.objects.filter(household=household).values_list("stage"))


@pytest.mark.parametrize("role", ROLES)
def test_the_generic_form_refuses_every_owned_kind_for_every_role(world, login, role):
    """The acceptance test: each owned kind, posted as each role, is refused; no row written."""
    client = login(world.user(role))
    household = world.household_a
    url = f"/households/{household.pk}/touchpoints/new/"
    allowed = role in ("admin", "coordinator", "social_worker", "volunteer")
    with scopes_disabled():
        before = Touchpoint.objects.count(), AuditEvent.objects.count(), _journey(household)
    for kind in OWNED:
        r = client.post(
            url,
            {"day": TODAY().isoformat(), "kind": kind, "note": "forged",
             "activity": world.touchpoint_a.activity_id},
        )  # fmt: skip
        if not allowed:
            assert r.status_code == 403, (role, kind)
            continue
        assert r.status_code == 200, (role, kind, r.status_code)
        errors = r.context["form"].errors
        assert list(errors) == ["kind"], (role, kind, errors)
        assert kind in errors["kind"][0] and errors["kind"][0].startswith("Type")
    with scopes_disabled():
        after = Touchpoint.objects.count(), AuditEvent.objects.count(), _journey(household)
    assert after == before


def test_the_error_reads_in_english_too(world, login):
    client = login(world.user("volunteer"))
    client.cookies["django_language"] = "en"
    r = client.post(
        f"/households/{world.household_a.pk}/touchpoints/new/",
        {"day": TODAY().isoformat(), "kind": "support_opened"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.context["form"].errors["kind"][0].startswith("Kind: « support_opened »")


@pytest.mark.parametrize("role", ["admin", "coordinator", "social_worker", "volunteer"])
def test_the_generic_form_offers_only_generic_kinds_and_records_them(world, login, role):
    client = login(world.user(role))
    url = f"/households/{world.household_a.pk}/touchpoints/new/"
    page = client.get(url).content.decode()
    offered = set(re.findall(r'<option value="(\w+)"', page))
    assert offered == set(ownership.GENERIC_KINDS)
    r = client.post(url, {"day": (TODAY() - timedelta(days=1)).isoformat(), "kind": "info_request"})
    assert r.status_code == 302
    with scopes_disabled():
        assert Touchpoint.objects.filter(household=world.household_a, kind="info_request").count()


def test_owner_services_write_their_kind_with_the_record_linked(world):
    with scope(association=[world.a.pk]):
        case = support.support_case_open(
            actor=None, household=world.household_a, opened_on=TODAY() - timedelta(days=2),
            reason="Logement",
        )  # fmt: skip
        support.support_case_close(actor=None, case=case, closed_on=TODAY(), outcome="resolved")
        case.refresh_from_db()
        assert case.opened_touchpoint.kind == "support_opened"
        assert case.closed_touchpoint.household_id == world.household_a.pk


def _check(*args):
    out = StringIO()
    try:
        call_command("touchpoints_check", *args, stdout=out)
    except CommandError as exc:
        return 1, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


def test_touchpoints_check_reports_owned_kinds_without_their_record(world):
    with scopes_disabled():
        Touchpoint.objects.filter(pk=world.touchpoint_a.pk).delete()  # an orphan attendance
    code, out, _err = _check()
    assert code == 0 and "No touchpoint" in out
    with scope(association=[world.a.pk]):
        support.support_case_open(
            actor=None, household=world.household_a, opened_on=TODAY(), reason="Logement"
        )
    assert _check()[0] == 0
    with scopes_disabled():
        forged = log_touchpoint(household=world.household_b, day=TODAY(), kind="role_started")
    code, out, err = _check()
    assert code == 1 and "1 touchpoint" in err
    assert out.splitlines() == [
        f"b\trole_started\thousehold {world.household_b.pk}\t{TODAY().isoformat()}\t"
        f"touchpoint {forged.pk}\tno record"
    ]
    assert _check("--association", "a")[0] == 0
    assert _check("--association", "b")[0] == 1
