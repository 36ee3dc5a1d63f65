"""The journey in a coordinator's words (issue 12, item 10): why a family is at its stage and
what would move it next say what happened, in French and in English, never the rule's name nor
its touchpoint kinds joined by "or". Rendered through the engine and the household page, on
households built from their touchpoints, at a frozen date."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.households.models import Household
from tests.journal import log_touchpoint

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-03-10 12:00:00+01:00", tick=False)


def built(world, name: str, *history):
    """A household of association A with touchpoints (days ago, kind[, activity])."""
    with scopes_disabled():
        h = Household.objects.create(association=world.a, name=name)
        for i, (days, kind, *activity) in enumerate(history):
            log_touchpoint(
                household=h, day=TODAY - timedelta(days=days), kind=kind,
                activity=activity[0] if activity else None,
                ref=100 + i if kind in ("group_joined", "support_opened") else None,
            )  # fmt: skip
    return h


def shown(client, household, language: str) -> dict[str, str]:
    """The household page's plain reason, next step and rule sentence, as text."""
    client.cookies["django_language"] = language
    page = client.get(f"/households/{household.pk}/").content.decode()
    out = {}
    for key, css in (("why", "plain-reason"), ("next", "next-step"), ("rule", "placement-reason")):
        found = re.search(rf'<p class="{css}">(.*?)</p>', page, re.S)
        text = re.sub(r"<[^>]+>", "", found.group(1)) if found else ""
        out[key] = " ".join(html.unescape(text).split())
    return out


@pytest.mark.django_db
def test_selection_says_which_step_the_family_took(world, client):
    h = built(world, "Famille Rendez-vous", (30, "outreach_contact"), (5, "appointment_booked"))
    client.force_login(world.user(Role.COORDINATOR))
    fr, en = shown(client, h, "fr"), shown(client, h, "en")
    assert fr["why"] == "Pourquoi : A pris rendez-vous le 5 mars 2026"
    assert en["why"] == "Why: Booked an appointment on March 5, 2026"
    assert fr["rule"] == "Sélection : A pris rendez-vous le 5 mars 2026"
    assert fr["next"] == "Pour passer à Acquisition : une visite d’accueil"
    assert en["next"] == "To move on to Acquisition: a welcome visit"
    for text in (fr["why"], fr["rule"], en["why"], en["rule"]):
        assert " ou " not in text and " or " not in text and "×" not in text


@pytest.mark.django_db
def test_recommendation_names_both_things_the_family_did(world, activities, client):
    cafe, cuisine = activities
    attendances = [(70 - 8 * i, "attendance", (cafe, cuisine)[i % 2]) for i in range(8)]
    h = built(
        world, "Famille Ambassadrice", (80, "intake_visit"), *attendances,
        (12, "absent_visit"), (4, "absent_visit"), (2, "referral_made"),
    )  # fmt: skip
    client.force_login(world.user(Role.COORDINATOR))
    fr, en = shown(client, h, "fr"), shown(client, h, "en")
    assert fr["why"] == (
        "Pourquoi : A rendu visite 2 fois à des familles absentes, la dernière le 6 mars 2026 "
        "et a amené une autre famille le 8 mars 2026"
    )
    assert en["why"] == (
        "Why: Visited absent families 2 times, the last on March 6, 2026 and brought another "
        "family on March 8, 2026"
    )
    assert en["next"] == (
        "To move on to Engagement: a role in the association, an activity led by the family "
        "or a project proposed by the family"
    )


@pytest.mark.django_db
def test_loyalty_counts_attendances_and_the_rule_gives_its_threshold(world, activities, client):
    cafe, cuisine = activities
    attendances = [(80 - 9 * i, "attendance", (cafe, cuisine)[i % 2]) for i in range(9)]
    h = built(world, "Famille Fidèle", (85, "intake_visit"), *attendances)
    client.force_login(world.user(Role.COORDINATOR))
    fr, en = shown(client, h, "fr"), shown(client, h, "en")
    assert fr["why"] == "Pourquoi : 9 présences dans 2 activités ces 90 derniers jours"
    assert en["why"] == "Why: 9 attendances in 2 activities over the last 90 days"
    assert fr["rule"] == (
        "Fidélisation : 9 présences dans 2 activités ces 90 derniers jours "
        "(l’étape en demande 8 dans 2 activités)"
    )
    assert fr["next"] == (
        "Pour passer à Recommandation : une visite à une famille absente ou une autre famille "
        "amenée à l’association"
    )


@pytest.mark.django_db
def test_a_group_member_is_in_a_group_since_a_day(world, activities, client):
    cafe, _cuisine = activities
    h = built(world, "Famille Groupe", (30, "intake_visit"), (20, "attendance", cafe),
              (9, "group_joined"))  # fmt: skip
    client.force_login(world.user(Role.COORDINATOR))
    fr, en = shown(client, h, "fr"), shown(client, h, "en")
    assert fr["why"] == "Pourquoi : Dans un groupe de familles depuis le 1 mars 2026"
    assert en["why"] == "Why: In a group of families since March 1, 2026"
