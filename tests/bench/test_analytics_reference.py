"""The journey measures equal their DuckDB SQL references on generated data (size S): funnel,
entry points, distribution by stage and by status, flows, cohorts, time in stage, lifecycle,
channel and action attribution, activity contribution, support and relapse; the process map and
variants equal PM4Py's."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from bench.analytics_reference import (
    check_filters,
    check_periods,
    differences,
    generated,
    ours,
    reference,
    register,
)
from parcours.analytics.measures import Period, Query

END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def association():
    _gen, data = generated(1_000, 1, END)  # size S
    con = duckdb.connect()
    register(con, data)
    return data, con


@pytest.mark.parametrize("period", list(check_periods(END)))
def test_measures_equal_the_duckdb_reference(association, period):
    data, con = association
    for filters in check_filters(data, END):
        query = Query(1, check_periods(END)[period], filters)
        ref, got = reference(con, query, len(data.stage_keys)), ours(data, query)
        assert differences(ref, got) == [], filters


def test_the_comparison_is_not_vacuous(association):
    data, con = association
    got = ours(data, Query(1, Period(date(2024, 7, 1), END)))
    assert got["funnel"]["households"] > 300
    assert sum(1 for s in got["funnel"]["steps"] if s[3]) >= 5  # drop-outs at several stages
    assert len(got["flows"]) >= 10 and any(b < a for a, b in got["flows"])  # regressions
    assert len(got["cohorts"]) == 12 and len(got["time_in_stage"]) >= 8
    assert sum(got["distribution"].values()) > 500
    assert len(got["distribution_status"]) == 4 and got["distribution_households"] > 500
    assert got["entry_points"]["households"] > 300 and len(got["entry_points"]["counts"]) >= 3
    assert len(got["lifecycle"]) == 12
    assert all(min(m[1:]) > 0 for m in got["lifecycle"])  # every kind of month, every month
    assert len(got["channels"]) >= 8
    assert all(reached[-1] < n for n, reached in got["channels"].values())
    assert len(got["actions"]) >= 10  # seeded action ids on the outreach contacts
    assert len(got["activities"]) >= 10
    assert all(0 < p < n for n, p in list(got["activities"].values())[:5])
    opened, closed, _h, still, in_support, closures, relapsed, _share, gap = got["relapse"]
    assert opened > 20 and closed > 20 and still > 0 and in_support is not None
    assert closures >= 10 and 0 < relapsed < closures and gap is not None  # relapses, not all
    # and a wrong answer is noticed, in each of them
    ref = reference(con, Query(1, Period(date(2024, 7, 1), END)), 10)
    for key, wrong in [
        ("distribution", {**got["distribution"], 0: got["distribution"][0] + 1}),
        ("distribution_status", {**got["distribution_status"], 3: 0}),
        ("entry_points", {**got["entry_points"], "households": 0}),
        ("lifecycle", [*got["lifecycle"][:-1], (*got["lifecycle"][-1][:4], 0)]),
        ("channels", dict(list(got["channels"].items())[1:])),
        ("actions", {k: (n, (*r[:-1], r[-1] + 1)) for k, (n, r) in got["actions"].items()}),
        ("activities", {k: (n, p - 1) for k, (n, p) in got["activities"].items()}),
    ]:
        assert differences(ref, {**got, key: wrong}), key


def test_process_map_and_variants_equal_pm4py(association):
    pytest.importorskip("pm4py")
    from bench.analytics_reference import (
        ours_process_map,
        pm4py_answer,
        pm4py_log,
        top_variants,
    )
    from parcours.analytics.measures.process_map import TOP

    data, con = association
    query = Query(1, Period(date(2024, 7, 1), END))
    ref = pm4py_answer(pm4py_log(con, query, data.stage_keys))
    got = ours_process_map(data, query)
    assert len(ref["transitions"]) >= 10
    assert differences(ref["transitions"], got["transitions"]) == []
    assert got["variant_count"] == len(ref["variants"])
    assert got["variants"] == top_variants(ref["variants"], TOP)


def _random_log(rng, n):
    """JourneyData of ``n`` random households: stage spans with gaps and open ends, status spans
    of every status, touchpoints of any kind any day, unknown neighbourhoods and channels."""
    import numpy as np

    from parcours.analytics.measures.base import ATTENDANCE, OUTREACH_CONTACT, JourneyData
    from parcours.engine import shipped_definition
    from parcours.engine.columns import day_number

    d0 = day_number(date(2024, 1, 1))
    hh = np.sort(rng.choice(np.arange(1, 5 * n), n, replace=False)).astype(np.int64)
    cols: dict[str, list[int]] = {}

    def add(names: str, *values: int) -> None:
        for name, v in zip(names.split(), values, strict=True):
            cols.setdefault(name, []).append(v)

    for h in hh.tolist():
        day = d0 + int(rng.integers(0, 300))
        for _ in range(int(rng.integers(0, 6))):
            length, is_open = int(rng.integers(1, 90)), rng.random() < 0.2
            end = -1 if is_open else day + length
            add("sh sst s0 s1", h, int(rng.integers(0, 10)), day, end)
            if is_open:
                break
            day += length + (int(rng.integers(1, 40)) if rng.random() < 0.3 else 0)
        for status in range(4):
            day = d0 + int(rng.integers(0, 200))
            for _ in range(int(rng.integers(0, 3))):
                length, is_open = int(rng.integers(1, 120)), rng.random() < 0.3
                add("zh zc z0 z1", h, status, day, -1 if is_open else day + length)
                if is_open:
                    break
                day += length + int(rng.integers(1, 60))
        for d in np.sort(d0 - 60 + rng.integers(0, 700, int(rng.integers(0, 30)))).tolist():
            kind = int(rng.integers(0, 19))
            activity = int(rng.integers(1, 5)) if kind == ATTENDANCE else -1
            ref = int(rng.integers(1, 4)) if kind == OUTREACH_CONTACT else -1
            add("th td tk ta tr", h, d, kind, activity, ref)

    def a(k, t):
        return np.array(cols.get(k, []), dtype=t)

    pick = np.array(["a", "b", ""], dtype=object)
    return JourneyData(
        shipped_definition().stage_keys, hh, pick[rng.integers(0, 3, n)],
        np.array(["web", "peer_family", ""], dtype=object)[rng.integers(0, 3, n)],
        a("sh", np.int64), a("sst", np.int8), a("s0", np.int32), a("s1", np.int32),
        a("zh", np.int64), a("zc", np.int8), a("z0", np.int32), a("z1", np.int32),
        a("th", np.int64), a("td", np.int32), a("tk", np.int8), a("ta", np.int64),
        a("tr", np.int64),
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_measures_equal_the_reference_on_random_logs(seed):
    import numpy as np

    from parcours.analytics.measures import Filters
    from parcours.engine.columns import day_date, day_number

    rng = np.random.default_rng(seed)
    data = _random_log(rng, int(rng.integers(1, 40)))
    con = duckdb.connect()
    register(con, data)
    d0 = day_number(date(2024, 1, 1))
    for filters in [Filters(), Filters(neighbourhood="a"), Filters(channel="web"),
                    Filters(activity=2), Filters(cohort="2024-05")]:  # fmt: skip
        first = d0 - 30 + int(rng.integers(0, 600))
        period = Period(day_date(first), day_date(first + int(rng.integers(0, 300))))
        query = Query(1, period, filters)
        assert differences(reference(con, query, 10), ours(data, query)) == [], query
