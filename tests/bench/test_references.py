"""The DuckDB SQL reference equals the naive day-by-day reference."""

from __future__ import annotations

import collections
from datetime import date

import numpy as np
import pytest

from bench.duckdb_reference import duckdb_spans, spans_as_tuples
from bench.naive_reference import STAGES, naive_spans, stage_on
from parcours.demo.generator import generate
from parcours.engine.columns import KIND_CODE, KINDS, TouchpointColumns, day_number

END = date(2025, 6, 30)


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_equals_naive_on_generated_data(seed: int) -> None:
    g = generate(200, seed=seed, end=END)
    for as_of in (day_number(END), day_number(END) - 200):  # also with touchpoints after as_of
        assert spans_as_tuples(duckdb_spans(g.touchpoints, as_of)) == sorted(
            naive_spans(g.touchpoints, as_of)
        )


def _random_columns(rng: np.random.Generator, n: int, m: int) -> TouchpointColumns:
    """Adversarial logs: any kind on any day, unpaired closers, same-day openers and closers."""
    h = rng.integers(1, n + 1, m)
    d = rng.integers(0, 400, m)
    k = np.where(rng.random(m) < 0.5, KIND_CODE["attendance"], rng.integers(0, len(KINDS), m))
    with_act = np.isin(k, [KIND_CODE["attendance"], KIND_CODE["activity_led"]])
    a = np.where(with_act, rng.integers(1, int(rng.integers(2, 5)), m), -1)  # 1 to 3 activities
    r = rng.integers(1, 3, m)
    o = np.lexsort((k, d, h))
    return TouchpointColumns(
        h[o].astype(np.int64),
        d[o].astype(np.int32),
        k[o].astype(np.int8),
        a[o].astype(np.int64),
        r[o].astype(np.int64),
    )


def test_sql_equals_naive_on_adversarial_logs() -> None:
    rng = np.random.default_rng(0)
    for _ in range(40):
        tp = _random_columns(rng, 30, 300)
        as_of = int(rng.integers(100, 420))
        assert spans_as_tuples(duckdb_spans(tp, as_of)) == sorted(naive_spans(tp, as_of))


def test_spans_do_not_overlap_and_only_the_last_is_open() -> None:
    g = generate(300, seed=4, end=END)
    spans = spans_as_tuples(duckdb_spans(g.touchpoints, day_number(END)))
    by_h = collections.defaultdict(list)
    for h, s, a, b in spans:
        by_h[h].append((a, b, s))
    for unsorted in by_h.values():
        rows = sorted(unsorted, key=lambda r: r[0])
        for (a1, b1, s1), (a2, _b2, s2) in zip(rows, rows[1:], strict=False):
            assert b1 is not None and a1 < b1 <= a2
            assert b1 < a2 or s1 != s2  # adjacent spans change stage
        assert all(b is not None for _, b, _ in rows[:-1])


def test_three_hundred_households_spread_over_all_ten_stages() -> None:
    g = generate(300, seed=1, end=END)
    spans = naive_spans(g.touchpoints, day_number(END))
    count = collections.Counter(stage_on(spans, day_number(END)).values())
    assert all(count[s] >= 3 for s in STAGES), count
    assert count["awareness"] + count["research"] > count["engagement"]
