"""Consent at the service level: no creation without a lawful basis, and withdrawal's
consequences in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.community import services as community
from parcours.community.models import ClosureReason, Communication, Sponsorship
from parcours.consent import selectors, services
from parcours.consent.basis import Basis
from parcours.consent.models import ConsentRecord, LawfulBasis, Purpose
from parcours.households import services as hs
from parcours.households.duplicates import DuplicateHousehold
from parcours.households.models import Household, Person
from parcours.worklists.models import Task
from tests.basis import BASIS, COVERED
from tests.journal import log_touchpoint

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _new(world, name="Famille Keita", **kw):
    return hs.household_create(actor=world.user("coordinator"), association=world.a, name=name,
                               **({"lawful_basis": BASIS} | kw))  # fmt: skip


def test_creation_records_follow_up_and_each_purpose_consented(world):
    basis = Basis.consent(date(2026, 2, 3), [Purpose.FOLLOW_UP, Purpose.MESSAGES],
                          collected_by_name="CCAS de Roubaix")  # fmt: skip
    h = _new(world, lawful_basis=basis)
    rows = ConsentRecord.objects.filter(household=h).order_by("purpose")
    assert [(r.purpose, r.basis, r.action, r.day) for r in rows] == [
        ("follow_up", "consent", "given", date(2026, 2, 3)),
        ("messages", "consent", "given", date(2026, 2, 3)),
    ]
    assert {r.collected_by for r in rows} == {world.user("coordinator")}
    assert {r.collected_by_name for r in rows} == {"CCAS de Roubaix"}
    audit = AuditEvent.objects.filter(
        object_type="consent.consentrecord", object_id__in=[r.pk for r in rows]
    )
    assert audit.count() == 2 and "collected_by_name" in audit.first().fields


@pytest.mark.parametrize(
    "basis,field",
    [
        (None, "basis"),
        (Basis("consent", TODAY(), frozenset({"messages"})), "purposes"),
        (Basis("consent", None, frozenset({"follow_up"})), "consent_day"),
        # tomorrow as the test runs (a run may cross midnight after collection)
        (
            lambda: Basis("consent", TODAY() + timedelta(days=1), frozenset({"follow_up"})),
            "consent_day",
        ),
        (Basis("consent", date(1, 1, 1), frozenset({"follow_up"})), "consent_day"),
        (Basis("legitimate_interest", TODAY(), frozenset()), "basis"),  # not allowed by policy
        (Basis("contract", TODAY(), frozenset({"follow_up"})), "basis"),
    ],
)
def test_household_service_refuses_a_creation_without_a_valid_basis(world, basis, field):
    before = (Household.objects.count(), ConsentRecord.objects.count(), AuditEvent.objects.count())
    basis = basis() if callable(basis) else basis
    with pytest.raises(ValidationError) as exc:
        _new(world, lawful_basis=basis)
    assert field in exc.value.message_dict
    after = (Household.objects.count(), ConsentRecord.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_the_refusal_is_clear_in_english_and_in_french(world):
    expected = {
        "en": "Lawful basis: record the family's consent",
        "fr": "Base légale : enregistrez le consentement de la famille",
    }
    for lang, words in expected.items():
        with translation.override(lang), pytest.raises(ValidationError) as exc:
            _new(world, lawful_basis=None)
        assert words in exc.value.message_dict["basis"][0]


def test_another_basis_only_when_the_policy_allows_it_and_only_for_follow_up(world):
    services.policy_set(actor=None, association=world.a, other_bases=["legitimate_interest"],
                        justification="Mise en balance du 5 janvier 2026")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.policy_set(actor=None, association=world.a, other_bases=["public_task"])
    assert "justification" in exc.value.message_dict
    basis = Basis(LawfulBasis.LEGITIMATE_INTEREST, TODAY(), frozenset({Purpose.PHOTOS}))
    h = _new(world, lawful_basis=basis)
    state = selectors.current(h)
    assert state[(None, "follow_up")].basis == "legitimate_interest"
    assert state[(None, "photos")].basis == "consent"  # photos still rest on consent
    assert (None, "messages") not in state


def test_person_add_needs_a_basis_the_household_one_or_their_own(world):
    h = _new(world, lawful_basis=Basis.consent(TODAY()))
    hs.person_add(actor=None, household=h, first_name="Awa", relation="parent",
                  lawful_basis=COVERED)  # fmt: skip
    own = Basis.consent(TODAY(), [Purpose.FOLLOW_UP])
    teen = hs.person_add(actor=None, household=h, first_name="Moussa", relation="child",
                         lawful_basis=own)  # fmt: skip
    assert selectors.current(h)[(teen.pk, "follow_up")].person == teen
    with pytest.raises(ValidationError) as exc:
        hs.person_add(actor=None, household=h, first_name="X", relation="other")
    assert "basis" in exc.value.message_dict
    services.consent_withdraw(actor=None, household=h, purposes=[Purpose.FOLLOW_UP])
    before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:  # the household's basis is gone
        hs.person_add(actor=None, household=h, first_name="Y", relation="other",
                      lawful_basis=COVERED)  # fmt: skip
    assert "basis" in exc.value.message_dict and Person.objects.count() == before


def test_the_service_refuses_a_likely_duplicate_unless_confirmed(world):
    before = Household.objects.count()
    with pytest.raises(DuplicateHousehold) as dup:
        _new(world, name="famille MARTIN", neighbourhood="Les Tilleuls")
    assert dup.value.matches[0].household == world.household_a
    assert Household.objects.count() == before and not ConsentRecord.objects.filter(
        household__name="famille MARTIN").exists()  # fmt: skip
    _new(world, name="famille MARTIN", neighbourhood="Les Tilleuls", allow_duplicate=True)
    assert Household.objects.count() == before + 1


def test_withdrawing_messages_refuses_messages_and_skips_the_family_in_a_group(world):
    h, other = _new(world), _new(world, name="Famille Okafor")
    group = community.group_create(actor=None, association=world.a, name="Groupe du mardi")
    for member in (h, other):
        community.group_join(actor=None, group=group, household=member, start=TODAY())
    services.consent_withdraw(actor=None, household=h, purposes=[Purpose.MESSAGES])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        community.communication_record(actor=None, association=world.a, day=TODAY(),
                                       kind="message", subject="Sortie", household=h)  # fmt: skip
    assert "withdrew its consent to messages" in exc.value.message_dict["household"][0]
    assert not Communication.objects.filter(household=h).exists()
    comm = community.communication_record(
        actor=None, association=world.a, day=TODAY(), kind="message", subject="Sortie", group=group
    )
    assert {r.household for r in comm.recipients.all()} == {other}
    # a call is follow-up, not a message: still possible, until follow-up is withdrawn too
    community.communication_record(actor=None, association=world.a, day=TODAY(), kind="call",
                                   subject="Nouvelles", household=h)  # fmt: skip
    services.consent_withdraw(actor=None, household=h, purposes=[Purpose.FOLLOW_UP])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        community.communication_record(actor=None, association=world.a, day=TODAY(),
                                       kind="call", subject="Nouvelles", household=h)  # fmt: skip
    assert "withdrew its consent to follow-up" in exc.value.message_dict["household"][0]


def test_withdrawing_sponsoring_ends_the_sponsorship_in_the_same_transaction(world):
    h, sponsor = _new(world), _new(world, name="Famille Marraine")
    sp = community.sponsorship_start(actor=None, household=h, start=TODAY() - timedelta(days=9),
                                     sponsor_household=sponsor)  # fmt: skip
    services.consent_withdraw(actor=world.user("coordinator"), household=h,
                              purposes=[Purpose.SPONSORING])  # fmt: skip
    sp.refresh_from_db()
    assert sp.end == TODAY() and sp.closure_reason == ClosureReason.CONSENT_WITHDRAWN
    assert sp.ended_touchpoint.kind == "sponsor_ended"
    with pytest.raises(ValidationError) as exc:
        community.sponsorship_start(actor=None, household=h, start=TODAY(),
                                    sponsor_household=sponsor)  # fmt: skip
    assert "household" in exc.value.message_dict
    assert Sponsorship.objects.filter(household=h, end=None).count() == 0


def test_withdrawing_sponsoring_closes_the_assign_sponsor_task(world):
    activity = world.touchpoint_a.activity
    h = _new(world)
    log_touchpoint(household=h, day=TODAY() - timedelta(days=2), kind="attendance",
                   activity=activity)  # fmt: skip
    assert Task.objects.get(household=h, rule="assign_sponsor").is_open
    services.consent_withdraw(actor=None, household=h, purposes=[Purpose.SPONSORING])
    assert not Task.objects.get(household=h, rule="assign_sponsor").is_open


def test_a_failed_consequence_leaves_no_withdrawal_behind(world, monkeypatch):
    h, sponsor = _new(world), _new(world, name="Famille Marraine")
    community.sponsorship_start(actor=None, household=h, start=TODAY(), sponsor_household=sponsor)

    def broken(**kwargs):
        raise RuntimeError("the sponsorship could not end")

    monkeypatch.setattr(community, "sponsorship_end", broken)
    with pytest.raises(RuntimeError):
        services.consent_withdraw(actor=None, household=h, purposes=[Purpose.SPONSORING])
    assert selectors.withdrawal(h, Purpose.SPONSORING) is None


def test_withdraw_everything_covers_members_own_consents_and_keeps_history(world):
    h = _new(world)
    teen = hs.person_add(
        actor=None,
        household=h,
        first_name="Moussa",
        relation="child",
        lawful_basis=Basis.consent(TODAY(), [Purpose.FOLLOW_UP, Purpose.PHOTOS]),
    )
    rows = services.consent_withdraw(actor=None, household=h)
    assert {(r.person_id, r.purpose) for r in rows} == {
        (None, "follow_up"), (None, "sponsoring"), (None, "messages"), (None, "photos"),
        (teen.pk, "follow_up"), (teen.pk, "photos"),
    }  # fmt: skip
    summary = selectors.consent_summary(h, history=True)
    assert summary.by_purpose["photos"].withdrawn and not summary.has_basis
    assert len(summary.history) == 12  # 6 given, 6 withdrawn: nothing overwritten
    with pytest.raises(ValidationError) as exc:
        services.consent_withdraw(actor=None, household=h)
    assert "purposes" in exc.value.message_dict


def test_one_member_withdraws_photos_for_themself_only(world):
    h = _new(world)
    amina = hs.person_add(actor=None, household=h, first_name="Amina", relation="parent",
                          lawful_basis=COVERED)  # fmt: skip
    services.consent_withdraw(actor=None, household=h, purposes=["photos"], person=amina)
    state = selectors.current(h)
    assert not selectors.is_given(state, "photos", amina.pk)
    assert selectors.is_given(state, "photos")  # the rest of the household still agrees


def test_consent_can_be_given_again_after_a_withdrawal(world):
    h = _new(world, lawful_basis=Basis.consent(TODAY(), [Purpose.FOLLOW_UP]))
    services.consent_give(actor=None, household=h, purposes=["messages"], day=TODAY())
    services.consent_withdraw(actor=None, household=h, purposes=["messages"])
    services.consent_give(actor=None, household=h, purposes=["messages"], day=TODAY())
    assert selectors.withdrawal(h, "messages") is None
    with pytest.raises(ValidationError) as exc:
        services.consent_give(actor=None, household=h, purposes=["messages"], day=TODAY())
    assert "purposes" in exc.value.message_dict


def test_sponsor_matching_leaves_out_families_that_withdrew_sponsoring(world):
    from django_scopes import scope

    from parcours.journey.models import HouseholdJourney
    from parcours.worklists.matching import needs_and_candidates

    activity = world.touchpoint_a.activity
    needing, peer = _new(world), _new(world, name="Famille Paire")
    log_touchpoint(household=needing, day=TODAY() - timedelta(days=2), kind="attendance",
                   activity=activity)  # fmt: skip
    HouseholdJourney.objects.update_or_create(
        household=peer, defaults={"association": world.a, "computed_on": TODAY(),
                                  "stage": "recommendation"},
    )  # fmt: skip

    def matched():
        with scope(association=[world.a.pk]):
            households, _needs, candidates = needs_and_candidates(world.a)
        return {h.pk for h in households}, {c.household_id for c in candidates}

    needs, families = matched()
    assert needing.pk in needs and peer.pk in families
    for h in (needing, peer):  # the rows alone, so that only the matching's filter is tested
        ConsentRecord.objects.create(association=world.a, household=h, purpose="sponsoring",
                                     basis="consent", action="withdrawn", day=TODAY())  # fmt: skip
    needs, families = matched()
    assert needing.pk not in needs and peer.pk not in families


def test_withdrawing_follow_up_closes_every_task_and_proposes_none(world):
    from parcours.worklists.regenerate import tasks_regenerate

    activity = world.touchpoint_a.activity
    h = _new(world)
    log_touchpoint(household=h, day=TODAY() - timedelta(days=40), kind="attendance",
                   activity=activity)  # fmt: skip
    assert Task.objects.filter(household=h, state="open").exists()
    services.consent_withdraw(actor=None, household=h, purposes=[Purpose.FOLLOW_UP])
    assert not Task.objects.filter(household=h, state="open").exists()
    tasks_regenerate(h, as_of=TODAY() + timedelta(days=60))  # the daily job, later on
    assert not Task.objects.filter(household=h, state="open").exists()
