"""The bench's fast seeding writes the touchpoint rows seed_association writes."""

from __future__ import annotations

from datetime import date

from django_scopes import scopes_disabled

from bench import django_db
from bench.steps import STEPS
from parcours.demo.generator import generate
from parcours.households.models import Household, Touchpoint
from parcours.seed import seed_association

END = date(2025, 6, 30)


def _rows(association) -> list[tuple]:
    with scopes_disabled():
        order = {
            pk: i
            for i, pk in enumerate(
                Household.objects.filter(association=association)
                .order_by("id")
                .values_list("id", flat=True)
            )
        }
        return sorted(
            (
                order[t.household_id],
                t.day,
                t.kind,
                None if t.activity is None else t.activity.name,
                order.get(t.ref, t.ref) if t.kind == "referral_made" else t.ref,
            )
            for t in Touchpoint.objects.filter(association=association).select_related("activity")
        )


def test_fast_seed_writes_the_rows_of_seed_association(db):
    reference = seed_association(
        name="Ref",
        slug="ref",
        households=40,
        seed=4,
        end=END,
        with_users=False,
        with_domain=False,
    )
    fast = django_db.seed(generate(40, seed=4, end=END), END)
    assert _rows(fast["association"]) == _rows(reference.association)
    assert fast["timings"]["journey_recompute_s"] > 0


def test_the_django_steps_are_registered():
    assert {"recompute_reasons", "touchpoint_latency", "orm_naive"} <= set(STEPS)
    assert STEPS["touchpoint_latency"].sizes == frozenset({"M"})
    assert STEPS["orm_naive"].sizes == frozenset({"S"})
