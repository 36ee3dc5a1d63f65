"""The daily-operations pages (outreach, front desk, support, community) in a real browser, on
a desktop and a phone: axe-core (WCAG 2.1 A and AA) finds no violation and the phone never
scrolls sideways. Set PARCOURS_SHOTS=/some/dir to keep a screenshot of each page."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.conftest import axe_violations, format_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def _records(a):
    from django_scopes import scope

    from parcours.community import services as cs
    from parcours.frontdesk import services as fs
    from parcours.outreach import services as os_
    from parcours.support import services as ss

    today = timezone.localdate()
    h, other = a.household("Famille Benali"), a.household("Famille Martin")
    coordinator = a.users["coordinator"]
    with scope(association=[a.association.pk]):
        action = os_.action_create(
            actor=coordinator, association=a.association, day=today, place="Marché des Tilleuls",
            channel="street_stand", neighbourhood="Les Tilleuls", team=[a.users["volunteer"]],
        )  # fmt: skip
        os_.contact_record(actor=coordinator, action=action, household=h)
        visit = fs.intake_visit_record(
            actor=coordinator, association=a.association, household=other, day=today,
            reception="Café", listening_notes="Notes", explanations=["missions"],
        )  # fmt: skip
        case = ss.support_case_open(
            actor=coordinator, household=other, opened_on=today - timedelta(days=3),
            reason="Dettes", next_review=today + timedelta(days=7),
        )  # fmt: skip
        ss.support_followup_add(actor=coordinator, case=case, day=today, note="Appel")
        group = cs.group_create(actor=coordinator, association=a.association, name="Mamans")
        membership = cs.group_join(actor=coordinator, group=group, household=h, start=today)
        cs.sponsorship_start(actor=coordinator, household=other, start=today, sponsor_household=h)
        cs.role_start(actor=coordinator, household=h, kind="committee_member", start=today)
        cs.communication_record(
            actor=coordinator, association=a.association, day=today, kind="newsletter",
            subject="Fête", group=group,
        )  # fmt: skip
    return {"action": action, "visit": visit, "case": case, "group": group,
            "membership": membership, "h": h}  # fmt: skip


def _pages(r):
    hh = r["h"].pk
    return {
        "coordinator": [
            ("outreach-list", "/outreach/"),
            ("outreach-new", "/outreach/new/"),
            ("outreach-action", f"/outreach/{r['action'].pk}/"),
            ("outreach-reached", f"/outreach/{r['action'].pk}/reached/?q=Martin"),
            ("frontdesk", "/frontdesk/?q=Famille"),
            ("frontdesk-request", "/frontdesk/requests/new/?q=Ben"),
            ("frontdesk-intake", f"/frontdesk/welcome-visits/new/?household={hh}"),
            ("frontdesk-appointment", f"/frontdesk/appointments/new/?household={hh}"),
            ("frontdesk-peer", f"/frontdesk/peer-contacts/new/?household={hh}"),
            ("frontdesk-visit", f"/frontdesk/welcome-visits/{r['visit'].pk}/"),
            ("support-list", "/support/"),
            ("support-open", f"/support/new/?household={hh}"),
            ("support-case", f"/support/{r['case'].pk}/"),
            ("support-close", f"/support/{r['case'].pk}/close/"),
            ("community", "/community/"),
            ("community-group", f"/community/groups/{r['group'].pk}/"),
            ("community-group-new", "/community/groups/new/"),
            ("community-join", f"/community/groups/{r['group'].pk}/join/?household={hh}"),
            ("community-leave", f"/community/memberships/{r['membership'].pk}/end/"),
            ("community-sponsor", f"/community/sponsorships/new/?household={hh}"),
            ("community-referral", f"/community/referrals/new/?household={hh}"),
            ("community-role", f"/community/roles/new/?household={hh}"),
            ("community-project", f"/community/projects/new/?household={hh}"),
            ("community-communications", "/community/communications/"),
            ("community-communication-new", "/community/communications/new/"),
            ("household", f"/households/{hh}/"),
        ],
        "volunteer": [
            ("volunteer-household", f"/households/{hh}/"),
            ("volunteer-absent-visit", f"/community/absent-visits/new/?household={hh}"),
        ],
        "peer_family": [("peer-absent-visit", "/community/absent-visits/new/")],
    }


@pytest.mark.parametrize("role", ["coordinator", "volunteer", "peer_family"])
def test_pages_are_accessible_on_desktop_and_phone(association, login_as, page, viewport, role):
    records = _records(association)
    login_as(role)
    shots = os.environ.get("PARCOURS_SHOTS")
    problems = []
    for name, url in _pages(records)[role]:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        violations = axe_violations(page)
        if violations:
            problems.append(f"{name}: axe found\n{format_violations(violations)}")
        if viewport == "phone" and (overflow := horizontal_overflow(page)):
            problems.append(f"{name}: scrolls sideways on the phone: {overflow}")
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{viewport}.png"), full_page=True)
    assert not problems, "\n".join(problems)


def test_duplicate_household_is_proposed_in_the_browser(association, login_as, page, viewport):
    """On the street, on a phone: the same family typed differently is proposed and linked."""
    records = _records(association)
    login_as("volunteer")
    page.goto(f"/outreach/{records['action'].pk}/reached/")
    page.locator("#id_name").fill("benali")
    page.locator("#id_neighbourhood").select_option("Les Tilleuls")
    page.locator("#id_phone").fill("+33 6 12 34 56 78")
    page.locator("#id_purposes_0").check()  # follow-up
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.get_by_text("Cette famille est peut-être déjà connue").is_visible()
    assert not axe_violations(page)
    page.get_by_role("button", name="C’est cette famille").click()
    page.wait_for_load_state()
    assert page.get_by_text("est enregistré comme rencontré").is_visible()
