"""Write a generated association (parcours.demo.generator) into the database.

Used by `parcours demo` and by tests that want a realistic association. The generator is
pure Python; this module is its Django side.

The domain tables are the source of truth and the touchpoints are derived from them (see
journey.md), so every episode of the generator becomes the rows its service would write
(community, support, front desk, outreach, activities), linked to the touchpoints they
produced, with the same `ref` convention as the services. Rows are bulk-created in dependency
order rather than through the per-row services, which would recompute a journey per write;
the journeys and the worklists' tasks are then computed once, in batch.

Not written: the audit events the services record for each act (the seeded history was not
done by anyone), and weekly schedules (sessions are one-off, on the days attended).
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections import defaultdict
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
from parcours.activities.models import Activity, Attendance, Session
from parcours.community.models import (
    AbsentVisit,
    ClosureReason,
    Communication,
    CommunicationKind,
    CommunicationRecipient,
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
from parcours.engine.columns import KINDS, day_date
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
    # Touchpoints left without a domain row (none expected), by kind.
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
    with_domain: bool = True,
) -> SeedResult:
    """Create one association with `households` generated households and their history.

    Volunteers (users with the volunteer role) are always created: they sponsor families.
    `with_users` adds one demo login per role. `with_domain=False` writes the event log only
    (no domain rows, no tasks), its refs being the generator's episode ids: what the engine
    benchmarks read.
    """
    end = end or timezone.localdate()
    gen = generate(households, seed=seed, end=end)
    with scopes_disabled():
        seeder = _Seeder(gen, name=name, slug=slug, seed=seed, end=end)
        seeder.run(with_users=with_users, with_domain=with_domain)
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

    def run(self, *, with_users: bool, with_domain: bool) -> None:
        gen = self.gen
        self.profiles = household_profiles(gen, range(1, gen.n_households + 1))
        self.profile = {p.id: p for p in self.profiles}
        self.users(with_users)
        self.activities()
        self.households()
        if with_domain:
            self.episodes()  # rows whose id is the ref of their touchpoints
            self.touchpoints()
            self.linked_rows()  # rows that point to their touchpoints
            self.consents()
        else:
            self.raw_touchpoints()
        journey_recompute(association=self.association, as_of=self.end)
        if self.peer_membership is not None:
            self.peer_membership_household()
        if with_domain:
            from parcours.worklists.services import tasks_regenerate_many

            tasks = tasks_regenerate_many(association=self.association, as_of=self.end)
            self.counts["tasks"] = tasks.created
        self.result = SeedResult(
            self.association, len(self.hh_rows), len(self.tp_rows), self.logins,
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
        gen, a, hpk = self.gen, self.association, self.hh_pk
        # Groups of families that have members.
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
        Sponsorship.objects.bulk_create(self.sponsorships.values())
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
        SupportCase.objects.bulk_create(self.cases.values())
        for f in self.followups:
            f.case_id = f.case.pk
        FollowUp.objects.bulk_create(self.followups)
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
        CommunityRole.objects.bulk_create(self.roles.values())
        self.counts["roles"] = len(self.roles)

        # Project proposals and communications: one row per touchpoint.
        tp = gen.touchpoints
        kinds = tp.kind
        proposed, communication = KINDS.index("project_proposed"), KINDS.index("communication")
        self.projects: dict[int, ProjectProposal] = {}
        self.communications: dict[int, Communication] = {}
        for i in (kinds == proposed).nonzero()[0].tolist():
            h, d = int(tp.household[i]), int(tp.day[i])
            self.projects[i] = ProjectProposal(
                association=a, household_id=hpk[h], day=day_date(d),
                title=_pick(PROJECT_TITLES, "pj", h, d),
            )  # fmt: skip
        ProjectProposal.objects.bulk_create(self.projects.values())
        for i in (kinds == communication).nonzero()[0].tolist():
            h, day = int(tp.household[i]), day_date(int(tp.day[i]))
            newsletter = day.weekday() == 0  # the newsletter goes out on Mondays
            self.communications[i] = Communication(
                association=a, day=day, household_id=hpk[h],
                kind=CommunicationKind.NEWSLETTER if newsletter else CommunicationKind.MESSAGE,
                subject="Lettre d'information" if newsletter else "Programme de la semaine",
                sent_by=self.coordinator,
            )  # fmt: skip
        Communication.objects.bulk_create(self.communications.values(), batch_size=1000)
        self.counts["projects"] = len(self.projects)
        self.counts["communications"] = len(self.communications)

        # Outreach actions: the contacts of one day in one quartier through one channel.
        outreach = KINDS.index("outreach_contact")
        self.actions: dict[tuple[int, str, str], OutreachAction] = {}
        self.action_of: dict[int, tuple[int, str, str]] = {}
        for i in (kinds == outreach).nonzero()[0].tolist():
            p = self.profile[int(tp.household[i])]
            channel, place = OUTREACH_MAP.get(p.channel_key, (OutreachChannel.OTHER, "{nb}"))
            key = (int(tp.day[i]), p.neighbourhood, channel)
            self.action_of[i] = key
            if key not in self.actions:
                self.actions[key] = OutreachAction(
                    association=a, day=day_date(key[0]), neighbourhood=p.neighbourhood,
                    place=place.format(nb=p.neighbourhood), channel=channel,
                    created_by=self.coordinator,
                )  # fmt: skip
        OutreachAction.objects.bulk_create(self.actions.values())
        Team = OutreachAction.team.through
        Team.objects.bulk_create(
            Team(outreachaction_id=act.pk, user_id=u.pk)
            for key, act in self.actions.items()
            for u in self._near_volunteers(key[1], key[0])[:2]
        )
        self.counts["outreach_actions"] = len(self.actions)

    @property
    def gen_end(self) -> int:
        return (self.end - date(1970, 1, 1)).days

    # -- touchpoints -------------------------------------------------------------------------

    def touchpoints(self) -> None:
        """The generator's touchpoints, with the refs the services write (ids of the rows)."""
        gen, a, hpk = self.gen, self.association, self.hh_pk
        tp = gen.touchpoints
        referrals = gen.referrals
        self.referral_of = {
            int(r): (int(f), int(d))
            for f, r, d in zip(referrals.referrer, referrals.referred, referrals.day, strict=True)
        }
        absent = defaultdict(list)
        for v, w, d in zip(
            gen.absent_visits.visitor.tolist(), gen.absent_visits.visited.tolist(),
            gen.absent_visits.day.tolist(), strict=True,
        ):  # fmt: skip
            absent[(v, d)].append(w)
        self.members = self._member_families()
        self.peer_of: dict[int, int] = {}  # touchpoint index -> peer household (gen id)
        self.visited_of: dict[int, int] = {}
        rows = []
        K = {k: i for i, k in enumerate(KINDS)}
        for i, (hid, day, kind, activity, ref) in enumerate(
            zip(
                tp.household.tolist(),
                tp.day.tolist(),
                tp.kind.tolist(),
                tp.activity.tolist(),
                tp.ref.tolist(),
                strict=True,
            )  # fmt: skip
        ):
            value = None
            if kind == K["outreach_contact"]:
                value = self.actions[self.action_of[i]].pk
            elif kind == K["peer_contact"]:
                referrer = self.referral_of.get(hid)
                if referrer is not None and referrer[1] == day:
                    value = hpk[referrer[0]]
                else:
                    peer = self._member_for(hid, day)
                    if peer is not None:
                        self.peer_of[i] = peer
                        value = hpk[peer]
            elif kind in (K["group_joined"], K["group_left"]):
                value = self.group_pk[ref]
            elif kind in (K["sponsor_assigned"], K["sponsor_ended"]):
                s = self.sponsorships.get(ref)
                value = s.pk if s is not None else ref
            elif kind == K["support_opened"]:
                value = self.cases[ref].pk
            elif kind == K["support_closed"]:
                value = self.cases[ref].pk
                day = self.case_closed_day.get(ref, day)
            elif kind in (K["role_started"], K["role_ended"]):
                value = self.roles[ref].pk
            elif kind == K["referral_made"]:
                value = hpk[ref]
            elif kind == K["absent_visit"]:
                visited = absent[(hid, day)].pop(0)
                self.visited_of[i] = visited
                value = hpk[visited]
            elif kind == K["project_proposed"]:
                value = self.projects[i].pk
            elif kind == K["communication"]:
                value = self.communications[i].pk
            rows.append(
                Touchpoint(
                    association=a,
                    household_id=hpk[hid],
                    day=day_date(day),
                    kind=KINDS[kind],
                    activity_id=self.activity_pk.get(activity),
                    ref=value,
                )  # fmt: skip
            )
        for cid, h in self.extra_closes:
            case = self.cases[cid]
            t = Touchpoint(
                association=a, household_id=hpk[h], day=case.closed_on, kind="support_closed",
                ref=case.pk,
            )  # fmt: skip
            case.closed_touchpoint = t
            rows.append(t)
        Touchpoint.objects.bulk_create(rows, batch_size=2000)
        self.tp_rows = rows

    def raw_touchpoints(self) -> None:
        """The generator's touchpoints as drawn (refs: its episode ids, referred households)."""
        tp, hpk = self.gen.touchpoints, self.hh_pk
        referral = KINDS.index("referral_made")
        self.tp_rows = [
            Touchpoint(
                association=self.association,
                household_id=hpk[hid],
                day=day_date(day),
                kind=KINDS[kind],
                activity_id=self.activity_pk.get(activity),
                ref=None if ref < 0 else hpk[ref] if kind == referral else ref,
            )  # fmt: skip
            for hid, day, kind, activity, ref in zip(
                tp.household.tolist(),
                tp.day.tolist(),
                tp.kind.tolist(),
                tp.activity.tolist(),
                tp.ref.tolist(),
                strict=True,
            )  # fmt: skip
        ]
        Touchpoint.objects.bulk_create(self.tp_rows, batch_size=2000)

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

    # -- rows pointing to their touchpoints --------------------------------------------------

    def linked_rows(self) -> None:
        gen, a, hpk = self.gen, self.association, self.hh_pk
        tp = gen.touchpoints
        rows = self.tp_rows
        K = {k: i for i, k in enumerate(KINDS)}
        by_kind: dict[int, list[int]] = defaultdict(list)
        for i, k in enumerate(tp.kind.tolist()):
            by_kind[k].append(i)

        def tp_of(kind: str):
            for i in by_kind[K[kind]]:
                yield i, int(tp.household[i]), rows[i]

        # Episodes opened and closed by touchpoints.
        for kind, episodes, attr in (
            ("sponsor_assigned", self.sponsorships, "started_touchpoint"),
            ("sponsor_ended", self.sponsorships, "ended_touchpoint"),
            ("support_opened", self.cases, "opened_touchpoint"),
            ("support_closed", self.cases, "closed_touchpoint"),
            ("role_started", self.roles, "started_touchpoint"),
            ("role_ended", self.roles, "ended_touchpoint"),
        ):
            for i, _h, t in tp_of(kind):
                row = episodes.get(int(tp.ref[i]))
                if row is None:
                    self.unlinked[kind] += 1
                else:
                    setattr(row, attr, t)
        Sponsorship.objects.bulk_update(
            self.sponsorships.values(), ["started_touchpoint", "ended_touchpoint"]
        )
        SupportCase.objects.bulk_update(
            self.cases.values(), ["opened_touchpoint", "closed_touchpoint", "closed_on"]
        )
        CommunityRole.objects.bulk_update(
            self.roles.values(), ["started_touchpoint", "ended_touchpoint"]
        )
        for i, project in self.projects.items():
            project.touchpoint = rows[i]
        ProjectProposal.objects.bulk_update(self.projects.values(), ["touchpoint"])

        # Group memberships (the touchpoints carry the group's id).
        gm = gen.group_memberships
        joined = {
            (int(tp.household[i]), int(tp.ref[i])): rows[i] for i in by_kind[K["group_joined"]]
        }  # noqa: E501
        left = {(int(tp.household[i]), int(tp.ref[i])): rows[i] for i in by_kind[K["group_left"]]}
        memberships = [
            GroupMembership(
                association=a,
                group_id=self.group_pk[g],
                household_id=hpk[h],
                start=day_date(s),
                end=day_date(e) if e >= 0 else None,
                joined_touchpoint=joined.get((h, g)),
                left_touchpoint=left.get((h, g)),
            )  # fmt: skip
            for h, g, s, e in zip(
                gm.household.tolist(),
                gm.group.tolist(),
                gm.joined.tolist(),
                gm.left.tolist(),
                strict=True,
            )
        ]
        GroupMembership.objects.bulk_create(memberships)
        self.counts["group_memberships"] = len(memberships)

        # Referrals: referral_made on the referrer, peer_contact on the family brought.
        made = {
            (int(tp.household[i]), int(tp.ref[i])): rows[i] for i in by_kind[K["referral_made"]]
        }  # noqa: E501
        peer_tp = {
            int(tp.household[i]): rows[i]
            for i in by_kind[K["peer_contact"]]
            if i not in self.peer_of
        }  # noqa: E501
        referrals = [
            Referral(
                association=a,
                referrer_id=hpk[f],
                referred_id=hpk[r],
                day=day_date(d),
                referrer_touchpoint=made.get((f, r)),
                referred_touchpoint=peer_tp.get(r),
            )  # fmt: skip
            for r, (f, d) in self.referral_of.items()
        ]
        Referral.objects.bulk_create(referrals)
        self.counts["referrals"] = len(referrals)

        # Other peer contacts: a member family met, on the front desk.
        peer_contacts = [
            PeerContact(
                association=a,
                household_id=hpk[h],
                day=t.day,
                peer_household_id=hpk[self.peer_of[i]],
                touchpoint=t,
                recorded_by=self.coordinator,
            )  # fmt: skip
            for i, h, t in tp_of("peer_contact")
            if i in self.peer_of
        ]
        PeerContact.objects.bulk_create(peer_contacts)
        self.counts["peer_contacts"] = len(peer_contacts)
        linked_peers = len(peer_contacts) + sum(1 for r in referrals if r.referred_touchpoint)
        if linked_peers < len(by_kind[K["peer_contact"]]):
            self.unlinked["peer_contact"] += len(by_kind[K["peer_contact"]]) - linked_peers

        visits = [
            AbsentVisit(
                association=a,
                visitor_id=hpk[h],
                visited_id=hpk[self.visited_of[i]],
                day=t.day,
                outcome=_pick(VISIT_OUTCOMES, "av", i),
                touchpoint=t,
            )  # fmt: skip
            for i, h, t in tp_of("absent_visit")
        ]
        AbsentVisit.objects.bulk_create(visits)
        self.counts["absent_visits"] = len(visits)

        recipients = [
            CommunicationRecipient(
                association=a,
                communication=self.communications[i],
                household_id=hpk[h],
                touchpoint=t,
            )  # fmt: skip
            for i, h, t in tp_of("communication")
        ]
        CommunicationRecipient.objects.bulk_create(recipients, batch_size=1000)

        contacts = [
            OutreachContact(
                association=a,
                action=self.actions[self.action_of[i]],
                household_id=hpk[h],
                new_household=int(gen.households.entry_day[h - 1]) == int(tp.day[i]),
                touchpoint=t,
            )  # fmt: skip
            for i, h, t in tp_of("outreach_contact")
        ]
        OutreachContact.objects.bulk_create(contacts)
        self.counts["outreach_contacts"] = len(contacts)

        # Front desk: information requests, appointments, welcome visits.
        staff = [u for u in (self.coordinator, self.social) if u is not None] or [None]
        requests = [
            InfoRequest(
                association=a,
                household_id=hpk[h],
                day=t.day,
                touchpoint=t,
                channel=REQUEST_MAP.get(
                    self.profile[h].channel_key,
                    _pick((RequestChannel.PHONE, RequestChannel.INFO_CENTRE), "ir", h),
                ),
                subject=self.profile[h].needs[0],
                recorded_by=self.coordinator,
            )  # fmt: skip
            for _i, h, t in tp_of("info_request")
        ]
        InfoRequest.objects.bulk_create(requests)
        self.counts["info_requests"] = len(requests)
        intake_day = {h: t.day for _i, h, t in tp_of("intake_visit")}
        tz = timezone.get_current_timezone()
        appointments = []
        for _i, h, t in tp_of("appointment_booked"):
            visit = intake_day.get(h)
            when = (
                datetime.combine(visit, time(10), tz)
                if visit is not None and visit >= t.day
                else datetime.combine(t.day + timedelta(days=7), time(14), tz)
            )
            appointments.append(
                Appointment(
                    association=a,
                    household_id=hpk[h],
                    booked_on=t.day,
                    starts_at=when,
                    with_user=_pick(staff, "ap", h),
                    touchpoint=t,
                    recorded_by=self.coordinator,
                )  # fmt: skip
            )
        Appointment.objects.bulk_create(appointments)
        self.counts["appointments"] = len(appointments)
        sponsored = {s.household_id for s in self.sponsorships.values()}
        visits = []
        for _i, h, t in tp_of("intake_visit"):
            received = _pick(staff, "iv", h)
            explained = [Explanation.MISSIONS, Explanation.ACTIVITIES, Explanation.PRACTICAL]
            if hpk[h] in sponsored:
                explained.append(Explanation.SPONSORSHIP)
            visits.append(
                IntakeVisit(
                    association=a,
                    household_id=hpk[h],
                    day=t.day,
                    received_by=received,
                    recorded_by=received,
                    reception=_pick(RECEPTIONS, "rc", h),
                    needs="\n".join(self.profile[h].needs),
                    explanations=explained,
                    touchpoint=t,
                )  # fmt: skip
            )
        IntakeVisit.objects.bulk_create(visits)
        self.counts["intake_visits"] = len(visits)

        # Sessions of each activity on the days attended; the leading household facilitates.
        sessions: dict[tuple[int, date], Session] = {}
        led = {(int(tp.activity[i]), t.day): (h, t) for i, h, t in tp_of("activity_led")}
        for i, _h, t in tp_of("attendance"):
            key = (int(tp.activity[i]), t.day)
            if key in sessions:
                continue
            start = START_TIMES.get(key[0], time(14))
            leader = led.get(key)
            sessions[key] = Session(
                association=a, activity_id=t.activity_id, day=t.day, start_time=start,
                end_time=time(start.hour + 2, start.minute),
                facilitator_household_id=hpk[leader[0]] if leader else None,
                facilitator_user=None if leader else _pick(self.vol_list, "fa", key[0]),
                led_touchpoint=leader[1] if leader else None,
            )  # fmt: skip
        Session.objects.bulk_create(sessions.values(), batch_size=1000)
        self.unlinked["activity_led"] += sum(1 for k in led if k not in sessions)
        attendances = []
        marked = set()
        for i, h, t in tp_of("attendance"):
            s = sessions[(int(tp.activity[i]), t.day)]
            if (id(s), h) in marked:  # one mark per household on a sheet
                self.unlinked["attendance"] += 1
                continue
            marked.add((id(s), h))
            attendances.append(
                Attendance(
                    association=a,
                    session=s,
                    household_id=hpk[h],
                    status=Attendance.Status.PRESENT,
                    intent_at=datetime.combine(t.day, s.start_time, tz),
                    touchpoint=t,
                )  # fmt: skip
            )
        Attendance.objects.bulk_create(attendances, batch_size=2000)
        self.counts["sessions"] = len(sessions)
        self.counts["attendances"] = len(attendances)
        self._schedules_ahead(sessions)

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
