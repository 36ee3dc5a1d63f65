"""Attribution: per outreach channel and per outreach action, households reached and how far
they went.

Channels: the households (after the filters) that entered the journey during the period, grouped
by how they heard of the association (``channel``, "" when unknown); for each, ``reached[stage]``
counts those that were at that stage or a later one by the period end (as in the funnel).

Actions: the households reached by an outreach action during the period (an ``outreach_contact``
touchpoint within the period whose reference is the action), with ``reached`` computed the same
way over all their stage spans up to the period end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import (
    NEVER,
    OUTREACH_CONTACT,
    JourneyData,
    Query,
    entered_in_period,
    first_reach,
    scope,
    spans_until,
    tp_mask,
)

KIND = "channels"


@dataclass
class Attribution:
    key: str | int
    households: int
    reached: dict[str, int]


@dataclass
class Channels:
    channels: list[Attribution]
    actions: list[Attribution]


def _reached(keys, group_of_row, reached_mask) -> list[Attribution]:
    out = []
    for g in sorted(set(group_of_row.tolist()), key=str):
        rows = group_of_row == g
        counts = reached_mask[rows].sum(axis=0)
        out.append(Attribution(g, int(rows.sum()), {k: int(counts[i]) for i, k in enumerate(keys)}))
    return out


def compute(data: JourneyData, query: Query) -> Channels:
    keys = data.stage_keys
    ids = scope(data, query)
    entered, hh, st, start, _ = entered_in_period(data, query, ids)
    reached = first_reach(entered, hh, st, start, len(keys)) != NEVER
    channel = data.channel[np.searchsorted(data.household, entered)]
    channels = _reached(keys, channel.astype(str), reached)

    sel = tp_mask(data, ids) & (data.tp_kind == OUTREACH_CONTACT) & (data.tp_ref >= 0)
    sel &= (data.tp_day >= query.period.first) & (data.tp_day <= query.period.last)
    pairs = np.unique(data.tp_household[sel] * (1 << 31) + data.tp_ref[sel])
    a_hh, a_ref = pairs >> 31, pairs & ((1 << 31) - 1)
    reached_hh = np.unique(a_hh)
    hh2, st2, start2, _ = spans_until(data, query, reached_hh)
    reached2 = first_reach(reached_hh, hh2, st2, start2, len(keys)) != NEVER
    actions = _reached(keys, a_ref, reached2[np.searchsorted(reached_hh, a_hh)])
    return Channels(channels, actions)
