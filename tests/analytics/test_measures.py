"""Every measure on the fixed log of fixed_log.py, against numbers computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from parcours.analytics.measures import MEASURES, run, run_all
from parcours.analytics.measures.base import JourneyData
from tests.analytics.fixed_log import KEYS, data, query

AW, RE, SE, AC, DI, US = KEYS[:6]


def test_registry_dispatches_every_measure_by_kind():
    assert set(MEASURES) == {
        "funnel", "entry_points", "distribution", "flows", "cohorts", "time_in_stage",
        "lifecycle", "channels", "activities", "process_map", "people", "hours", "relapse",
        "engagement",
    }  # fmt: skip
    assert run("funnel", data(), query()).households == 3
    with pytest.raises(ValueError, match="unknown measure 'nope'"):
        run("nope", data(), query())


def test_funnel():
    f = run("funnel", data(), query())
    assert f.households == 3  # households 1, 2, 3 entered in the period; 4 after, 5 before
    assert [s.reached for s in f.steps] == [3, 2, 2, 2, 2, 1, 0, 0, 0, 0]
    assert f.steps[0].conversion is None
    assert f.steps[1].conversion == pytest.approx(2 / 3)
    assert f.steps[5].conversion == 0.5
    assert f.steps[6].conversion == 0 and f.steps[7].conversion is None
    assert f.steps[5].overall == pytest.approx(1 / 3)
    # days from stage k-1 or later to stage k or later: h1 10, h2 0 (entered at selection)
    assert f.steps[1].days == {"median": 5.0, "p75": 7.5, "p90": 9.0}
    assert f.steps[2].days["median"] == 10.0  # h1 20, h2 0
    assert f.steps[4].days == {"median": 7.5, "p75": 11.25, "p90": 13.5}  # h1 0, h2 15
    assert f.steps[5].days == {"median": 30.0, "p75": 30.0, "p90": 30.0}
    assert f.steps[6].days == {"median": None, "p75": None, "p90": None}
    assert f.steps[0].dropped == [3] and f.steps[4].dropped == [1] and f.steps[5].dropped == [2]
    assert all(not s.dropped for i, s in enumerate(f.steps) if i not in (0, 4, 5))


def test_funnel_filters():
    assert run("funnel", data(), query(neighbourhood="Sud")).households == 1
    assert run("funnel", data(), query(channel="peer")).steps[0].dropped == []
    assert run("funnel", data(), query(channel="peer")).steps[5].dropped == [2]
    assert run("funnel", data(), query(cohort="2025-01")).households == 2
    f = run("funnel", data(), query(activity=200))
    assert f.households == 2 and f.steps[0].dropped == [3]


def test_entry_points():
    e = run("entry_points", data(), query())
    assert e.households == 3
    assert e.counts[AW] == 2 and e.counts[SE] == 1 and sum(e.counts.values()) == 3


def test_distribution():
    d = run("distribution", data(), query())
    assert d.day == "2025-03-31" and d.households == 4
    assert {k: v for k, v in d.stages.items() if v} == {AW: 1, RE: 1, DI: 2}
    assert d.statuses == {"active": 2, "absent": 0, "dormant": 1, "in_support": 1}
    assert run("distribution", data(), query(neighbourhood="Nord")).stages[DI] == 2


def test_flows():
    f = run("flows", data(), query())
    links = {(x.source, x.target): (x.transitions, x.households, x.regression) for x in f.links}
    assert links == {
        (AW, RE): (2, 2, False), (RE, DI): (1, 1, False), (SE, AC): (1, 1, False),
        (AC, DI): (1, 1, False), (DI, US): (1, 1, False), (US, DI): (1, 1, True),
    }  # fmt: skip
    assert f.transitions == 7 and f.households == 3


def test_cohorts():
    c = run("cohorts", data(), query()).cohorts
    assert [(x.month, x.households, x.attended) for x in c] == [
        ("2025-01", 2, [1, 1, 1]),
        ("2025-02", 1, [0, 1]),
    ]
    assert c[0].shares == [0.5, 0.5, 0.5]


def test_time_in_stage_kaplan_meier_with_censoring():
    t = {s.stage: s for s in run("time_in_stage", data(), query()).stages}
    assert (t[AW].spans, t[AW].events, t[AW].censored) == (2, 1, 1)
    assert t[AW].curve == [(10, 0.5)] and t[AW].median_days == 10
    assert t[RE].curve == [(20, 0.5)]  # h1 left after 20 days; h5 still there after 75
    # discovery: h2 censored after 10, left after 30; h1 censored after 60
    assert t[DI].curve == [(30, 0.5)] and t[DI].median_days == 30 and t[DI].households == 2
    assert t[US].curve == [(10, 0.0)]
    assert t[KEYS[9]].curve == [] and t[KEYS[9]].median_days is None


def test_kaplan_meier_textbook_example():
    from parcours.analytics.measures.time_in_stage import kaplan_meier

    # durations 3, 5+, 5, 8, 8, 10+ (+ censored): at 3, 6 at risk, 1 leaves: 5/6; at 5, 5 at
    # risk (censored at 5 still counts), 1 leaves: 5/6*4/5; at 8, 3 at risk, 2 leave: *1/3
    curve = kaplan_meier(np.array([3, 5, 5, 8, 8, 10]), np.array([1, 0, 1, 1, 1, 0], bool))
    assert [t for t, _ in curve] == [3, 5, 8]
    assert curve[1][1] == pytest.approx(2 / 3) and curve[2][1] == pytest.approx(2 / 9)


def test_lifecycle():
    months = run("lifecycle", data(), query()).months
    got = [(m.month, m.new, m.returning, m.resurrecting, m.dormant) for m in months]
    assert got == [
        ("2025-01", 3, 1, 0, 0),
        ("2025-02", 0, 2, 0, 2),  # h2 and h5 went quiet (h5's newsletter does not count)
        ("2025-03", 0, 1, 1, 1),  # h2 came back, h1 went quiet
    ]


def test_channels_and_actions():
    c = run("channels", data(), query())
    ch = {a.key: a for a in c.channels}
    assert set(ch) == {"outreach", "peer"}
    assert ch["outreach"].households == 2
    assert [ch["outreach"].reached[k] for k in KEYS[:6]] == [2, 1, 1, 1, 1, 0]
    assert [ch["peer"].reached[k] for k in KEYS[:7]] == [1, 1, 1, 1, 1, 1, 0]
    assert [(a.key, a.households) for a in c.actions] == [(7, 2)]  # action 3 was before
    assert [c.actions[0].reached[k] for k in KEYS[:5]] == [2, 1, 1, 1, 1]


def test_activities():
    result = run("activities", data(), query())
    a = {x.activity: (x.attendees, x.progressed) for x in result.activities}
    assert a == {100: (3, 2), 200: (2, 1)}


def test_process_map_and_variants():
    p = run("process_map", data(), query())
    assert p.households == 3 and p.variant_count == 3
    t = {(x.source, x.target): (x.count, x.households, x.median_days) for x in p.transitions}
    assert t == {
        (AW, RE): (1, 1, 10.0), (RE, DI): (1, 1, 20.0), (SE, AC): (1, 1, 20.0),
        (AC, DI): (1, 1, 15.0), (DI, US): (1, 1, 30.0), (US, DI): (1, 1, 10.0),
    }  # fmt: skip
    assert [v.stages for v in p.variants] == [(AW,), (AW, RE, DI), (SE, AC, DI, US, DI)]


def test_every_measure_runs_on_empty_data():
    empty = JourneyData.empty(KEYS)
    results = run_all(empty, query())
    assert results["funnel"].households == 0
    assert results["process_map"].variants == []
