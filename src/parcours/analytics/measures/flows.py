"""Flows between stages during the period (a Sankey), regressions included.

A move is a pair of consecutive stage spans of one household (ordered by start): from the stage
of the first to the stage of the next, on the day the next one starts; it counts when that day
is within the period. ``transitions`` counts moves, ``households`` the distinct households that
made that move. ``regression`` is true when the household went back to an earlier stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import JourneyData, Query, scope, span_mask

KIND = "flows"


@dataclass
class Flow:
    source: str
    target: str
    transitions: int
    households: int
    regression: bool


@dataclass
class Flows:
    transitions: int
    households: int
    links: list[Flow]


def moves(data: JourneyData, query: Query, *, in_period: bool = True):
    """(household, from stage, to stage, from start, to start) of consecutive spans."""
    sel = span_mask(data, scope(data, query)) & (data.span_start <= query.period.last)
    hh, st, start = data.span_household[sel], data.span_stage[sel], data.span_start[sel]
    same = hh[1:] == hh[:-1]
    if in_period:
        same &= start[1:] >= query.period.first
    i = np.flatnonzero(same)
    return hh[i], st[i], st[i + 1], start[i], start[i + 1]


def compute(data: JourneyData, query: Query) -> Flows:
    hh, a, b, _s0, _s1 = moves(data, query)
    keys = data.stage_keys
    n = len(keys)
    pair = a.astype(np.int64) * n + b
    links = []
    if pair.size:
        order = np.lexsort((hh, pair))
        pair_s, hh_s = pair[order], hh[order]
        uniq, idx, counts = np.unique(pair_s, return_index=True, return_counts=True)
        new_hh = np.ones(pair_s.shape[0], dtype=bool)
        new_hh[1:] = (pair_s[1:] != pair_s[:-1]) | (hh_s[1:] != hh_s[:-1])
        distinct = np.add.reduceat(new_hh.astype(np.int64), idx)
        for p, c, d in zip(uniq.tolist(), counts.tolist(), distinct.tolist(), strict=True):
            f, t = divmod(p, n)
            links.append(Flow(keys[f], keys[t], int(c), int(d), t < f))
    return Flows(transitions=int(pair.size), households=int(np.unique(hh).shape[0]), links=links)
