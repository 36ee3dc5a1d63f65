from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from parcours.accounts.models import Association
from parcours.consent.basis import Basis


@pytest.fixture
def association(db):
    return Association.objects.create(name="Familles du Port", slug="port")


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


BASIS = Basis("consent", date(2025, 1, 10), frozenset({"follow_up"}))


def snapshot(association) -> list:
    """What an import wrote, comparable between variants (no ids, no times)."""
    from parcours.households.models import Household

    with scopes_disabled():
        out = []
        for h in Household.objects.filter(association=association).order_by("name"):
            journey = h.journeys.first()
            out.append((
                h.name, h.neighbourhood, h.phone, h.heard_from,
                sorted((p.first_name, p.last_name, p.birth_year, p.relation, p.is_contact)
                       for p in h.persons.all()),
                sorted((t.day, t.kind, t.activity.name if t.activity else "")
                       for t in h.touchpoints.all()),
                journey.stage if journey else None,
            ))  # fmt: skip
        return out
