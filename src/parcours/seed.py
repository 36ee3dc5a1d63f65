"""Write a generated association (parcours.demo.generator) into the database.

Used by `parcours demo` and by tests that want a realistic association. The generator is
pure Python; this module is its Django side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from parcours.activities.models import Activity
from parcours.demo.generator import generate
from parcours.demo.profiles import household_profiles
from parcours.engine.columns import KINDS, day_date
from parcours.households.models import Channel, Composition, Household, Person, Touchpoint
from parcours.journey.services import journey_recompute

DEMO_PASSWORD = "parcours-demo"
DEMO_USERS = (
    ("admin", Role.ADMIN, "Administratrice"),
    ("coordination", Role.COORDINATOR, "Coordinatrice"),
    ("social", Role.SOCIAL_WORKER, "Travailleur social"),
    ("benevole", Role.VOLUNTEER, "Bénévole"),
    ("famille", Role.PEER_FAMILY, "Famille paire"),
    ("bureau", Role.BOARD, "Membre du conseil d'administration"),
)
CHANNEL_MAP = {
    "door_to_door": Channel.OUTREACH,
    "street_stand": Channel.OUTREACH,
    "school": Channel.OUTREACH,
    "partner": Channel.PARTNER,
    "info_centre": Channel.INFO_CENTRE,
    "phone": Channel.INFO_CENTRE,
    "web": Channel.WEB,
    "town_hall": Channel.PARTNER,
    "peer_family": Channel.PEER,
}
RELATION_MAP = {"parent": "parent", "enfant": "child", "grand-parent": "grandparent"}


@dataclass
class SeedResult:
    association: Association
    household_count: int
    touchpoint_count: int
    logins: list[tuple[str, str]]


def _composition(adults: int, children: int, single: bool) -> str:
    if single:
        return Composition.SINGLE_PARENT
    if adults >= 3:
        return Composition.EXTENDED
    if adults == 2:
        return Composition.COUPLE_CHILDREN if children else Composition.COUPLE
    return Composition.SINGLE


def _phone(hid: int, seed: int) -> str:
    n = (hid * 7919 + seed * 104729) % 100_000_000
    digits = f"06{n:08d}"
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


@transaction.atomic
def seed_association(
    *,
    name: str,
    slug: str,
    households: int,
    seed: int,
    end: date | None = None,
    with_users: bool = True,
) -> SeedResult:
    """Create one association with `households` generated households and their history."""
    end = end or timezone.localdate()
    gen = generate(households, seed=seed, end=end)
    profiles = household_profiles(gen, range(1, households + 1))
    with scopes_disabled():
        association = Association.objects.create(name=name, slug=slug)
        activity_pk = {}
        for a in gen.activities:
            activity_pk[a.id] = Activity.objects.create(
                association=association, name=a.name_fr, category=a.category
            ).pk
        rows = [
            Household(
                association=association,
                name=f"Famille {p.family_name}",
                neighbourhood=p.neighbourhood,
                address=f"{p.address}, {p.postcode} {p.city}",
                phone=_phone(p.id, seed),
                languages=list(p.languages),
                composition=_composition(p.adults, p.children, p.single_parent),
                needs="\n".join(p.needs),
                heard_from=CHANNEL_MAP.get(p.channel_key, Channel.OTHER),
                consent_given=True,
                consent_date=p.consent_date,
            )
            for p in profiles
        ]
        Household.objects.bulk_create(rows, batch_size=500)
        household_pk = {p.id: h.pk for p, h in zip(profiles, rows, strict=True)}
        persons = []
        for p, h in zip(profiles, rows, strict=True):
            for i, person in enumerate(p.persons):
                persons.append(
                    Person(
                        association=association,
                        household=h,
                        first_name=person.first_name,
                        last_name=p.family_name,
                        birth_year=person.birth_year,
                        relation=RELATION_MAP.get(person.relation, "other"),
                        is_contact=i == 0,
                    )
                )
        Person.objects.bulk_create(persons, batch_size=1000)
        tp = gen.touchpoints
        referral = KINDS.index("referral_made")
        touchpoints = []
        for hid, day, kind, activity, ref in zip(
            tp.household.tolist(),
            tp.day.tolist(),
            tp.kind.tolist(),
            tp.activity.tolist(),
            tp.ref.tolist(),
            strict=True,
        ):
            if ref >= 0 and kind == referral:
                ref = household_pk[ref]
            touchpoints.append(
                Touchpoint(
                    association=association,
                    household_id=household_pk[hid],
                    day=day_date(day),
                    kind=KINDS[kind],
                    activity_id=activity_pk.get(activity),
                    ref=ref if ref >= 0 else None,
                )
            )
        Touchpoint.objects.bulk_create(touchpoints, batch_size=2000)
        journey_recompute(association=association, as_of=end)
        logins = []
        if with_users:
            logins = _create_users(association, slug)
    return SeedResult(association, len(rows), len(touchpoints), logins)


def _create_users(association: Association, slug: str) -> list[tuple[str, str]]:
    from parcours.journey.models import HouseholdJourney

    User = get_user_model()
    logins = []
    peer = (
        HouseholdJourney.objects.filter(
            association=association, stage__in=["recommendation", "engagement"]
        )
        .order_by("household_id")
        .first()
    )
    for username, role, first_name in DEMO_USERS:
        user = User.objects.create_user(
            username,
            password=DEMO_PASSWORD,
            first_name=first_name,
            email=f"{username}@{slug}.example",
        )
        Membership.objects.create(
            user=user,
            association=association,
            role=role,
            household_id=peer.household_id if role == Role.PEER_FAMILY and peer else None,
        )
        logins.append((username, str(Role(role).label)))
    return logins


def seed_demo(*, households: int = 300, seed: int = 2026) -> SeedResult:
    return seed_association(
        name="Familles Solidaires de Lille",
        slug="familles-solidaires",
        households=households,
        seed=seed,
    )
