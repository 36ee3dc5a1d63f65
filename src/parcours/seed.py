"""Write a generated association (parcours.demo.generator) into the database.

Used by `parcours demo` and by tests that want a realistic association. The generator is
pure Python; this module is its Django side.

The domain tables are the source of truth and the touchpoints are derived from them, so every
episode of the generator becomes the records its service would write (community, support, front
desk, outreach, activities). They go through each app's bulk writer (`<app>/bulk.py`, the path
imports take), which writes their touchpoints by the services' conventions (`ref`, who recorded
it, the links): this module writes no touchpoint itself. The bulk path rather than the per-row
services, which would recompute a journey per write: the journeys and the worklists' tasks are
computed once, in batch.

Not written: the audit events the services record for each act (the seeded history was not
done by anyone), and weekly schedules (sessions are one-off, on the days attended).
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from parcours.accounts.signin import SECOND_FACTOR_ROLES
from parcours.activities.models import Activity, Session
from parcours.community.models import (
    AbsentVisit,
    ClosureReason,
    Communication,
    CommunicationKind,
    CommunityRole,
    Group,
    GroupMembership,
    ProjectProposal,
    Referral,
    Sponsorship,
    VisitOutcome,
)
from parcours.demo.catalog import NEIGHBOURHOODS, ROLES
from parcours.demo.generator import GeneratedAssociation, generate
from parcours.demo.profiles import household_profiles, volunteer_profiles
from parcours.directory.search import index_households
from parcours.engine.columns import KINDS, day_date, day_number
from parcours.frontdesk.models import (
    Appointment,
    Explanation,
    InfoRequest,
    IntakeVisit,
    PeerContact,
    RequestChannel,
)
from parcours.households.bulk import households_write, persons_write
from parcours.households.models import Channel, Composition, Household, Person, Touchpoint
from parcours.journey.services import journey_recompute
from parcours.outreach.models import OutreachAction, OutreachChannel, OutreachContact
from parcours.support.models import FollowUp, Outcome, SupportCase
from parcours.worklists.models import SponsorProfile

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
# Outreach action of a household's first channel: (channel, place in the quartier).
OUTREACH_MAP = {
    "door_to_door": (OutreachChannel.DOOR_TO_DOOR, "Porte-à-porte, {nb}"),
    "street_stand": (OutreachChannel.STREET_STAND, "Stand sur le marché, {nb}"),
    "partner": (OutreachChannel.PARTNER, "Centre social, {nb}"),
    "school": (OutreachChannel.OTHER, "Sortie de l'école, {nb}"),
}
REQUEST_MAP = {
    "info_centre": RequestChannel.INFO_CENTRE,
    "phone": RequestChannel.PHONE,
    "web": RequestChannel.WEB,
    "town_hall": RequestChannel.INFO_CENTRE,
}
# Usual start time of each activity's sessions (catalog id); sessions last two hours.
# The demo's activities have sessions planned this many weeks ahead (calendar, today's sheets).
WEEKS_AHEAD = 8
START_TIMES = {
    1: time(9), 2: time(14), 3: time(10), 4: time(14), 5: time(10), 6: time(14), 7: time(9, 30),
    8: time(14), 9: time(16, 30), 10: time(10), 11: time(14), 12: time(9, 30), 13: time(18),
}  # fmt: skip
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
VISIT_OUTCOMES = (VisitOutcome.MET,) * 7 + (VisitOutcome.NOT_HOME,) * 2 + (VisitOutcome.MOVED,)
PROJECT_TITLES = (
    "Sortie à la mer pour les familles",
    "Repair café au local",
    "Fête de quartier",
    "Bourse aux vêtements d'enfants",
    "Repas des cuisines du monde",
    "Bacs potagers au pied des immeubles",
    "Bibliothèque de rue",
    "Troc de jouets avant Noël",
)
RECEPTIONS = (
    "Accueil au local autour d'un café, visite des lieux.",
    "Accueil par une famille paire et une bénévole, présentation du programme.",
    "Accueil en présence d'une interprète, remise du programme des activités.",
)


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


def _pick(seq, *key):
    """A deterministic choice in `seq` for the given key (stable across runs and platforms)."""
    return seq[zlib.crc32(repr(key).encode()) % len(seq)]


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


class _Seeder:
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
        from parcours.worklists.services import tasks_regenerate_many

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
        from parcours.demo.catalog import NEIGHBOURHOODS, PRIORITY_NEIGHBOURHOODS

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

    # -- the domain records, each written by its app's bulk writer with its touchpoints ------

    def records(self) -> None:
        """The generator's history as the records the services write, through each app's bulk
        writer, which writes their touchpoints by the services' conventions (ref, actor,
        links). Written in the order of the touchpoint kinds (engine.columns.KINDS), the
        generator's order within a household's day, so evidence of one day keeps its order."""
        gen = self.gen
        tp = gen.touchpoints
        self.by_kind: dict[str, list[tuple[int, int, date]]] = defaultdict(list)
        for i, (h, d, k) in enumerate(
            zip(tp.household.tolist(), tp.day.tolist(), tp.kind.tolist(), strict=True)
        ):
            self.by_kind[KINDS[k]].append((i, h, day_date(d)))
        referrals = gen.referrals
        self.referral_of = {
            int(r): (int(f), int(d))
            for f, r, d in zip(referrals.referrer, referrals.referred, referrals.day, strict=True)
        }
        self.members = self._member_families()
        self.groups()
        self.outreach()
        self.front_desk()
        self.attendance()
        self.community()
        counts = Counter(
            Touchpoint.objects.filter(association=self.association).values_list("kind", flat=True)
        )
        self.touchpoint_count = sum(counts.values())
        drawn = Counter(KINDS[k] for k in tp.kind.tolist())
        drawn["support_closed"] += len(self.extra_closes)  # closed before the next case opened
        for kind in KINDS:  # drawn by the generator, not written with a record (none expected)
            if drawn[kind] != counts[kind]:
                self.unlinked[kind] = drawn[kind] - counts[kind]

    def groups(self) -> None:
        gen, a = self.gen, self.association
        used = sorted(set(gen.group_memberships.group.tolist()))
        groups = {g.id: g for g in gen.groups}
        rows = [
            Group(
                association=a,
                name=groups[g].name_fr,
                facilitator=self._near_volunteers(groups[g].neighbourhood, g)[0],
            )
            for g in used
        ]
        Group.objects.bulk_create(rows)
        self.group_pk = {g: r.pk for g, r in zip(used, rows, strict=True)}
        self.counts["groups"] = len(rows)

    def outreach(self) -> None:
        """Actions: the contacts of one day in one quartier through one channel."""
        from parcours.outreach.bulk import action_contacts_write, actions_write

        a, hpk = self.association, self.hh_pk
        actions: dict[tuple[int, str, str], OutreachAction] = {}
        contacts = []
        entry = self.gen.households.entry_day.tolist()
        for _i, h, day in self.by_kind["outreach_contact"]:
            p = self.profile[h]
            channel, place = OUTREACH_MAP.get(p.channel_key, (OutreachChannel.OTHER, "{nb}"))
            key = (day_number(day), p.neighbourhood, channel)
            if key not in actions:
                actions[key] = OutreachAction(
                    day=day, neighbourhood=p.neighbourhood,
                    place=place.format(nb=p.neighbourhood), channel=channel,
                    created_by=self.coordinator,
                )  # fmt: skip
            contacts.append(
                OutreachContact(
                    action=actions[key],
                    household_id=hpk[h],
                    new_household=day_date(entry[h - 1]) == day,
                )  # fmt: skip
            )
        actions_write(
            actor=self.coordinator, association=a, actions=list(actions.values()),
            teams=[self._near_volunteers(nb, day)[:2] for day, nb, _c in actions], audit=False,
        )  # fmt: skip
        action_contacts_write(actor=self.coordinator, association=a, contacts=contacts)
        self.counts["outreach_actions"] = len(actions)
        self.counts["outreach_contacts"] = len(contacts)

    def front_desk(self) -> None:
        """Information requests, peer contacts (a member family met), appointments, welcome
        visits; the families brought by a referral meet their peer with the referral."""
        from parcours.frontdesk.bulk import front_desk_write

        a, hpk, coordinator = self.association, self.hh_pk, self.coordinator
        staff = [u for u in (self.coordinator, self.social) if u is not None] or [None]
        requests = [
            InfoRequest(
                household_id=hpk[h],
                day=day,
                subject=self.profile[h].needs[0],
                channel=REQUEST_MAP.get(
                    self.profile[h].channel_key,
                    _pick((RequestChannel.PHONE, RequestChannel.INFO_CENTRE), "ir", h),
                ),
                recorded_by=coordinator,
            )  # fmt: skip
            for _i, h, day in self.by_kind["info_request"]
        ]
        peers = []
        for _i, h, day in self.by_kind["peer_contact"]:
            referrer = self.referral_of.get(h)
            if referrer is not None and day_date(referrer[1]) == day:
                continue  # written with the referral (community)
            peer = self._member_for(h, day_number(day))
            if peer is not None:
                peers.append(
                    PeerContact(
                        household_id=hpk[h],
                        day=day,
                        peer_household_id=hpk[peer],
                        recorded_by=coordinator,
                    )  # fmt: skip
                )
        intake_day = {h: day for _i, h, day in self.by_kind["intake_visit"]}
        tz = timezone.get_current_timezone()
        appointments = []
        for _i, h, day in self.by_kind["appointment_booked"]:
            visit = intake_day.get(h)
            when = (
                datetime.combine(visit, time(10), tz)
                if visit is not None and visit >= day
                else datetime.combine(day + timedelta(days=7), time(14), tz)
            )
            appointments.append(
                Appointment(
                    household_id=hpk[h],
                    booked_on=day,
                    starts_at=when,
                    with_user=_pick(staff, "ap", h),
                    recorded_by=coordinator,
                )  # fmt: skip
            )
        sponsored = {s.household_id for s in self.sponsorships.values()}
        visits = []
        for _i, h, day in self.by_kind["intake_visit"]:
            received = _pick(staff, "iv", h)
            explained = [Explanation.MISSIONS, Explanation.ACTIVITIES, Explanation.PRACTICAL]
            if hpk[h] in sponsored:
                explained.append(Explanation.SPONSORSHIP)
            visits.append(
                IntakeVisit(
                    household_id=hpk[h],
                    day=day,
                    received_by=received,
                    recorded_by=received,
                    reception=_pick(RECEPTIONS, "rc", h),
                    needs="\n".join(self.profile[h].needs),
                    explanations=explained,
                )  # fmt: skip
            )
        written = {"info_requests": requests, "peer_contacts": peers,
                   "appointments": appointments, "intake_visits": visits}  # fmt: skip
        for name, records in written.items():
            front_desk_write(association=a, records=records)
            self.counts[name] = len(records)

    def attendance(self) -> None:
        """Sessions of each activity on the days attended, with their present marks; a session
        led by a household gives it `activity_led`, else a volunteer facilitates it."""
        from parcours.activities.bulk import attendance_write

        a, hpk, tp = self.association, self.hh_pk, self.gen.touchpoints
        activity = tp.activity.tolist()
        names = {g.id: g.name_fr for g in self.gen.activities}
        led = {(activity[i], day): h for i, h, day in self.by_kind["activity_led"]}
        self.sessions: dict[tuple[int, date], Session] = {}
        marks = []
        for i, h, day in self.by_kind["attendance"]:
            key = (activity[i], day)
            marks.append((hpk[h], day, names[key[0]]))
            if key in self.sessions:
                continue
            start = START_TIMES.get(key[0], time(14))
            leader = led.get(key)
            self.sessions[key] = Session(
                activity_id=self.activity_pk[key[0]], day=day, start_time=start,
                end_time=time(start.hour + 2, start.minute),
                facilitator_household_id=hpk[leader] if leader else None,
                facilitator_user=None if leader else _pick(self.vol_list, "fa", key[0]),
            )  # fmt: skip
        result = attendance_write(
            actor=None, association=a, marks=marks,
            sessions={(s.activity_id, s.day): s for s in self.sessions.values()},
        )  # fmt: skip
        self.counts["sessions"] = result.sessions_created
        self.counts["attendances"] = result.marks_created
        self._schedules_ahead(self.sessions)

    def community(self) -> None:
        """Group memberships, sponsorships, support cases, communications, referrals, visits to
        absent families, activities led, projects and roles, in the order of their kinds."""
        from parcours.activities.bulk import sessions_led_write
        from parcours.community import bulk as community
        from parcours.support.bulk import cases_write

        gen, a, hpk, by = self.gen, self.association, self.hh_pk, self.by_kind
        coordinator = self.coordinator
        gm = gen.group_memberships
        memberships = [
            GroupMembership(
                group_id=self.group_pk[g],
                household_id=hpk[h],
                start=day_date(s),
                end=day_date(e) if e >= 0 else None,
            )  # fmt: skip
            for h, g, s, e in zip(
                gm.household.tolist(),
                gm.group.tolist(),
                gm.joined.tolist(),
                gm.left.tolist(),
                strict=True,
            )  # fmt: skip
        ]
        community.memberships_write(actor=coordinator, association=a, memberships=memberships)
        self.counts["group_memberships"] = len(memberships)
        community.sponsorships_write(
            actor=coordinator, association=a, sponsorships=list(self.sponsorships.values())
        )
        cases_write(
            actor=self.social, association=a, cases=list(self.cases.values()),
            followups=self.followups,
        )  # fmt: skip
        communications = []
        for _i, h, day in by["communication"]:
            newsletter = day.weekday() == 0  # the newsletter goes out on Mondays
            communications.append(
                Communication(
                    day=day,
                    household_id=hpk[h],
                    kind=CommunicationKind.NEWSLETTER if newsletter else CommunicationKind.MESSAGE,
                    subject="Lettre d'information" if newsletter else "Programme de la semaine",
                    sent_by=coordinator,
                )  # fmt: skip
            )
        community.communications_write(
            actor=coordinator, association=a, communications=communications
        )
        self.counts["communications"] = len(communications)
        referrals = [
            Referral(referrer_id=hpk[f], referred_id=hpk[r], day=day_date(d))
            for r, (f, d) in self.referral_of.items()
        ]
        community.referrals_write(actor=coordinator, association=a, referrals=referrals)
        self.counts["referrals"] = len(referrals)
        absent = defaultdict(list)
        av = gen.absent_visits
        for v, w, d in zip(av.visitor.tolist(), av.visited.tolist(), av.day.tolist(), strict=True):
            absent[(v, day_date(d))].append(w)
        visits = [
            AbsentVisit(
                visitor_id=hpk[h],
                visited_id=hpk[absent[(h, day)].pop(0)],
                day=day,
                outcome=_pick(VISIT_OUTCOMES, "av", i),
            )  # fmt: skip
            for i, h, day in by["absent_visit"]
        ]
        community.absent_visits_write(actor=coordinator, association=a, visits=visits)
        self.counts["absent_visits"] = len(visits)
        sessions_led_write(actor=None, association=a, sessions=list(self.sessions.values()))
        projects = [
            ProjectProposal(
                household_id=hpk[h], day=day, title=_pick(PROJECT_TITLES, "pj", h, day_number(day))
            )  # fmt: skip
            for _i, h, day in by["project_proposed"]
        ]
        community.projects_write(actor=coordinator, association=a, projects=projects)
        self.counts["projects"] = len(projects)
        community.roles_write(actor=coordinator, association=a, roles=list(self.roles.values()))

    def _member_families(self) -> dict[str, tuple[list[int], list[int]]]:
        """Families already coming to activities, by quartier: (first days, ids) sorted."""
        tp = self.gen.touchpoints
        first: dict[int, int] = {}
        att = KINDS.index("attendance")
        for h, d in zip(
            tp.household[tp.kind == att].tolist(), tp.day[tp.kind == att].tolist(), strict=True
        ):
            if h not in first or d < first[h]:
                first[h] = d
        out: dict[str, tuple[list[int], list[int]]] = {}
        # Last resort, early in the history: a family the association already knew.
        hh = self.gen.households
        known = sorted(zip(hh.entry_day.tolist(), hh.id.tolist(), strict=True))
        out["*"] = ([d for d, _ in known], [h for _, h in known])
        for nb in (*NEIGHBOURHOODS, ""):
            pairs = sorted(
                (d, h) for h, d in first.items() if not nb or self.profile[h].neighbourhood == nb
            )
            out[nb] = ([d for d, _ in pairs], [h for _, h in pairs])
        return out

    def _member_for(self, hid: int, day: int) -> int | None:
        """A member family the household met (same quartier when there is one)."""
        for nb in (self.profile[hid].neighbourhood, "", "*"):
            days, ids = self.members[nb]
            n = bisect_left(days, day)
            candidates = [h for h in ids[:n] if h != hid]
            if candidates:
                return _pick(candidates, "peer", hid, day)
        return None

    def _schedules_ahead(self, sessions: dict) -> None:
        """Every activity goes on: a weekly schedule from tomorrow over the coming weeks, on the
        weekday it was held most, by the activities service (which generates its sessions)."""
        from collections import Counter

        from parcours.activities.services import schedule_create

        held: dict[int, Counter] = defaultdict(Counter)
        for activity_id, day in sessions:
            held[activity_id][day.weekday()] += 1
        start = self.end + timedelta(days=1)
        activities = Activity.objects.in_bulk(list(self.activity_pk.values()))
        made = 0
        for gen_id, pk in sorted(self.activity_pk.items()):
            weekday = held[gen_id].most_common(1)[0][0] if held[gen_id] else 2
            begins = START_TIMES.get(gen_id, time(14))
            schedule_create(
                actor=None, activity=activities[pk], weekday=weekday, start_time=begins,
                end_time=time(begins.hour + 2, begins.minute), starts_on=start,
                ends_on=start + timedelta(weeks=WEEKS_AHEAD),
                facilitator_user=_pick(self.vol_list, "fa", gen_id),
            )  # fmt: skip
            made += 1
        self.counts["schedules"] = made


def seed_demo(*, households: int = 300, seed: int = 2026) -> SeedResult:
    return seed_association(
        name="Familles Solidaires de Lille",
        slug="familles-solidaires",
        households=households,
        seed=seed,
    )
