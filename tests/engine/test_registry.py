"""The condition registry: new types plug in by name; unvectorised ones fall back."""

from __future__ import annotations

import tomllib

import numpy as np

from parcours.engine import batch_intervals as bi
from parcours.engine.batch import recompute, recompute_per_household
from parcours.engine.conditions import NotVectorised, condition_types, register
from parcours.engine.counts import TouchpointCount
from parcours.engine.definition import journeys_dir, parse_definition
from tests.engine.helpers import day, tp
from tests.engine.strategies import to_columns

if "test_unvectorised_count" not in condition_types():

    @register("test_unvectorised_count")
    class Unvectorised(TouchpointCount):
        def batch_intervals(self, bctx: bi.BatchContext) -> bi.BatchIntervals:
            raise NotVectorised(self.type_name)


def test_shipped_types_are_registered() -> None:
    assert {
        "touchpoint_count",
        "attendance_same_activity",
        "attendance_distinct",
        "open_episode",
        "active_episode",
        "any",
        "all",
        "not",
    } <= set(condition_types())


def test_unvectorised_type_falls_back_to_per_household() -> None:
    data = tomllib.loads((journeys_dir() / "beneficiary.toml").read_text(encoding="utf-8"))
    data["stages"][8]["condition"]["type"] = "test_unvectorised_count"
    definition = parse_definition(data)
    logs = [
        [tp(0, "intake_visit"), tp(3, "referral_made", ref=4)],
        [tp(0, "outreach_contact"), tp(400, "absent_visit")],
    ]
    columns = to_columns(logs)
    got = recompute(columns, definition, day(500))
    want = recompute_per_household(columns, definition, day(500))
    for f in ("household", "stage", "start", "end", "flags", "skipped"):
        assert np.array_equal(getattr(got, f), getattr(want, f))
    assert definition.stage_keys[int(got.stage[1])] == "recommendation"
