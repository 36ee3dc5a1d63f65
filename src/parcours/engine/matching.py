"""Sponsor matching: the best sponsor for each household that needs one, optimal as a whole.

Pure (no Django). A :class:`Need` is a household waiting for a sponsor; a :class:`Sponsor`
is a volunteer or a family at recommendation or beyond, with a capacity (how many households
it can accompany at once) and its current load. Each sponsor is expanded into its free
capacity slots; slot k of a sponsor with load L scores as if it already had L + k households,
so the assignment spreads the work. The assignment that maximises the total score over all
needs at once is found with the Hungarian method (scipy.optimize.linear_sum_assignment).

Every proposal explains its score as reasons (``Reason(code, points=..., ...)``) whose
``points`` sum to the score:

- ``same_neighbourhood`` [neighbourhood, points]
- ``shared_languages`` [languages (comma-separated), points]
- ``shared_activities`` [count, points]
- ``similar_situation`` [composition, points]
- ``current_load`` [load (households already accompanied, this slot included), points <= 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from parcours.engine.reasons import Reason


@dataclass(frozen=True)
class Weights:
    """Points of each criterion (a journey's settings may override them)."""

    neighbourhood: int = 30
    language: int = 15  # per shared language other than the common one
    max_languages: int = 2
    activity: int = 10  # per shared activity
    max_activities: int = 3
    situation: int = 10
    load: int = 8  # minus this per household already accompanied
    common_language: str = "fr"  # spoken by everyone: sharing it says nothing


@dataclass(frozen=True)
class Need:
    id: int
    neighbourhood: str = ""
    languages: frozenset[str] = frozenset()
    activities: frozenset[int] = frozenset()
    composition: str = ""


@dataclass(frozen=True)
class Sponsor:
    key: str  # e.g. "u12" (a volunteer user) or "h34" (a sponsor family)
    capacity: int
    load: int = 0
    neighbourhood: str = ""
    languages: frozenset[str] = frozenset()
    activities: frozenset[int] = frozenset()
    composition: str = ""
    exclude: frozenset[int] = frozenset()  # needs it cannot sponsor (e.g. itself)


@dataclass(frozen=True)
class Proposal:
    need: int
    sponsor: str
    score: int
    reasons: tuple[Reason, ...]


def explain(need: Need, sponsor: Sponsor, load: int, w: Weights = Weights()) -> tuple[Reason, ...]:
    """The scored reasons of pairing ``need`` with ``sponsor`` when it already has ``load``."""
    out: list[Reason] = []
    if need.neighbourhood and need.neighbourhood == sponsor.neighbourhood:
        out.append(
            Reason("same_neighbourhood", neighbourhood=need.neighbourhood, points=w.neighbourhood)
        )
    langs = sorted((need.languages & sponsor.languages) - {w.common_language})
    if langs:
        n = min(len(langs), w.max_languages)
        out.append(Reason("shared_languages", languages=",".join(langs), points=n * w.language))
    shared = len(need.activities & sponsor.activities)
    if shared:
        n = min(shared, w.max_activities)
        out.append(Reason("shared_activities", count=shared, points=n * w.activity))
    if need.composition and need.composition == sponsor.composition:
        out.append(Reason("similar_situation", composition=need.composition, points=w.situation))
    if load:
        out.append(Reason("current_load", load=load, points=-load * w.load))
    return tuple(out)


def points(reasons: Sequence[Reason]) -> int:
    total = 0
    for r in reasons:
        p = r["points"]
        assert isinstance(p, int)
        total += p
    return total


def slots(sponsors: Sequence[Sponsor]) -> list[tuple[int, int]]:
    """(sponsor index, load before this slot) for every free capacity slot."""
    return [
        (i, s.load + k) for i, s in enumerate(sponsors) for k in range(max(0, s.capacity - s.load))
    ]


FORBIDDEN = -(10**9)


def score_matrix(
    needs: Sequence[Need], sponsors: Sequence[Sponsor], w: Weights = Weights()
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    cols = slots(sponsors)
    m = np.zeros((len(needs), len(cols)), dtype=np.int64)
    cache: dict[tuple[int, int, int], int] = {}
    for i, need in enumerate(needs):
        for j, (s, load) in enumerate(cols):
            sponsor = sponsors[s]
            if need.id in sponsor.exclude:
                m[i, j] = FORBIDDEN
                continue
            key = (i, s, load)
            if key not in cache:
                cache[key] = points(explain(need, sponsor, load, w))
            m[i, j] = cache[key]
    return m, cols


def match(
    needs: Sequence[Need], sponsors: Sequence[Sponsor], w: Weights = Weights()
) -> tuple[Proposal, ...]:
    """The optimal assignment (maximum total score) of needs to sponsors' free slots.

    When there are more needs than free slots, the needs left out are those whose best
    pairing adds least to the total. No sponsor gets more than its capacity; a sponsor never
    gets a need it excludes.
    """
    if not needs:
        return ()
    m, cols = score_matrix(needs, sponsors, w)
    if m.shape[1] == 0:
        return ()
    rows, picked = linear_sum_assignment(m, maximize=True)
    out: list[Proposal] = []
    for i, j in zip(rows.tolist(), picked.tolist(), strict=True):
        if m[i, j] == FORBIDDEN:
            continue
        s, load = cols[j]
        reasons = explain(needs[i], sponsors[s], load, w)
        out.append(Proposal(needs[i].id, sponsors[s].key, points(reasons), reasons))
    return tuple(sorted(out, key=lambda p: p.need))
