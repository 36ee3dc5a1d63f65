"""Process map: stage transitions with counts and median durations, and the most frequent
stage sequences (variants).

Population: households (after the filters) whose first stage span starts within the period, with
their stage spans that started on or before the period end. A transition is a pair of
consecutive spans (A then B) of one household: ``count`` moves, ``households`` distinct ones,
``median_days`` the median (linear interpolation) of B's start minus A's start. A household's
variant is the sequence of the stages of its spans in order; the ``top`` most frequent variants
are listed (ties by sequence), as with PM4Py's directly-follows graph and variants on an event
log of (household, stage, span start).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.analytics.measures.base import JourneyData, Query, entered_in_period, scope

KIND = "process_map"
TOP = 10


@dataclass
class Transition:
    source: str
    target: str
    count: int
    households: int
    median_days: float


@dataclass
class Variant:
    stages: tuple[str, ...]
    households: int


@dataclass
class ProcessMap:
    households: int
    transitions: list[Transition]
    variants: list[Variant]
    variant_count: int


def compute(data: JourneyData, query: Query, top: int = TOP) -> ProcessMap:
    keys = data.stage_keys
    n = len(keys)
    entered, hh, st, start, _ = entered_in_period(data, query, scope(data, query))
    i = np.flatnonzero(hh[1:] == hh[:-1])
    pair = st[i].astype(np.int64) * n + st[i + 1]
    dur = (start[i + 1] - start[i]).astype(np.int64)
    transitions = []
    if pair.size:
        # stable by pair: within a pair the moves stay in household order
        order = np.argsort(pair, kind="stable")
        pair_s, dur_s, hh_s = pair[order], dur[order], hh[i][order]
        starts = np.flatnonzero(np.r_[True, pair_s[1:] != pair_s[:-1]])
        ends = np.r_[starts[1:], pair_s.size]
        new_hh = np.r_[True, (pair_s[1:] != pair_s[:-1]) | (hh_s[1:] != hh_s[:-1])]
        distinct = np.add.reduceat(new_hh.astype(np.int64), starts)
        for a, b, d in zip(starts.tolist(), ends.tolist(), distinct.tolist(), strict=True):
            f, t = divmod(int(pair_s[a]), n)
            median = float(np.median(dur_s[a:b]))
            transitions.append(Transition(keys[f], keys[t], b - a, int(d), median))
    seqs = _variants(hh, st, n)
    ranked = sorted(seqs.items(), key=lambda kv: (-kv[1], kv[0]))
    variants = [Variant(tuple(keys[k] for k in s), c) for s, c in ranked[:top]]
    return ProcessMap(int(entered.shape[0]), transitions, variants, len(seqs))


def _variants(hh: np.ndarray, st: np.ndarray, n: int) -> dict[tuple[int, ...], int]:
    """Sequence of stage indices per household -> households. Sequences of up to 16 spans are
    packed into one integer (base n + 1) and counted with numpy; longer ones in Python."""
    if hh.size == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])
    lengths = np.diff(np.r_[starts, hh.size])
    pos = np.arange(hh.size) - np.repeat(starts, lengths)
    base = n + 1
    short = np.repeat(lengths <= 16, lengths)
    packed = np.zeros(hh.size, dtype=np.int64)
    packed[short] = (st[short].astype(np.int64) + 1) * base ** pos[short]
    codes = np.add.reduceat(packed, starts)
    uniq, counts = np.unique(codes[lengths <= 16], return_counts=True)
    out: dict[tuple[int, ...], int] = {}
    for code, c in zip(uniq.tolist(), counts.tolist(), strict=True):
        seq = []
        while code:
            code, digit = divmod(code, base)
            seq.append(digit - 1)
        out[tuple(seq)] = c
    long = lengths > 16
    for a, length in zip(starts[long].tolist(), lengths[long].tolist(), strict=True):
        seq_t = tuple(st[a : a + length].tolist())
        out[seq_t] = out.get(seq_t, 0) + 1
    return out
