"""Engagement of the households during the period: what they did for others and for the
association, from the journey's touchpoints.

For each kind of :data:`KINDS`: ``events`` within the period and the distinct ``households``
behind them (households after the filters). ``held``: episodes still going on the period's last
day (sponsorships, roles, committee seats): an opening touchpoint (``sponsor_assigned``,
``role_started``) on or before that day with no closing one (``sponsor_ended``, ``role_ended``)
of the same household and ``ref`` on or after it, by that day. ``committee``: the same for the
roles whose id is in ``JourneyData.committee_roles`` (a committee seat).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parcours.analytics.measures.base import JourneyData, Query, scope, tp_mask
from parcours.engine.columns import KIND_CODE

KIND = "engagement"
KINDS: tuple[str, ...] = (
    "sponsor_assigned",
    "group_joined",
    "referral_made",
    "absent_visit",
    "activity_led",
    "project_proposed",
    "role_started",
)
EPISODES = {"sponsorships": ("sponsor_assigned", "sponsor_ended"),
            "roles": ("role_started", "role_ended")}  # fmt: skip


@dataclass
class Engagement:
    events: dict[str, int] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)  # sponsorships, roles, committee


def _held(data: JourneyData, sel: np.ndarray, opener: str, closer: str, refs=None) -> int:
    """Distinct households with an episode (household, ref) opened and not closed by the end."""
    o = sel & (data.tp_kind == KIND_CODE[opener])
    c = sel & (data.tp_kind == KIND_CODE[closer])
    if refs is not None:
        o &= np.isin(data.tp_ref, refs)
    o_hh, o_ref, o_day = data.tp_household[o], data.tp_ref[o], data.tp_day[o]
    closes = {}
    for h, r, d in zip(data.tp_household[c].tolist(), data.tp_ref[c].tolist(),
                       data.tp_day[c].tolist(), strict=True):  # fmt: skip
        closes.setdefault((h, r), []).append(d)
    holding = {
        h
        for h, r, d in zip(o_hh.tolist(), o_ref.tolist(), o_day.tolist(), strict=True)
        if not any(e >= d for e in closes.get((h, r), ()))
    }
    return len(holding)


def compute(data: JourneyData, query: Query) -> Engagement:
    p = query.period
    sel = tp_mask(data, scope(data, query)) & (data.tp_day <= p.last)
    inside = sel & (data.tp_day >= p.first)
    out = Engagement()
    for kind in KINDS:
        m = inside & (data.tp_kind == KIND_CODE[kind])
        out.events[kind] = int(m.sum())
        out.households[kind] = int(np.unique(data.tp_household[m]).shape[0])
    for name, (opener, closer) in EPISODES.items():
        out.held[name] = _held(data, sel, opener, closer)
    out.held["committee"] = _held(data, sel, "role_started", "role_ended", data.committee_roles)
    return out
