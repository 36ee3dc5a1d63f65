"""The seeded generator of synthetic associations: one generator for the demo, tests and bench.

``generate(n_households, seed=..., end=...)`` draws realistic beneficiary journeys (see
../shared/docs/journey.md): most households stop early (awareness, research), a long tail
engages. Households enter through outreach, an information request or a peer family (and then
skip the first stages); they try activities, attend weekly sessions, lapse and come back, open
support cases through breakdowns, join groups of families, get a sponsor, bring other families,
visit absent ones, lead activities, propose projects and sit on the committee.

Everything is vectorised with numpy per chunk of households, so a million households
(~50 million touchpoints) fit in a few GB. Names and addresses (Faker, slow) are drawn only on
demand: see :mod:`parcours.demo.profiles`. Pure Python + numpy: no Django import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from parcours.demo.catalog import (
    ACTIVITIES,
    CHANNELS,
    COMMITTEE_ACTIVITY_ID,
    GROUP_THEMES,
    LANGUAGES,
    NEIGHBOURHOOD_WEIGHTS,
    NEIGHBOURHOODS,
    Activity,
)
from parcours.engine.columns import KIND_CODE, TouchpointColumns, day_date, day_number

if TYPE_CHECKING:
    from parcours.demo.profiles import HouseholdProfile, VolunteerProfile

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]

#: Households are simulated in chunks of this size; each chunk has its own random stream
#: (derived from the seed and the chunk number), so memory stays bounded at any size.
CHUNK_HOUSEHOLDS = 50_000

# Furthest sticky stage a household is drawn to reach (if time allows), per entry path.
# Depth: 0 awareness, 1 research, 2 selection, 3 acquisition, 4 discovery, 5 regular use.
_DEPTH_P = np.array(
    [
        [0.40, 0.13, 0.07, 0.06, 0.10, 0.24],  # outreach
        [0.00, 0.27, 0.10, 0.08, 0.14, 0.41],  # info request
        [0.00, 0.00, 0.15, 0.08, 0.15, 0.62],  # peer family
    ]
)
_PATH_P = (0.50, 0.30, 0.20)
_NEWSLETTER_PERIOD = 14
_NEWSLETTER_ANCHOR = 4  # day number modulo the period on which the newsletter goes out

K = KIND_CODE

_Part = tuple["I64", "I64", int, "I64 | int", "I64 | int"]
_Emit = Callable[..., None]


@dataclass(frozen=True)
class Group:
    """A group of families (community of practice) of one quartier around one theme."""

    id: int
    name_fr: str
    name_en: str
    activity_id: int
    neighbourhood: str


@dataclass(frozen=True)
class HouseholdColumns:
    """Attributes of every household, drawn in bulk (codes index the catalog tuples)."""

    id: I64
    entry_day: I32  # day of the first touchpoint
    entry_path: I8  # index into catalog.ENTRY_PATHS
    channel: I8  # index into catalog.CHANNELS (how they heard of the association)
    neighbourhood: I8  # index into catalog.NEIGHBOURHOODS
    languages: npt.NDArray[np.int16]  # bit i set = speaks catalog.LANGUAGES[i] (French always)
    adults: I8
    children: I8
    consent_day: I32  # consent to data processing, at first contact
    depth: I8  # furthest sticky stage drawn (0 awareness .. 5 regular use), before truncation


@dataclass(frozen=True)
class SupportCases:
    id: I64
    household: I64
    opened: I32
    closed: I32  # -1 while open


@dataclass(frozen=True)
class GroupMemberships:
    household: I64
    group: I64
    joined: I32
    left: I32  # -1 while a member


@dataclass(frozen=True)
class Sponsorships:
    id: I64
    household: I64
    sponsor_volunteer: I64  # volunteer id, -1 when the sponsor is a household
    sponsor_household: I64  # household id (a sponsor family), -1 when a volunteer
    started: I32
    ended: I32  # -1 while running


@dataclass(frozen=True)
class Roles:
    id: I64
    household: I64
    role: I8  # index into catalog.ROLES
    started: I32
    ended: I32  # -1 while held


@dataclass(frozen=True)
class Referrals:
    referrer: I64  # household that brought the other one (its referral_made touchpoint)
    referred: I64  # the household brought (its peer_contact touchpoint, same day)
    day: I32


@dataclass(frozen=True)
class AbsentVisits:
    visitor: I64  # household that went to find an absent family (absent_visit touchpoint)
    visited: I64
    day: I32


@dataclass(frozen=True)
class Volunteers:
    id: I64
    neighbourhood: I8
    languages: npt.NDArray[np.int16]


@dataclass(frozen=True)
class GeneratedAssociation:
    """One synthetic association: touchpoints (columns) and the domain episodes behind them."""

    seed: int
    start: date
    end: date
    touchpoints: TouchpointColumns
    households: HouseholdColumns
    activities: tuple[Activity, ...]
    groups: tuple[Group, ...]
    volunteers: Volunteers
    support_cases: SupportCases
    group_memberships: GroupMemberships
    sponsorships: Sponsorships
    roles: Roles
    referrals: Referrals
    absent_visits: AbsentVisits
    # Filled only with ``with_profiles=True`` (Faker is slow; demo sizes only).
    profiles: tuple[HouseholdProfile, ...] = field(default=(), repr=False)
    volunteer_profiles: tuple[VolunteerProfile, ...] = field(default=(), repr=False)

    @property
    def n_households(self) -> int:
        return int(self.households.id.shape[0])


def groups_catalog() -> tuple[Group, ...]:
    """Every theme in every quartier: id = theme index * 8 + quartier index + 1."""
    n_q = len(NEIGHBOURHOODS)
    return tuple(
        Group(t * n_q + q + 1, f"{fr} — {nb}", f"{en} — {nb}", act, nb)
        for t, (fr, en, act) in enumerate(GROUP_THEMES)
        for q, nb in enumerate(NEIGHBOURHOODS)
    )


def generate(
    n_households: int,
    *,
    seed: int,
    end: date,
    years: float = 2.0,
    with_profiles: bool = False,
) -> GeneratedAssociation:
    """Draw ``n_households`` journeys over the ``years`` before ``end`` (deterministic per seed).

    No touchpoint is dated after ``end``; episodes still running at ``end`` are open (-1).
    """
    if n_households < 0:
        raise ValueError("n_households must be >= 0")
    end_day = day_number(end)
    start_day = end_day - round(years * 365)
    n_vol = max(8, n_households // 30)
    sim = _Simulation(start_day=start_day, end_day=end_day, n_volunteers=n_vol)
    for chunk, lo in enumerate(range(0, n_households, CHUNK_HOUSEHOLDS)):
        n = min(CHUNK_HOUSEHOLDS, n_households - lo)
        rng = np.random.default_rng(np.random.SeedSequence([seed, chunk]))
        sim.run_chunk(rng, n, id_base=lo)
    vrng = np.random.default_rng(np.random.SeedSequence([seed, 1_000_003]))
    volunteers = Volunteers(
        id=np.arange(1, n_vol + 1, dtype=np.int64),
        neighbourhood=_draw_neighbourhoods(vrng, n_vol),
        languages=_draw_languages(vrng, n_vol),
    )
    gen = GeneratedAssociation(
        seed=seed,
        start=day_date(start_day),
        end=end,
        touchpoints=sim.touchpoints(),
        households=sim.households(),
        activities=ACTIVITIES,
        groups=groups_catalog(),
        volunteers=volunteers,
        support_cases=SupportCases(**sim.table("support")),
        group_memberships=GroupMemberships(**sim.table("membership")),
        sponsorships=Sponsorships(**sim.table("sponsorship")),
        roles=Roles(**sim.table("role")),
        referrals=Referrals(**sim.table("referral")),
        absent_visits=AbsentVisits(**sim.table("absent")),
    )
    if with_profiles:
        from dataclasses import replace

        from parcours.demo.profiles import household_profiles, volunteer_profiles

        gen = replace(
            gen,
            profiles=tuple(household_profiles(gen, gen.households.id)),
            volunteer_profiles=tuple(volunteer_profiles(gen)),
        )
    return gen


# --------------------------------------------------------------------------------------------
# Drawing helpers


def _draw_neighbourhoods(rng: np.random.Generator, n: int) -> I8:
    p = np.asarray(NEIGHBOURHOOD_WEIGHTS) / sum(NEIGHBOURHOOD_WEIGHTS)
    return rng.choice(len(NEIGHBOURHOODS), n, p=p).astype(np.int8)


def _draw_languages(rng: np.random.Generator, n: int) -> npt.NDArray[np.int16]:
    mask = np.zeros(n, dtype=np.int16)
    for i, (_, share) in enumerate(LANGUAGES):
        mask |= (rng.random(n) < share).astype(np.int16) << i
    return mask


def _geo(rng: np.random.Generator, mean: float, n: int) -> I64:
    """Delays in days, >= 1, geometric with the given mean."""
    return rng.geometric(1.0 / mean, n).astype(np.int64)


def _align(day: I64, weekday: I64) -> I64:
    """First day >= ``day`` that falls on ``weekday`` (0 = Monday; 1970-01-01 was a Thursday)."""
    return day + (weekday - (day + 3)) % 7


def _expand(first: I64, last: I64, period: I64) -> tuple[I64, I64]:
    """Periodic occurrences first, first+period, ... <= last: (owner row, day) arrays."""
    n = np.where(last >= first, (last - first) // period + 1, 0)
    owner = np.repeat(np.arange(first.shape[0]), n)
    offs = np.arange(owner.shape[0]) - np.repeat(np.cumsum(n) - n, n)
    return owner, first[owner] + offs * period[owner]


_ACT_ID = np.array([a.id for a in ACTIVITIES], dtype=np.int64)
_ACT_WEEKDAY = np.array([a.weekdays[0] for a in ACTIVITIES], dtype=np.int64)
_MAX_WEEKDAYS = max(len(a.weekdays) for a in ACTIVITIES)
_ACT_N_WEEKDAYS = np.array([len(a.weekdays) for a in ACTIVITIES], dtype=np.int64)
_ACT_WEEKDAYS = np.array(
    [a.weekdays + (a.weekdays[0],) * (_MAX_WEEKDAYS - len(a.weekdays)) for a in ACTIVITIES],
    dtype=np.int64,
)
_ACT_PERIOD = np.array([a.period_days for a in ACTIVITIES], dtype=np.int64)
_ACT_POP = np.array([a.popularity for a in ACTIVITIES])
_REGULAR = np.flatnonzero(_ACT_POP > 0)  # activities a household can pick (not the committee)
_REG_P = _ACT_POP[_REGULAR] / _ACT_POP[_REGULAR].sum()
_COMMITTEE_IDX = int(np.flatnonzero(_ACT_ID == COMMITTEE_ACTIVITY_ID)[0])
# theme of each activity index (-1 when no group theme for it)
_THEME_OF_ACT = np.full(len(ACTIVITIES), -1, dtype=np.int64)
for _t, (_fr, _en, _act) in enumerate(GROUP_THEMES):
    _THEME_OF_ACT[int(np.flatnonzero(_act == _ACT_ID)[0])] = _t


class _Simulation:
    """Accumulates chunks of simulated households; ids of episodes are global and sequential."""

    def __init__(self, *, start_day: int, end_day: int, n_volunteers: int) -> None:
        self.start_day = start_day
        self.end_day = end_day
        self.n_volunteers = n_volunteers
        self.tp_chunks: list[dict[str, np.ndarray]] = []
        self.hh_chunks: list[dict[str, np.ndarray]] = []
        self.tables: dict[str, list[dict[str, np.ndarray]]] = {
            k: [] for k in ("support", "membership", "sponsorship", "role", "referral", "absent")
        }
        self.next_id = {"support": 1, "sponsorship": 1, "role": 1}

    # -- assembly ------------------------------------------------------------------------

    def touchpoints(self) -> TouchpointColumns:
        cols: dict[str, np.ndarray] = {}
        dtypes = {"household": np.int64, "day": np.int32, "kind": np.int8}
        for name in ("household", "day", "kind", "activity", "ref"):
            parts = [c.pop(name) for c in self.tp_chunks]
            dt = dtypes.get(name, np.int64)
            cols[name] = np.concatenate(parts) if parts else np.empty(0, dtype=dt)
            del parts
        self.tp_chunks = []
        return TouchpointColumns(**cols)

    def households(self) -> HouseholdColumns:
        names = HouseholdColumns.__dataclass_fields__
        return HouseholdColumns(
            **{k: np.concatenate([c[k] for c in self.hh_chunks]) for k in names}
            if self.hh_chunks
            else {k: np.empty(0, dtype=np.int64) for k in names}
        )

    def table(self, name: str) -> dict[str, np.ndarray]:
        chunks = self.tables[name]
        keys = _TABLE_FIELDS[name]
        if not chunks:
            return {k: np.empty(0, dtype=np.int64) for k in keys}
        return {k: np.concatenate([c[k] for c in chunks]) for k in keys}

    def _ids(self, name: str, n: int) -> I64:
        first = self.next_id[name]
        self.next_id[name] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    # -- one chunk -----------------------------------------------------------------------

    def run_chunk(self, rng: np.random.Generator, n: int, *, id_base: int) -> None:
        s0, end = self.start_day, self.end_day
        hid = np.arange(id_base + 1, id_base + n + 1, dtype=np.int64)
        parts: list[_Part] = []

        def emit(h: I64, day: I64, kind: str, act: I64 | int = -1, ref: I64 | int = -1) -> None:
            parts.append((h, day, K[kind], act, ref))

        # Households: entry, path, depth, attributes.
        # skewed early, so that the long tail has time to engage
        entry = s0 + (rng.random(n) ** 1.25 * (end - s0 + 1)).astype(np.int64)
        path = rng.choice(3, n, p=_PATH_P)
        cdf = np.cumsum(_DEPTH_P, axis=1)[path]
        depth = (rng.random(n)[:, None] >= cdf[:, :-1]).sum(axis=1)
        chan_by_path = [[i for i, c in enumerate(CHANNELS) if c[3] == p] for p in range(3)]
        channel = np.empty(n, dtype=np.int8)
        for p in range(3):
            m = path == p
            channel[m] = rng.choice(chan_by_path[p], int(m.sum()))
        neighbourhood = _draw_neighbourhoods(rng, n)
        languages = _draw_languages(rng, n)
        adults = np.where(rng.random(n) < 0.35, 1, 2).astype(np.int8)
        children = rng.choice([0, 1, 2, 3, 4, 5], n, p=[0.10, 0.25, 0.30, 0.20, 0.10, 0.05])
        self.hh_chunks.append(
            {
                "id": hid,
                "entry_day": entry.astype(np.int32),
                "entry_path": path.astype(np.int8),
                "channel": channel,
                "neighbourhood": neighbourhood,
                "languages": languages,
                "adults": adults,
                "children": children.astype(np.int8),
                "consent_day": entry.astype(np.int32),
                "depth": depth.astype(np.int8),
            }
        )
        idx = np.arange(n)
        NONE = np.full(n, -1, dtype=np.int64)

        # Awareness: outreach contacts (repeated for those who do not answer at once).
        out = idx[path == 0]
        emit(out, entry[out], "outreach_contact")
        again = out[(depth[out] == 0) & (rng.random(out.shape[0]) < 0.5)]
        emit(again, entry[again] + rng.integers(7, 60, again.shape[0]), "outreach_contact")

        # Research: information request.
        info_day = NONE.copy()
        info_day[path == 1] = entry[path == 1]
        m = (path == 0) & (depth >= 1)
        info_day[m] = entry[m] + _geo(rng, 20, int(m.sum()))
        has = idx[info_day >= 0]
        emit(has, info_day[has], "info_request")

        # Selection: a peer family (referral) or an appointment.
        sel_day = NONE.copy()
        peer = idx[path == 2]
        sel_day[peer] = entry[peer]
        emit(peer, entry[peer], "peer_contact")
        m = idx[(path != 2) & (depth >= 2)]
        sel_day[m] = info_day[m] + _geo(rng, 12, m.shape[0])
        by_peer = rng.random(m.shape[0]) < 0.25
        emit(m[by_peer], sel_day[m[by_peer]], "peer_contact")
        appt = np.concatenate(
            [m[~by_peer], peer[(depth[peer] >= 3) & (rng.random(peer.shape[0]) < 0.6)]]
        )
        appt_day = sel_day[appt] + np.where(path[appt] == 2, _geo(rng, 5, appt.shape[0]), 0)
        emit(appt, appt_day, "appointment_booked")
        sel_day[appt] = appt_day

        # Acquisition: the welcome visit.
        intake = NONE.copy()
        m = depth >= 3
        intake[m] = sel_day[m] + _geo(rng, 8, int(m.sum()))
        acq = idx[m]
        emit(acq, intake[acq], "intake_visit")

        # Discovery: 1 to 3 trial sessions.
        disc = idx[depth >= 4]
        nd = disc.shape[0]
        n_trials = 1 + rng.binomial(2, 0.5, nd)
        trial_act = _REGULAR[rng.choice(_REGULAR.shape[0], (nd, 3), p=_REG_P)]
        t = intake[disc] + _geo(rng, 10, nd)
        last_trial = t.copy()
        for k in range(3):
            t = _align(t, _ACT_WEEKDAY[trial_act[:, k]])
            m = n_trials > k
            emit(disc[m], t[m], "attendance", _ACT_ID[trial_act[m, k]])
            last_trial = np.where(m, t, last_trial)
            t = t + _geo(rng, 9, nd)
        main_act = NONE.copy()
        main_act[disc] = trial_act[:, 0]

        # Support cases of newcomers (before usage: never maintenance).
        m = idx[(depth >= 3) & (rng.random(n) < 0.12)]
        self._support(rng, emit, hid, m, intake[m] + rng.integers(0, 60, m.shape[0]))

        # Sponsorship for discovery households.
        reg = idx[depth >= 5]
        nr = reg.shape[0]
        reg_start = NONE.copy()
        reg_start[reg] = last_trial[depth[disc] >= 5] + _geo(rng, 10, nr)
        duration = np.minimum(rng.lognormal(np.log(540), 0.9, nr), 3000).astype(np.int64) + 30
        reg_end = NONE.copy()
        reg_end[reg] = reg_start[reg] + duration
        recommender = np.zeros(n, dtype=bool)
        recommender[reg] = rng.random(nr) < 0.4
        rec = idx[recommender]
        rec_sorted = rec[np.argsort(reg_start[rec], kind="stable")]
        rec_start_sorted = reg_start[rec_sorted]

        sp = disc[rng.random(nd) < 0.6]
        sp_start = intake[sp] + rng.integers(0, 15, sp.shape[0])
        sp_end = sp_start + rng.integers(60, 240, sp.shape[0])
        sponsor_h = self._pick_earlier(rng, rec_sorted, rec_start_sorted, sp_start - 60)
        sponsor_h[rng.random(sp.shape[0]) < 0.7] = -1
        sponsor_v = np.where(sponsor_h < 0, rng.integers(1, self.n_volunteers + 1, sp.shape[0]), -1)
        keep = sp_start <= end
        sp, sp_start, sp_end, sponsor_h, sponsor_v = (
            a[keep] for a in (sp, sp_start, sp_end, sponsor_h, sponsor_v)
        )
        sp_ids = self._ids("sponsorship", sp.shape[0])
        emit(sp, sp_start, "sponsor_assigned", ref=sp_ids)
        closed = sp_end <= end
        emit(sp[closed], sp_end[closed], "sponsor_ended", ref=sp_ids[closed])
        self.tables["sponsorship"].append(
            {
                "id": sp_ids,
                "household": hid[sp],
                "sponsor_volunteer": sponsor_v.astype(np.int64),
                "sponsor_household": np.where(sponsor_h >= 0, hid[np.maximum(sponsor_h, 0)], -1),
                "started": sp_start.astype(np.int32),
                "ended": np.where(closed, sp_end, -1).astype(np.int32),
            }
        )

        # Regular use: enrolments in 1 to 4 activities, weekly (or fortnightly, monthly) sessions.
        n_act = 1 + rng.choice(4, nr, p=[0.45, 0.33, 0.15, 0.07])
        main_pos = np.searchsorted(_REGULAR, main_act[reg])
        r = _REGULAR.shape[0]
        offsets = np.argsort(rng.random((nr, r - 1)), axis=1) + 1  # distinct other activities
        slots_h: list[I64] = []
        slots_a: list[I64] = []
        slots_s: list[I64] = []
        slots_e: list[I64] = []
        for s in range(4):
            m = n_act > s
            h = reg[m]
            pos = main_pos[m] if s == 0 else (main_pos[m] + offsets[m, s - 1]) % r
            st = reg_start[h] + (rng.integers(0, 120, h.shape[0]) if s else 0)
            en = reg_end[h] - (rng.integers(0, 150, h.shape[0]) if s else 0)
            slots_h.append(h)
            slots_a.append(_REGULAR[pos])
            slots_s.append(st)
            slots_e.append(en)

        # Lapses ("breakdowns"): 0-2 periods without any attendance, often with a support case.
        lapse_s = np.full((n, 2), -1, dtype=np.int64)
        lapse_e = np.full((n, 2), -1, dtype=np.int64)
        n_lapse = rng.choice(3, nr, p=[0.4, 0.4, 0.2])
        ls = reg_start[reg] + 30 + (rng.random(nr) * np.maximum(duration - 30, 1)).astype(np.int64)
        for j in range(2):
            m = n_lapse > j
            le = ls + rng.integers(21, 150, nr)
            lapse_s[reg[m], j] = ls[m]
            lapse_e[reg[m], j] = le[m]
            opened = ls + rng.integers(0, 15, nr)
            sup = m & (rng.random(nr) < 0.8)
            self._support(rng, emit, hid, reg[sup], opened[sup])
            ls = le + rng.integers(30, 200, nr)
        m = rng.random(nr) < 0.08
        self._support(
            rng, emit, hid, reg[m], reg_start[reg[m]] + rng.integers(0, 200, int(m.sum()))
        )

        # Engagement: leading activities, projects, roles (committee).
        engaged = reg[(duration > 150) & (rng.random(nr) < 0.25)]
        ne = engaged.shape[0]
        eng_start = reg_start[engaged] + rng.integers(60, 240, ne)
        lead = engaged[rng.random(ne) < 0.6]
        lead_start = reg_start[lead] + rng.integers(60, 240, lead.shape[0])
        lead_end = np.minimum(reg_end[lead], lead_start + rng.integers(60, 500, lead.shape[0]))
        lact = main_act[lead]
        lfirst = _align(lead_start, _ACT_WEEKDAY[lact])
        o, d = _expand(lfirst, lead_end, np.full(lead.shape[0], 28, dtype=np.int64))
        emit(lead[o], d, "activity_led", _ACT_ID[lact[o]])
        npj = rng.choice(3, ne, p=[0.45, 0.35, 0.20])
        for j in range(2):
            m = npj > j
            emit(engaged[m], eng_start[m] + rng.integers(0, 300, int(m.sum())), "project_proposed")
        ro = rng.random(ne) < 0.55
        rh = engaged[ro]
        role = rng.choice(3, rh.shape[0], p=[0.6, 0.25, 0.15])
        r_start = eng_start[ro] + rng.integers(0, 90, rh.shape[0])
        r_end = r_start + rng.integers(120, 720, rh.shape[0])
        keep = r_start <= end
        rh, role, r_start, r_end = rh[keep], role[keep], r_start[keep], r_end[keep]
        r_ids = self._ids("role", rh.shape[0])
        emit(rh, r_start, "role_started", ref=r_ids)
        closed = r_end <= end
        emit(rh[closed], r_end[closed], "role_ended", ref=r_ids[closed])
        self.tables["role"].append(
            {
                "id": r_ids,
                "household": hid[rh],
                "role": role.astype(np.int8),
                "started": r_start.astype(np.int32),
                "ended": np.where(closed, r_end, -1).astype(np.int32),
            }
        )
        cm = role == 0  # committee members attend the monthly committee
        slots_h.append(rh[cm])
        slots_a.append(np.full(int(cm.sum()), _COMMITTEE_IDX, dtype=np.int64))
        slots_s.append(r_start[cm])
        slots_e.append(np.minimum(r_end[cm], end))

        # Attendance: expand enrolments into sessions, drop absences and lapses.
        eh = np.concatenate(slots_h)
        ea = np.concatenate(slots_a)
        es = np.concatenate(slots_s)
        last = np.minimum(np.concatenate(slots_e), end)
        p_att = rng.beta(6.0, 1.8, eh.shape[0])
        for w in range(_MAX_WEEKDAYS):  # activities held on several weekdays
            m = _ACT_N_WEEKDAYS[ea] > w
            first = _align(es[m], _ACT_WEEKDAYS[ea[m], w])
            o, d = _expand(first, last[m], _ACT_PERIOD[ea[m]])
            h = eh[m][o]
            keep = rng.random(o.shape[0]) < p_att[m][o]
            for j in range(2):
                keep &= ~((d >= lapse_s[h, j]) & (d < lapse_e[h, j]))
            emit(h[keep], d[keep], "attendance", _ACT_ID[ea[m][o[keep]]])
            del o, d, h, keep

        # Groups of families: joined some weeks into regular use, left when attendance stops.
        gm = reg[rng.random(nr) < 0.45]
        g_join = reg_start[gm] + rng.integers(14, 120, gm.shape[0])
        ok = g_join < reg_end[gm]
        gm, g_join = gm[ok], g_join[ok]
        theme = _THEME_OF_ACT[main_act[gm]]
        theme = np.where(theme < 0, rng.integers(0, len(GROUP_THEMES), gm.shape[0]), theme)
        group = theme * len(NEIGHBOURHOODS) + neighbourhood[gm] + 1
        g_left = reg_end[gm] + rng.integers(7, 45, gm.shape[0])
        keep = g_join <= end
        gm, g_join, g_left, group = gm[keep], g_join[keep], g_left[keep], group[keep]
        emit(gm, g_join, "group_joined", ref=group)
        closed = g_left <= end
        emit(gm[closed], g_left[closed], "group_left", ref=group[closed])
        self.tables["membership"].append(
            {
                "household": hid[gm],
                "group": group.astype(np.int64),
                "joined": g_join.astype(np.int32),
                "left": np.where(closed, g_left, -1).astype(np.int32),
            }
        )

        # Recommendation: referrals (peer-path households brought by a recommender) and
        # visits to absent families.
        referred = peer[rng.random(peer.shape[0]) < 0.85]
        referrer = self._pick_earlier(rng, rec_sorted, rec_start_sorted, entry[referred] - 30)
        ok = referrer >= 0
        referred, referrer = referred[ok], referrer[ok]
        emit(referrer, entry[referred], "referral_made", ref=hid[referred])
        self.tables["referral"].append(
            {
                "referrer": hid[referrer],
                "referred": hid[referred],
                "day": entry[referred].astype(np.int32),
            }
        )
        visitors = rec[rng.random(rec.shape[0]) < 0.6]
        v_from = reg_start[visitors] + 60
        v_to = np.minimum(reg_end[visitors], end)
        nv = rng.poisson(np.maximum(v_to - v_from, 0) / 60.0)
        vo = np.repeat(np.arange(visitors.shape[0]), nv)
        vday = v_from[vo] + (rng.random(vo.shape[0]) * (v_to - v_from)[vo]).astype(np.int64)
        vh = visitors[vo]
        visited = (vh + rng.integers(1, max(n, 2), vo.shape[0])) % n
        emit(vh, vday, "absent_visit")
        self.tables["absent"].append(
            {"visitor": hid[vh], "visited": hid[visited], "day": vday.astype(np.int32)}
        )

        # Communications (not progress by themselves): a newsletter every two weeks to every
        # household that gave its contact, a weekly programme message during regular use.
        c = idx[(intake >= 0) & (rng.random(n) < 0.85)]
        contact = intake
        first = contact[c] + (_NEWSLETTER_ANCHOR - contact[c]) % _NEWSLETTER_PERIOD
        o, d = _expand(first, np.full(c.shape[0], end), np.full(c.shape[0], _NEWSLETTER_PERIOD))
        emit(c[o], d, "communication")
        first = _align(reg_start[reg], np.full(nr, 6))
        o, d = _expand(first, np.minimum(reg_end[reg] + 60, end), np.full(nr, 7))
        weekly = rng.random(nr) < 0.5
        sel = weekly[o]
        emit(reg[o[sel]], d[sel], "communication")
        del o, d

        self._store_touchpoints(parts, hid, n)

    def _support(
        self, rng: np.random.Generator, emit: _Emit, hid: I64, h: I64, opened: I64
    ) -> None:
        """Support cases opened on ``opened`` (dropped if after the end), closed weeks later."""
        keep = opened <= self.end_day
        h, opened = h[keep], opened[keep]
        closed = opened + np.maximum(7, rng.lognormal(np.log(75), 0.7, h.shape[0])).astype(np.int64)
        ids = self._ids("support", h.shape[0])
        emit(h, opened, "support_opened", ref=ids)
        done = closed <= self.end_day
        emit(h[done], closed[done], "support_closed", ref=ids[done])
        self.tables["support"].append(
            {
                "id": ids,
                "household": hid[h],
                "opened": opened.astype(np.int32),
                "closed": np.where(done, closed, -1).astype(np.int32),
            }
        )

    @staticmethod
    def _pick_earlier(rng: np.random.Generator, cands: I64, cand_start: I64, before: I64) -> I64:
        """For each ``before`` day, a random candidate whose start is < that day (or -1)."""
        c = np.searchsorted(cand_start, before, side="left")
        pick = (rng.random(before.shape[0]) * c).astype(np.int64)
        if cands.shape[0] == 0:
            return np.full(before.shape[0], -1, dtype=np.int64)
        return np.where(c > 0, cands[np.minimum(pick, cands.shape[0] - 1)], -1)

    def _store_touchpoints(self, parts: list[_Part], hid: I64, n: int) -> None:
        """Concatenate the chunk's touchpoints, drop those after the end, sort by household, day."""
        sizes = [p[0].shape[0] for p in parts]
        h = np.concatenate([p[0] for p in parts])
        day = np.concatenate([p[1] for p in parts])
        kind = np.concatenate(
            [np.full(k, p[2], dtype=np.int64) for k, p in zip(sizes, parts, strict=True)]
        )
        act = np.concatenate(
            [
                np.broadcast_to(np.asarray(p[3], dtype=np.int64), (k,))
                for k, p in zip(sizes, parts, strict=True)
            ]
        )
        ref = np.concatenate(
            [
                np.broadcast_to(np.asarray(p[4], dtype=np.int64), (k,))
                for k, p in zip(sizes, parts, strict=True)
            ]
        )
        parts.clear()
        keep = day <= self.end_day
        # (household, day, kind): openers sort before closers of the same day.
        key = (h << 26) | ((day - self.start_day) << 5) | kind
        order = np.flatnonzero(keep)[np.argsort(key[keep], kind="stable")]
        del key, keep
        self.tp_chunks.append(
            {
                "household": hid[h[order]],
                "day": day[order].astype(np.int32),
                "kind": kind[order].astype(np.int8),
                "activity": act[order],
                "ref": ref[order],
            }
        )


_TABLE_FIELDS = {
    "support": ("id", "household", "opened", "closed"),
    "membership": ("household", "group", "joined", "left"),
    "sponsorship": (
        "id",
        "household",
        "sponsor_volunteer",
        "sponsor_household",
        "started",
        "ended",
    ),
    "role": ("id", "household", "role", "started", "ended"),
    "referral": ("referrer", "referred", "day"),
    "absent": ("visitor", "visited", "day"),
}
