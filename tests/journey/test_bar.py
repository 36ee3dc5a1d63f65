"""The household journey bar: the state of each stage, the reason in plain words, what would
move the family next, on the household page."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.engine.definition import shipped_definition
from parcours.journey.bar import build_steps, plain_reasons
from tests.journal import log_touchpoint

DEFINITION = shipped_definition("beneficiary", "beneficiary")


def span(stage, start, end=None, skipped=(), regression=False):
    return SimpleNamespace(
        stage=stage, start=start, end=end, skipped=list(skipped), regression=regression
    )


def test_steps_passed_skipped_current_and_fallen_back():
    spans = [
        span("research", date(2026, 1, 2), date(2026, 1, 5), skipped=["awareness"]),
        span("acquisition", date(2026, 1, 5), date(2026, 1, 10), skipped=["selection"]),
        span("discovery", date(2026, 1, 10), date(2026, 1, 24)),
        span("usage", date(2026, 1, 24), date(2026, 3, 11)),
        span("discovery", date(2026, 3, 11), regression=True),
    ]
    with translation.override("en"):
        steps, current = build_steps(DEFINITION, spans)
    assert [s.state for s in steps] == [
        "skipped", "passed", "skipped", "passed", "current", "fell_back",
        "ahead", "ahead", "ahead", "ahead",
    ]  # fmt: skip
    assert current is not None and current.label == "Discovery" and current.order == 5
    assert current.first == date(2026, 1, 10)  # first reached, not the last return
    assert steps[5].first == date(2026, 1, 24) and steps[5].left == date(2026, 3, 11)


def test_a_reader_without_support_gets_no_support_stage():
    steps, _current = build_steps(DEFINITION, [span("usage", date(2026, 1, 2))], {"maintenance"})
    assert [s.key for s in steps if s.key == "maintenance"] == []
    assert [s.order for s in steps] == list(range(1, 10))


def test_the_reason_says_what_happened_not_the_rule():
    stored = [
        {
            "code": "attendance_distinct",
            "params": {"count": 3, "distinct": 2, "window_days": 90, "needed": 8,
                       "needed_distinct": 2, "kind": "attendance"},
        }
    ]  # fmt: skip
    with translation.override("fr"):
        assert plain_reasons(stored) == ["3 présences dans 2 activités ces 90 derniers jours"]
    with translation.override("en"):
        assert plain_reasons(stored) == ["3 attendances in 2 activities over the last 90 days"]


@pytest.mark.django_db
def test_the_household_page_says_what_would_move_the_family_next(world, client):
    today = timezone.localdate()
    with scopes_disabled():
        h = world.household_a
        activity = world.touchpoint_a.activity
        log_touchpoint(household=h, day=today - timedelta(days=3), kind="intake_visit")
        log_touchpoint(household=h, day=today - timedelta(days=2), kind="attendance",
                       activity=activity)  # fmt: skip
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(f"/households/{h.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'class="journey-bar"' in page and 'aria-current="step"' in page
    assert "Étape 5 sur 10 : Découverte" in page
    assert f"encore 2 présences à {activity.name}" in page
    assert "Pour passer à Utilisation :" in page
