"""Sponsor matching: optimal as a whole (checked by brute force), capacities, explanations."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.engine.matching import (
    FORBIDDEN,
    Need,
    Sponsor,
    Weights,
    explain,
    match,
    points,
    score_matrix,
)

HOODS = ["Les Tilleuls", "Le Port", ""]
LANGS = ["fr", "ar", "ta", "en"]
COMPOSITIONS = ["single_parent", "couple_children", ""]

needs_st = st.lists(
    st.builds(
        Need,
        id=st.integers(0, 10**6),
        neighbourhood=st.sampled_from(HOODS),
        languages=st.frozensets(st.sampled_from(LANGS), max_size=3),
        activities=st.frozensets(st.integers(1, 5), max_size=3),
        composition=st.sampled_from(COMPOSITIONS),
    ),
    min_size=0,
    max_size=4,
    unique_by=lambda n: n.id,
)


@st.composite
def sponsors_st(draw: st.DrawFn) -> list[Sponsor]:
    n = draw(st.integers(0, 3))
    out = []
    for i in range(n):
        capacity = draw(st.integers(0, 3))
        out.append(
            Sponsor(
                key=f"s{i}",
                capacity=capacity,
                load=draw(st.integers(0, capacity)),
                neighbourhood=draw(st.sampled_from(HOODS)),
                languages=draw(st.frozensets(st.sampled_from(LANGS), max_size=3)),
                activities=draw(st.frozensets(st.integers(1, 5), max_size=3)),
                composition=draw(st.sampled_from(COMPOSITIONS)),
            )
        )
    return out


def brute_force(needs: list[Need], sponsors: list[Sponsor]) -> int:
    """Best total over every way to give min(needs, slots) needs one slot each."""
    m, cols = score_matrix(needs, sponsors)
    n, k = m.shape
    if n == 0 or k == 0:
        return 0
    best = None
    if n <= k:
        for perm in itertools.permutations(range(k), n):
            total = sum(int(m[i, j]) for i, j in enumerate(perm))
            best = total if best is None else max(best, total)
    else:
        for perm in itertools.permutations(range(n), k):
            total = sum(int(m[i, j]) for j, i in enumerate(perm))
            best = total if best is None else max(best, total)
    assert best is not None
    return best


@settings(max_examples=150, deadline=None)
@given(needs_st, sponsors_st())
def test_total_is_optimal_capacities_hold_and_explanations_sum(
    needs: list[Need], sponsors: list[Sponsor]
) -> None:
    proposals = match(needs, sponsors)
    assert sum(p.score for p in proposals) == brute_force(needs, sponsors)
    free = sum(max(0, s.capacity - s.load) for s in sponsors)
    assert len(proposals) == min(len(needs), free)
    by_key = {s.key: s for s in sponsors}
    for s in sponsors:
        assert sum(1 for p in proposals if p.sponsor == s.key) <= s.capacity - s.load
    assert len({p.need for p in proposals}) == len(proposals)
    for p in proposals:
        assert points(p.reasons) == p.score
        need = next(n for n in needs if n.id == p.need)
        # the explanation is the scoring function's own, at some load of this sponsor
        sponsor = by_key[p.sponsor]
        assert any(
            explain(need, sponsor, load) == p.reasons
            for load in range(sponsor.load, sponsor.capacity)
        )


def test_reasons_name_each_criterion() -> None:
    need = Need(1, "Le Port", frozenset({"fr", "ar"}), frozenset({3, 4}), "single_parent")
    sponsor = Sponsor(
        "h9", 2, 1, "Le Port", frozenset({"fr", "ar"}), frozenset({4}), "single_parent"
    )
    reasons = {r.code: r for r in explain(need, sponsor, 1)}
    w = Weights()
    assert reasons["same_neighbourhood"]["points"] == w.neighbourhood
    assert reasons["shared_languages"]["languages"] == "ar"  # French says nothing
    assert reasons["shared_activities"]["count"] == 1
    assert reasons["similar_situation"]["composition"] == "single_parent"
    assert reasons["current_load"]["points"] == -w.load
    assert points(tuple(reasons.values())) == 30 + 15 + 10 + 10 - 8


def test_load_spreads_newcomers_between_equal_sponsors() -> None:
    needs = [Need(i, "Le Port") for i in range(4)]
    sponsors = [Sponsor("a", 3, 0, "Le Port"), Sponsor("b", 3, 0, "Le Port")]
    proposals = match(needs, sponsors)
    assert sorted(p.sponsor for p in proposals) == ["a", "a", "b", "b"]


def test_whole_assignment_beats_greedy() -> None:
    # greedy gives need 1 to "near" (best for it) and leaves need 2 with nothing good
    needs = [
        Need(1, "Le Port", languages=frozenset({"ar"})),
        Need(2, "Le Port", languages=frozenset({"ta"})),
    ]
    sponsors = [
        Sponsor("near", 1, 0, "Le Port", languages=frozenset({"ar", "ta"})),
        Sponsor("ar", 1, 0, "", languages=frozenset({"ar"})),
    ]
    got = {p.need: p.sponsor for p in match(needs, sponsors)}
    assert got == {1: "ar", 2: "near"}


def test_excluded_pairs_and_full_sponsors_are_never_proposed() -> None:
    needs = [Need(1), Need(2)]
    sponsors = [Sponsor("self", 2, exclude=frozenset({1})), Sponsor("full", 1, load=1)]
    got = match(needs, sponsors)
    assert all(not (p.need == 1 and p.sponsor == "self") for p in got)
    assert all(p.sponsor != "full" for p in got)
    m, _ = score_matrix(needs, sponsors)
    assert (m == FORBIDDEN).sum() == 2


def test_nothing_to_match() -> None:
    assert match([], [Sponsor("a", 1)]) == ()
    assert match([Need(1)], []) == ()
