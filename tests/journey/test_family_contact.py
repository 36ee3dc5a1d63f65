"""One definition of "a contact from the family".

The shipped journey's "active" and "dormant" statuses, the retention clock of the active base
(parcours.compliance), the family list's "last contact" and the worklist of families to
re-contact all count the same touchpoint kinds: FAMILY_CONTACT_KINDS. A family that only hears
from the association (a message, a sponsor assigned, a support case closed) is not active and
its record leaves the active base on time; a family that went to find an absent family did act.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from parcours.compliance.selectors import FAMILY_CONTACT_KINDS, NOT_FAMILY_CONTACT_KINDS
from parcours.engine import Touchpoint, shipped_definition, timeline
from parcours.engine.columns import KINDS
from parcours.households.models import TouchpointKind

AS_OF = date(2026, 3, 10)


def _statuses(kinds_and_days_ago: list[tuple[str, int]]) -> set[str]:
    tps = [Touchpoint(day=AS_OF - timedelta(days=d), kind=k) for k, d in kinds_and_days_ago]
    spans = timeline(tps, shipped_definition(), AS_OF).status_spans
    return {s.status for s in spans if s.end is None}


def test_every_kind_is_decided_one_way_or_the_other():
    # a new touchpoint kind must be placed on one side on purpose
    assert set(FAMILY_CONTACT_KINDS) | set(NOT_FAMILY_CONTACT_KINDS) == set(TouchpointKind.values)
    assert not set(FAMILY_CONTACT_KINDS) & set(NOT_FAMILY_CONTACT_KINDS)
    assert set(TouchpointKind.values) == set(KINDS)
    assert "absent_visit" in FAMILY_CONTACT_KINDS  # the family went to find another one
    assert "communication" in NOT_FAMILY_CONTACT_KINDS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_active_and_dormant_count_exactly_the_family_contacts(kind):
    # the family was last seen 200 days ago; `kind` happened 10 days ago
    statuses = _statuses([("intake_visit", 200), (kind, 10)])
    if kind in FAMILY_CONTACT_KINDS:
        assert "dormant" not in statuses, kind
    else:
        assert "dormant" in statuses, kind
        assert "active" not in statuses, kind


def test_a_family_that_visits_absent_families_is_not_dormant():
    # last at an activity 300 days ago: absent (so not "active"), but not dormant either
    statuses = _statuses([("attendance", 300), ("absent_visit", 3)])
    assert "dormant" not in statuses and "absent" in statuses
    assert "dormant" in _statuses([("attendance", 300), ("communication", 3)])


def test_retention_and_recontact_read_the_same_last_contact(world):
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Membership
    from parcours.accounts.roles import Role
    from parcours.compliance.selectors import last_family_contacts
    from parcours.households import services as hs
    from parcours.journey.models import HouseholdJourney
    from parcours.worklists.selectors import households_to_recontact
    from tests.basis import BASIS
    from tests.journal import log_touchpoint

    today = date.today()
    seen = today - timedelta(days=400)
    with scopes_disabled():
        h = hs.household_create(
            lawful_basis=BASIS, actor=None, association=world.a, name="Famille Ouedraogo-Lefèvre"
        )
        log_touchpoint(actor=None, household=h, day=seen, kind="intake_visit")
        log_touchpoint(actor=None, household=h, day=today - timedelta(days=5), kind="communication")
        log_touchpoint(
            actor=None, household=h, day=today - timedelta(days=4), kind="sponsor_assigned"
        )
        assert last_family_contacts([h.pk]) == {h.pk: seen}
        assert "dormant" in HouseholdJourney.objects.get(household=h).statuses
        coordinator = Membership.objects.get(user=world.user(Role.COORDINATOR))
        rows = {r.pk: r.last_contact for r in households_to_recontact(coordinator, today=today)}
    # before: the list read the sponsor assigned 4 days ago as the family's last contact
    assert rows[h.pk] == seen
