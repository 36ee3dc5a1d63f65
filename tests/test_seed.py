"""The demo association: realistic, spread over all ten stages, one login per role."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import authenticate
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.cli import build_parser
from parcours.journey.models import HouseholdJourney, StageSpan
from parcours.seed import DEMO_PASSWORD, DEMO_USERS, seed_association


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = seed_association(
            name="Démo", slug="demo", households=300, seed=2026, end=date(2026, 11, 1)
        )
        yield result
        with scopes_disabled():
            result.association.delete()
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(username__in=[u for u, *_ in DEMO_USERS]).delete()


@pytest.mark.django_db
def test_demo_spreads_over_all_ten_stages(demo):
    with scopes_disabled():
        stages = set(
            HouseholdJourney.objects.filter(association=demo.association).values_list(
                "stage", flat=True
            )
        )
        assert stages >= {
            "awareness", "research", "selection", "acquisition", "discovery", "usage",
            "maintenance", "loyalty", "recommendation", "engagement",
        }  # fmt: skip
        assert demo.household_count == 300
        assert 10_000 < demo.touchpoint_count < 30_000
        # history over two years, with regressions recorded
        assert StageSpan.objects.filter(association=demo.association, regression=True).exists()


@pytest.mark.django_db
def test_demo_has_one_login_per_role(demo):
    with scopes_disabled():
        roles = set(
            Membership.objects.filter(association=demo.association).values_list("role", flat=True)
        )
        assert roles == {role for _, role, _ in DEMO_USERS}
        peer = Membership.objects.get(association=demo.association, role="peer_family")
        assert peer.household is not None
    for username, *_ in DEMO_USERS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None


def test_cli_knows_its_commands():
    parser = build_parser()
    assert parser.parse_args(["demo", "--no-serve", "--households", "20"]).households == 20
    assert parser.parse_args(["serve", "--bind", "0.0.0.0:9000"]).bind == "0.0.0.0:9000"
    with pytest.raises(SystemExit):
        parser.parse_args(["nonsense"])
