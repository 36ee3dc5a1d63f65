"""A household range cut out of journeys computed for everyone (engine/batch_slices.py) is
what the batch engine computes on that range's touchpoints alone: spans, evidence, statuses,
placements and every reason, on a generated association, for ranges at the start, in the
middle, at the end, of one household and of none."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import numpy as np

from parcours.demo.generator import generate
from parcours.engine.batch_journeys import Journeys, ReasonColumns, recompute_journeys
from parcours.engine.batch_slices import columns_range, journeys_range
from tests.engine.helpers import BENEFICIARY

END = date(2025, 6, 30)


def _arrays(columns) -> dict[str, list]:
    return {
        f.name: getattr(columns, f.name).tolist()
        for f in fields(columns)
        if isinstance(getattr(columns, f.name), np.ndarray)
    }


def _reasons(reasons: ReasonColumns, owners: int) -> list[tuple]:
    return [reasons.of(i) for i in range(owners)]


def _told(j: Journeys) -> dict[str, object]:
    return {
        "spans": _arrays(j.spans),
        "predicted_end": j.predicted_end.tolist(),
        "evidence": _arrays(j.span_evidence),
        "statuses": _arrays(j.statuses),
        "households": j.households.tolist(),
        "stage": j.stage.tolist(),
        "status_mask": j.status_mask.tolist(),
        "valid_until": j.valid_until.tolist(),
        "span_reasons": _reasons(j.span_reasons, len(j.spans.household)),
        "status_reasons": _reasons(j.status_reasons, len(j.statuses)),
        "current_reasons": _reasons(j.current_reasons, j.households.shape[0]),
    }


def test_a_range_of_the_journeys_is_the_journeys_of_the_range() -> None:
    gen = generate(400, seed=5, end=END)
    cols = gen.touchpoints
    everyone = recompute_journeys(cols, BENEFICIARY, END)
    ids = np.unique(cols.household)
    assert ids.shape[0] > 300
    mid = int(ids[150])
    ranges = [
        (int(ids[0]), int(ids[99])),
        (mid, int(ids[260])),
        (int(ids[300]), int(ids[-1]) + 5),
        (mid, mid),
        (int(ids[-1]) + 1, int(ids[-1]) + 9),  # nobody
    ]
    for first, last in ranges:
        mine = columns_range(cols, first, last)
        assert set(mine.household.tolist()) == {h for h in ids.tolist() if first <= h <= last}
        alone = recompute_journeys(mine, BENEFICIARY, END)
        got = _told(journeys_range(everyone, first, last))
        assert got == _told(alone), (first, last)
    assert any(len(r) for r in _told(journeys_range(everyone, mid, int(ids[260])))["span_reasons"])
