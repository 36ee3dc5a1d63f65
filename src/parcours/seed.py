"""Write a generated association (parcours.demo.generator) into the database.

Used by `parcours demo` and by tests that want a realistic association. The generator is
pure Python; this module is its Django side.

The domain tables are the source of truth and the touchpoints are derived from them, so every
episode of the generator becomes the records its service would write (community, support, front
desk, outreach, activities). They go through each app's bulk writer (`<app>/bulk.py`, the path
imports take; parcours.seed_records calls them), which writes their touchpoints by the services'
conventions (`ref`, who recorded it, the links): the seeder writes no touchpoint itself. The
bulk path rather than the per-row services, which would recompute a journey per write: the
journeys and the worklists' tasks are computed once, in batch.

Not written: the audit events the services record for each act (the seeded history was not
done by anyone), and weekly schedules of the past (the sessions held are one-off, on the days
attended; each activity's schedule plans the coming weeks).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from parcours.accounts.signin import SECOND_FACTOR_ROLES
from parcours.activities.models import Activity
from parcours.community.models import (
    ClosureReason,
    CommunityRole,
    Sponsorship,
)
from parcours.demo.catalog import NEIGHBOURHOODS, ROLES
from parcours.demo.generator import GeneratedAssociation, generate
from parcours.demo.profiles import household_profiles, volunteer_profiles
from parcours.directory.search import index_households
from parcours.engine.columns import day_date
from parcours.households.bulk import households_write, persons_write
from parcours.households.models import Channel, Composition, Household, Person
from parcours.journey.recompute import journey_recompute
from parcours.seed_records import WEEKS_AHEAD, Records, _pick
from parcours.support.models import FollowUp, Outcome, SupportCase
from parcours.worklists.models import SponsorProfile

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "DEMO_USERS", "WEEKS_AHEAD", "seed_association",
           "seed_demo", "SeedResult"]  # fmt: skip

DEMO_PASSWORD = "parcours-demo"
# DEMO ONLY, public in the README: the authenticator-app secret of the demo's administrator,
# coordinator and social worker (their role requires two-factor authentication). Add it to any
# TOTP app, or run `parcours demo-code`. A real association's accounts enrol their own app.
DEMO_TOTP_SECRET = "PARCOURSDEMO2FAKEYFORLOCALUSE234"
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
# Relative to the household's reference person, its first member (a parent in the generator).
RELATION_MAP = {"parent": "spouse", "enfant": "child", "grand-parent": "parent"}
SUPPORT_REASONS = (
    "Perte d'emploi d'un parent, retard de loyer",
    "Menace d'expulsion locative",
    "Rupture de droits CAF après un changement de situation",
    "Difficultés scolaires et décrochage d'un enfant",
    "Problème de santé d'un parent, isolement",
    "Dette d'énergie, coupure annoncée",
    "Séparation du couple, démarches à reprendre",
    "Titre de séjour à renouveler",
)
FOLLOWUP_NOTES = (
    "Entretien au local : point sur les démarches en cours.",
    "Appel à la famille, rendez-vous pris avec l'assistante sociale du secteur.",
    "Dossier déposé avec la famille, en attente de réponse.",
    "Visite à domicile : la situation se stabilise.",
    "Orientation vers l'épicerie solidaire en attendant l'ouverture des droits.",
)
OUTCOMES = (Outcome.RESOLVED, Outcome.RESOLVED, Outcome.REFERRED, Outcome.RESOLVED,
            Outcome.UNREACHABLE, Outcome.DECLINED)  # fmt: skip
CLOSURES = (ClosureReason.AUTONOMOUS, ClosureReason.AUTONOMOUS, ClosureReason.FAMILY_LEFT,
            ClosureReason.AUTONOMOUS, ClosureReason.SPONSOR_UNAVAILABLE,
            ClosureReason.MISMATCH)  # fmt: skip


@dataclass
class SeedResult:
    association: Association
    household_count: int
    touchpoint_count: int
    logins: list[tuple[str, str]]
    volunteer_usernames: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Touchpoints drawn by the generator that no record accounts for (none expected), by kind:
    # how many more were drawn than written.
    unlinked: dict[str, int] = field(default_factory=dict)


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
    """Create one association with `households` generated households and their history.

    Volunteers (users with the volunteer role) are always created: they sponsor families.
    `with_users` adds one demo login per role.
    """
    end = end or timezone.localdate()
    gen = generate(households, seed=seed, end=end)
    with scopes_disabled():
        seeder = _Seeder(gen, name=name, slug=slug, seed=seed, end=end)
        seeder.run(with_users=with_users)
    return seeder.result


class _Seeder(Records):
    def __init__(self, gen: GeneratedAssociation, *, name, slug, seed, end):
        self.gen, self.slug, self.seed, self.end = gen, slug, seed, end
        self.association = Association.objects.create(
            name=name, slug=slug, journey=settings.PARCOURS_JOURNEY
        )
        self.counts: dict[str, int] = {}
        self.unlinked: dict[str, int] = defaultdict(int)

    # -- the whole run ---------------------------------------------------------------------

    def run(self, *, with_users: bool) -> None:
        gen = self.gen
        self.profiles = household_profiles(gen, range(1, gen.n_households + 1))
        self.profile = {p.id: p for p in self.profiles}
        self.users(with_users)
        self.activities()
        self.households()
        self.episodes()
        self.records()
        self.consents()
        journey_recompute(association=self.association, as_of=self.end)
        if self.peer_membership is not None:
            self.peer_membership_household()
        from parcours.worklists.regenerate import tasks_regenerate_many

        tasks = tasks_regenerate_many(association=self.association, as_of=self.end)
        self.counts["tasks"] = tasks.created
        self.result = SeedResult(
            self.association, len(self.hh_rows), self.touchpoint_count, self.logins,
            self.volunteer_usernames, self.counts, {k: n for k, n in self.unlinked.items() if n},
        )  # fmt: skip

    # -- users -----------------------------------------------------------------------------

    def users(self, with_users: bool) -> None:
        """Demo logins (one per role) and the volunteers; volunteer 1 is the `benevole` login."""
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        vols = volunteer_profiles(self.gen)
        wanted: list[tuple[str, str, str, str, object]] = []  # username, role, first, last, vid
        for username, role, first_name in DEMO_USERS if with_users else ():
            if role == Role.VOLUNTEER:
                v = vols[0]
                wanted.append((username, role, v.first_name, v.last_name, v.id))
            else:
                wanted.append((username, role, first_name, "", None))
        for v in vols[1:] if with_users else vols:
            wanted.append((f"benevole{v.id}", Role.VOLUNTEER, v.first_name, v.last_name, v.id))
        taken = set(
            User.objects.filter(username__in=[w[0] for w in wanted]).values_list(
                "username", flat=True
            )
        )
        demo_names = {u for u, *_ in DEMO_USERS}
        users = []
        for username, _role, first, last, _vid in wanted:
            if username in taken and username not in demo_names:
                username = f"{username}-{self.slug}"
            users.append(
                User(
                    username=username, password=password, first_name=first, last_name=last,
                    email=f"{username}@{self.slug}.example",
                )
            )  # fmt: skip
        User.objects.bulk_create(users)
        memberships = [
            Membership(user=u, association=self.association, role=w[1])
            for u, w in zip(users, wanted, strict=True)
        ]
        Membership.objects.bulk_create(memberships)
        n_demo = len(DEMO_USERS) if with_users else 0
        self.enrol_demo_second_factor(
            [u for u, w in zip(users[:n_demo], wanted[:n_demo], strict=True)
             if w[1] in SECOND_FACTOR_ROLES]
        )  # fmt: skip
        self.logins = [
            (u.username, str(Role(w[1]).label))
            for u, w in zip(users[:n_demo], wanted[:n_demo], strict=True)
        ]
        self.staff = {w[1]: u for u, w in zip(users, wanted, strict=True) if w[4] is None}
        self.volunteer = {w[4]: u for u, w in zip(users, wanted, strict=True) if w[4] is not None}
        self.volunteer_usernames = [u.username for u in self.volunteer.values()]
        self.vol_profiles = {v.id: v for v in vols}
        self.vol_by_nb: dict[str, list] = defaultdict(list)
        for v in vols:
            self.vol_by_nb[v.neighbourhood].append(self.volunteer[v.id])
        self.vol_list = [self.volunteer[v.id] for v in vols]
        self.peer_membership = next(
            (m for m, w in zip(memberships, wanted, strict=True) if w[1] == Role.PEER_FAMILY),
            None,
        )
        self.coordinator = self.staff.get(Role.COORDINATOR)
        self.social = self.staff.get(Role.SOCIAL_WORKER)
        self.counts["volunteers"] = len(self.volunteer)

    @staticmethod
    def enrol_demo_second_factor(users) -> None:
        from allauth.mfa.totp.internal.auth import TOTP

        for user in users:
            TOTP.activate(user, DEMO_TOTP_SECRET)

    def peer_membership_household(self) -> None:
        from parcours.accounts.visibility import full_view
        from parcours.journey.models import HouseholdJourney

        peer = (
            full_view(HouseholdJourney.objects.all())
            .filter(association=self.association, stage__in=["recommendation", "engagement"])
            .order_by("household_id")
            .first()
        )
        if peer is not None:
            self.peer_membership.household_id = peer.household_id
            self.peer_membership.save(update_fields=["household"])

    def _near_volunteers(self, neighbourhood: str, *key) -> list:
        return self.vol_by_nb.get(neighbourhood) or [_pick(self.vol_list, neighbourhood, *key)]

    # -- activities and households -----------------------------------------------------------

    def activities(self) -> None:
        rows = [
            Activity(association=self.association, name=a.name_fr, category=a.category)
            for a in self.gen.activities
        ]
        Activity.objects.bulk_create(rows)
        self.activity_pk = {a.id: r.pk for a, r in zip(self.gen.activities, rows, strict=True)}

    def neighbourhoods(self) -> None:
        """The association's list of neighbourhoods (settings page), some flagged priority."""
        from parcours.association_settings.models import Neighbourhood
        from parcours.demo.catalog import PRIORITY_NEIGHBOURHOODS

        Neighbourhood.objects.bulk_create(
            Neighbourhood(
                association=self.association, name=n, priority=n in PRIORITY_NEIGHBOURHOODS
            )
            for n in NEIGHBOURHOODS
        )

    def households(self) -> None:
        a, seed = self.association, self.seed
        rows = [
            Household(
                association=a,
                name=f"Famille {p.family_name}",
                neighbourhood=p.neighbourhood,
                address=f"{p.address}, {p.postcode} {p.city}",
                phone=_phone(p.id, seed),
                languages=list(p.languages),
                composition=_composition(p.adults, p.children, p.single_parent),
                needs="\n".join(p.needs),
                heard_from=CHANNEL_MAP.get(p.channel_key, Channel.OTHER),
            )
            for p in self.profiles
        ]
        self.neighbourhoods()  # first: the list with its priority flags
        # the households app's bulk writer: no basis here (consents() writes the seeded consent
        # history), no audit (the seeded history was done by no one)
        households_write(actor=None, association=a, households=rows, audit=False, index=False)
        self.hh_rows = rows
        self.hh_pk = {p.id: h.pk for p, h in zip(self.profiles, rows, strict=True)}
        persons = []
        contacts = {}
        for p, h in zip(self.profiles, rows, strict=True):
            for i, person in enumerate(p.persons):
                row = Person(
                    association=a,
                    household=h,
                    first_name=person.first_name,
                    last_name=p.family_name,
                    birth_year=person.birth_year,
                    relation="reference" if i == 0 else RELATION_MAP.get(person.relation, "other"),
                    is_contact=i == 0,
                )
                persons.append(row)
                if i == 0:
                    contacts[p.id] = row
        persons_write(actor=None, association=a, persons=persons, audit=False, index=False)
        self.contact = contacts
        index_households(self.hh_pk.values())  # the pickers' search words

    def consents(self) -> None:
        from parcours.consent.demo import seed_consents

        sponsoring = {s.household_id for s in self.sponsorships.values()} | {
            s.sponsor_household_id for s in self.sponsorships.values() if s.sponsor_household_id
        }
        self.counts["consent_records"] = seed_consents(
            association=self.association, households=self.hh_rows,
            consent_days={self.hh_pk[p.id]: p.consent_date for p in self.profiles},
            sponsoring=sponsoring, users=self.vol_list, end=self.end,
        )  # fmt: skip

    # -- episodes: rows whose id their touchpoints carry as ref ------------------------------

    def episodes(self) -> None:
        """Sponsorships, support cases and roles as drawn (unsaved: records() writes them)."""
        gen, a, hpk = self.gen, self.association, self.hh_pk
        # Sponsorships: a volunteer or a sponsor family.
        sp = gen.sponsorships
        self.sponsorships = {}
        for sid, h, v, sh, s, e in zip(
            sp.id.tolist(), sp.household.tolist(), sp.sponsor_volunteer.tolist(),
            sp.sponsor_household.tolist(), sp.started.tolist(), sp.ended.tolist(), strict=True,
        ):  # fmt: skip
            if sh == h:  # a family cannot sponsor itself
                continue
            self.sponsorships[sid] = Sponsorship(
                association=a, household_id=hpk[h],
                sponsor_user=self.volunteer[v] if v > 0 else None,
                sponsor_household_id=hpk[sh] if v <= 0 else None,
                start=day_date(s), end=day_date(e) if e >= 0 else None,
                closure_reason=_pick(CLOSURES, "sp", sid) if e >= 0 else "",
            )  # fmt: skip
        self.counts["sponsorships"] = len(self.sponsorships)
        loads: dict[int, int] = defaultdict(int)
        for s in self.sponsorships.values():
            if s.end is None and s.sponsor_user_id:
                loads[s.sponsor_user_id] += 1
        SponsorProfile.objects.bulk_create(
            SponsorProfile(
                association=a,
                user=u,
                capacity=max(2, loads[u.pk] + 1),
                neighbourhood=self.vol_profiles[vid].neighbourhood,
                languages=list(self.vol_profiles[vid].languages),
            )  # fmt: skip
            for vid, u in self.volunteer.items()
        )

        # Support cases. One open case at a time per household (as support_case_open checks):
        # a case still open when the next breakdown comes is closed the day before.
        sc = gen.support_cases
        by_household: dict[int, list[list[int]]] = defaultdict(list)
        for cid, h, o, c in zip(
            sc.id.tolist(), sc.household.tolist(), sc.opened.tolist(), sc.closed.tolist(),
            strict=True,
        ):  # fmt: skip
            by_household[h].append([o, c, cid])
        self.case_closed_day: dict[int, int] = {}
        self.extra_closes: list[tuple[int, int]] = []  # (case id, household)
        for h, cases in by_household.items():
            cases.sort()
            for prev, nxt in zip(cases, cases[1:], strict=False):
                if prev[1] < 0 or prev[1] >= nxt[0]:
                    if prev[1] < 0:  # no support_closed touchpoint drawn: one is added
                        self.extra_closes.append((prev[2], h))
                    prev[1] = max(prev[0], nxt[0] - 1)
                    self.case_closed_day[prev[2]] = prev[1]
        self.cases: dict[int, SupportCase] = {}
        self.followups: list[FollowUp] = []
        for h, cases in by_household.items():
            for o, c, cid in cases:
                last = c if c >= 0 else self.gen_end
                n = 1 + zlib.crc32(f"fu{cid}".encode()) % 2
                days = sorted({o + (last - o) * (k + 1) // (n + 1) for k in range(n)})
                case = SupportCase(
                    association=a, household_id=hpk[h], opened_on=day_date(o),
                    reason=_pick(SUPPORT_REASONS, "sc", cid), opened_by=self.social,
                    closed_on=day_date(c) if c >= 0 else None,
                    outcome=_pick(OUTCOMES, "oc", cid) if c >= 0 else "",
                    next_review=day_date(days[-1] + 28) if c < 0 else None,
                )  # fmt: skip
                self.cases[cid] = case
                for k, d in enumerate(days):
                    self.followups.append(
                        FollowUp(
                            association=a,
                            case=case,
                            day=day_date(d),
                            note=_pick(FOLLOWUP_NOTES, "fn", cid, k),
                            author=self.social,
                        )  # fmt: skip
                    )
        self.counts["support_cases"] = len(self.cases)
        self.counts["followups"] = len(self.followups)

        # Roles, held by the household's contact person.
        ro = gen.roles
        self.roles = {
            rid: CommunityRole(
                association=a,
                household_id=hpk[h],
                person=self.contact.get(h),
                kind=ROLES[k][0],
                start=day_date(s),
                end=day_date(e) if e >= 0 else None,
            )  # fmt: skip
            for rid, h, k, s, e in zip(
                ro.id.tolist(),
                ro.household.tolist(),
                ro.role.tolist(),
                ro.started.tolist(),
                ro.ended.tolist(),
                strict=True,
            )  # fmt: skip
        }
        self.counts["roles"] = len(self.roles)

    @property
    def gen_end(self) -> int:
        return (self.end - date(1970, 1, 1)).days


def seed_demo(*, households: int = 300, seed: int = 2026) -> SeedResult:
    return seed_association(
        name="Familles Solidaires de Lille",
        slug="familles-solidaires",
        households=households,
        seed=seed,
    )
