"""Names, addresses and families for generated households and volunteers (Faker fr_FR).

Faker is slow (tens of microseconds a name), so profiles are drawn on demand, for the ids
asked, and each one is seeded by (generator seed, id): a household's profile does not depend on
which other ids are asked for, nor in which order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from faker import Faker

from parcours.demo.catalog import CHANNELS, CITY, LANGUAGES, NEEDS, NEIGHBOURHOODS, POSTCODES
from parcours.demo.generator import GeneratedAssociation
from parcours.engine.columns import day_date


@dataclass(frozen=True)
class Person:
    first_name: str
    birth_year: int
    relation: str  # "parent", "enfant", "grand-parent"


@dataclass(frozen=True)
class HouseholdProfile:
    id: int
    family_name: str
    neighbourhood: str
    address: str  # street address, without postcode and city
    postcode: str
    city: str
    languages: tuple[str, ...]  # ISO 639-1 codes, "fr" first
    adults: int
    children: int
    single_parent: bool
    needs: tuple[str, ...]  # in French (catalog.NEEDS)
    channel: str  # how they heard of the association, in French
    channel_key: str
    consent_date: date
    persons: tuple[Person, ...]


@dataclass(frozen=True)
class VolunteerProfile:
    id: int
    first_name: str
    last_name: str
    neighbourhood: str
    languages: tuple[str, ...]
    email: str
    phone: str


@lru_cache(maxsize=1)
def _faker() -> Faker:
    return Faker("fr_FR")


def _languages(mask: int) -> tuple[str, ...]:
    return ("fr", *(code for i, (code, _) in enumerate(LANGUAGES) if mask >> i & 1))


def household_profiles(gen: GeneratedAssociation, ids: Iterable[int]) -> list[HouseholdProfile]:
    """Profiles of the households ``ids`` (household ids are 1..n_households)."""
    fake = _faker()
    hh = gen.households
    year = gen.end.year
    out: list[HouseholdProfile] = []
    for hid in ids:
        i = int(hid) - 1
        rng = np.random.default_rng(np.random.SeedSequence([gen.seed, 7, int(hid)]))
        fake.seed_instance(gen.seed * 1_000_003 + int(hid))
        adults, children = int(hh.adults[i]), int(hh.children[i])
        single = adults == 1 and children > 0
        family = fake.last_name()
        persons: list[Person] = []
        parent_year = year - int(rng.integers(22, 60))
        persons.append(Person(fake.first_name(), parent_year, "parent"))
        if adults == 2:
            persons.append(
                Person(fake.first_name(), parent_year + int(rng.integers(-6, 7)), "parent")
            )
        for _ in range(children):
            child_year = max(parent_year + 17, year - int(rng.integers(0, 19)))
            persons.append(Person(fake.first_name(), child_year, "enfant"))
        if rng.random() < 0.06:
            persons.append(
                Person(fake.first_name(), parent_year - int(rng.integers(20, 30)), "grand-parent")
            )
        q = int(hh.neighbourhood[i])
        n_needs = 1 + int(rng.integers(0, 3))
        needs = tuple(NEEDS[j][0] for j in sorted(rng.choice(len(NEEDS), n_needs, replace=False)))
        ch = CHANNELS[int(hh.channel[i])]
        out.append(
            HouseholdProfile(
                id=int(hid),
                family_name=family,
                neighbourhood=NEIGHBOURHOODS[q],
                address=fake.street_address(),
                postcode=POSTCODES[q],
                city=CITY,
                languages=_languages(int(hh.languages[i])),
                adults=adults,
                children=children,
                single_parent=single,
                needs=needs,
                channel=ch[1],
                channel_key=ch[0],
                consent_date=day_date(int(hh.consent_day[i])),
                persons=tuple(persons),
            )
        )
    return out


def volunteer_profiles(
    gen: GeneratedAssociation, ids: Iterable[int] | None = None
) -> list[VolunteerProfile]:
    """Profiles of the volunteers ``ids`` (all of them by default; ids are 1..n)."""
    fake = _faker()
    vol = gen.volunteers
    out: list[VolunteerProfile] = []
    for vid in vol.id.tolist() if ids is None else ids:
        i = int(vid) - 1
        fake.seed_instance(gen.seed * 1_000_003 + 500_000_000 + int(vid))
        first, last = fake.first_name(), fake.last_name()
        out.append(
            VolunteerProfile(
                id=int(vid),
                first_name=first,
                last_name=last,
                neighbourhood=NEIGHBOURHOODS[int(vol.neighbourhood[i])],
                languages=_languages(int(vol.languages[i])),
                email=fake.free_email(),
                phone=fake.phone_number(),
            )
        )
    return out
