"""The seeded generator: deterministic, sorted, valid kinds, paired episodes, ~50 per household."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from parcours.demo.catalog import ACTIVITIES, CHANNELS, NEEDS, NEIGHBOURHOODS
from parcours.demo.generator import GeneratedAssociation, generate, groups_catalog
from parcours.demo.profiles import household_profiles, volunteer_profiles
from parcours.engine.columns import KIND_CODE, KINDS, day_number

END = date(2025, 6, 30)
COLUMNS = ("household", "day", "kind", "activity", "ref")
PAIRS = {
    "group_left": "group_joined",
    "sponsor_ended": "sponsor_assigned",
    "support_closed": "support_opened",
    "role_ended": "role_started",
}


@pytest.fixture(scope="module")
def gen() -> GeneratedAssociation:
    return generate(2000, seed=11, end=END)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = (generate(300, seed=s, end=END) for s in (5, 5, 6))
    for name in COLUMNS:
        assert np.array_equal(getattr(a.touchpoints, name), getattr(b.touchpoints, name))
    assert np.array_equal(a.support_cases.opened, b.support_cases.opened)
    assert len(a.touchpoints) != len(c.touchpoints) or not np.array_equal(
        a.touchpoints.day, c.touchpoints.day
    )


def test_dtypes_follow_the_column_contract(gen: GeneratedAssociation) -> None:
    tp = gen.touchpoints
    assert tp.household.dtype == np.int64
    assert tp.day.dtype == np.int32
    assert tp.kind.dtype == np.int8
    assert tp.activity.dtype == np.int64
    assert tp.ref.dtype == np.int64
    assert all(getattr(tp, c).shape == (len(tp),) for c in COLUMNS)


def test_sorted_by_household_then_day(gen: GeneratedAssociation) -> None:
    tp = gen.touchpoints
    dh = np.diff(tp.household)
    assert (dh >= 0).all()
    assert (np.diff(tp.day)[dh == 0] >= 0).all()


def test_every_kind_valid_and_dated_within_the_history(gen: GeneratedAssociation) -> None:
    tp = gen.touchpoints
    assert ((tp.kind >= 0) & (tp.kind < len(KINDS))).all()
    assert set(np.unique(tp.kind).tolist()) == set(range(len(KINDS)))  # all kinds occur
    assert tp.day.max() <= day_number(END)
    assert tp.day.min() >= day_number(gen.start)
    ids = {a.id for a in ACTIVITIES}
    with_act = np.isin(tp.kind, [KIND_CODE["attendance"], KIND_CODE["activity_led"]])
    assert set(np.unique(tp.activity[with_act]).tolist()) <= ids
    assert (tp.activity[~with_act] == -1).all()
    assert set(np.unique(tp.household).tolist()) <= set(gen.households.id.tolist())


def test_every_closer_has_an_earlier_opener_with_the_same_ref(gen: GeneratedAssociation) -> None:
    tp = gen.touchpoints
    for closer, opener in PAIRS.items():
        c = tp.kind == KIND_CODE[closer]
        o = tp.kind == KIND_CODE[opener]
        assert c.sum() > 0
        opened = {(h, r): d for h, r, d in zip(tp.household[o], tp.ref[o], tp.day[o], strict=True)}
        for h, r, d in zip(tp.household[c], tp.ref[c], tp.day[c], strict=True):
            assert r >= 0
            assert (h, r) in opened, (closer, h, r)
            assert opened[(h, r)] < d


def test_episode_ids_are_unique_and_tables_match_touchpoints(gen: GeneratedAssociation) -> None:
    tp = gen.touchpoints
    for kind, table in (
        ("support_opened", gen.support_cases),
        ("sponsor_assigned", gen.sponsorships),
        ("role_started", gen.roles),
    ):
        refs = tp.ref[tp.kind == KIND_CODE[kind]]
        assert len(np.unique(refs)) == len(refs) == len(table.id)
        assert set(refs.tolist()) == set(table.id.tolist())
    s = gen.support_cases
    assert ((s.closed == -1) | (s.closed > s.opened)).all()
    group_ids = {g.id for g in groups_catalog()}
    assert set(gen.group_memberships.group.tolist()) <= group_ids
    sp = gen.sponsorships
    assert ((sp.sponsor_volunteer > 0) ^ (sp.sponsor_household > 0)).all()
    assert (sp.sponsor_volunteer <= len(gen.volunteers.id)).all()


def test_referral_links_two_households_on_the_same_day(gen: GeneratedAssociation) -> None:
    tp = gen.touchpoints
    ref = tp.kind == KIND_CODE["referral_made"]
    assert ref.sum() > 10
    peer = {
        (h, d)
        for h, d in zip(
            tp.household[tp.kind == KIND_CODE["peer_contact"]],
            tp.day[tp.kind == KIND_CODE["peer_contact"]],
            strict=True,
        )
    }
    for a, b, d in zip(tp.household[ref], tp.ref[ref], tp.day[ref], strict=True):
        assert a != b
        assert (b, d) in peer
    assert len(gen.referrals.referrer) == ref.sum()


def test_about_fifty_touchpoints_per_household(gen: GeneratedAssociation) -> None:
    per_household = len(gen.touchpoints) / gen.n_households
    assert 40 <= per_household <= 60
    # most stop early: many households with few touchpoints, a long tail with many
    counts = np.bincount(gen.touchpoints.household)[1:]
    assert np.median(counts) < per_household
    assert counts.max() > 5 * per_household


def test_entry_points_vary(gen: GeneratedAssociation) -> None:
    first_kind = gen.touchpoints.kind[
        np.r_[0, np.flatnonzero(np.diff(gen.touchpoints.household)) + 1]
    ]
    for kind in ("outreach_contact", "info_request", "peer_contact"):
        assert (first_kind == KIND_CODE[kind]).sum() > 100


def test_empty_and_tiny_sizes() -> None:
    assert len(generate(0, seed=1, end=END).touchpoints) == 0
    tiny = generate(3, seed=1, end=END)
    assert tiny.n_households == 3


def test_profiles_are_french_and_stable(gen: GeneratedAssociation) -> None:
    profiles = household_profiles(gen, [1, 2, 3, 40])
    assert [p.id for p in profiles] == [1, 2, 3, 40]
    assert household_profiles(gen, [40]) == profiles[3:]  # independent of the other ids asked
    french_needs = {fr for fr, _ in NEEDS}
    french_channels = {c[1] for c in CHANNELS}
    for p in profiles:
        assert p.family_name and p.address
        assert p.languages[0] == "fr"
        assert p.neighbourhood in NEIGHBOURHOODS
        assert p.city == "Lille"
        assert set(p.needs) <= french_needs
        assert p.channel in french_channels
        assert len(p.persons) >= p.adults + p.children
        assert sum(x.relation == "enfant" for x in p.persons) == p.children
        assert p.single_parent == (p.adults == 1 and p.children > 0)
    vols = volunteer_profiles(gen, [1, 2])
    assert all(v.first_name and v.last_name for v in vols)


def test_with_profiles_fills_every_household_and_volunteer() -> None:
    g = generate(50, seed=3, end=END, with_profiles=True)
    assert len(g.profiles) == 50
    assert len(g.volunteer_profiles) == len(g.volunteers.id)
