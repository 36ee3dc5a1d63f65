"""The bench's fast seeding writes the generator's touchpoints as drawn."""

from __future__ import annotations

from datetime import date

from django_scopes import scopes_disabled

from bench import django_db
from bench.steps import STEPS
from parcours.demo.generator import generate
from parcours.engine.columns import KINDS, day_date
from parcours.households.models import Household, Touchpoint

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


def _drawn(gen) -> list[tuple]:
    """The generator's touchpoints as _rows reads them back: households by rank, referral refs
    as the rank of the family brought, other refs the generator's episode ids."""
    names = {a.id: a.name_fr for a in gen.activities}
    tp = gen.touchpoints
    return sorted(
        (
            h - 1,
            day_date(d),
            KINDS[k],
            names.get(a),
            None if r < 0 else r - 1 if KINDS[k] == "referral_made" else r,
        )
        for h, d, k, a, r in zip(
            tp.household.tolist(),
            tp.day.tolist(),
            tp.kind.tolist(),
            tp.activity.tolist(),
            tp.ref.tolist(),
            strict=True,
        )  # fmt: skip
    )


def test_fast_seed_writes_the_generators_event_log(db):
    """The engine benches read the generator's event log as drawn, written in one statement
    (no records: the demo seeder writes those, through the apps' bulk writers)."""
    gen = generate(40, seed=4, end=END)
    fast = django_db.seed(gen, END)
    rows = _rows(fast["association"])
    assert rows == _drawn(gen)
    assert len({r[2] for r in rows}) > 10
    assert any(r[2] == "referral_made" and r[4] is not None for r in rows)  # mapped refs
    assert fast["timings"]["journey_recompute_s"] > 0


def test_the_django_steps_are_registered():
    assert {"recompute_reasons", "touchpoint_latency", "orm_naive"} <= set(STEPS)
    assert STEPS["touchpoint_latency"].sizes == frozenset({"M"})
    assert STEPS["orm_naive"].sizes == frozenset({"S"})
