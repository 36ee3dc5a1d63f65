"""The demo seeder's domain records (parcours.seed), each written by its app's bulk writer.

The generator's history becomes the records the services write: outreach actions and contacts,
front-desk requests, peer contacts, appointments and welcome visits, sessions and their present
marks, group memberships, sponsorships, support cases, communications, referrals, visits to
absent families, activities led, projects and roles. Each app's bulk writer (`<app>/bulk.py`,
the path imports take) writes them with their touchpoints by the services' conventions: this
module writes no touchpoint itself.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from parcours.activities.models import Activity, Session
from parcours.community.models import (
    AbsentVisit,
    Communication,
    CommunicationKind,
    Group,
    GroupMembership,
    ProjectProposal,
    Referral,
    VisitOutcome,
)
from parcours.demo.catalog import NEIGHBOURHOODS
from parcours.engine.columns import KINDS, day_date, day_number
from parcours.frontdesk.models import (
    Appointment,
    Explanation,
    InfoRequest,
    IntakeVisit,
    PeerContact,
    RequestChannel,
)
from parcours.households.models import Touchpoint
from parcours.outreach.models import OutreachAction, OutreachChannel, OutreachContact

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

# The demo's activities have sessions planned this many weeks ahead (calendar, today's sheets).
WEEKS_AHEAD = 8
# Usual start time of each activity's sessions (catalog id); sessions last two hours.
START_TIMES = {
    1: time(9), 2: time(14), 3: time(10), 4: time(14), 5: time(10), 6: time(14), 7: time(9, 30),
    8: time(14), 9: time(16, 30), 10: time(10), 11: time(14), 12: time(9, 30), 13: time(18),
}  # fmt: skip

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


def _pick(seq, *key):
    """A deterministic choice in `seq` for the given key (stable across runs and platforms)."""
    return seq[zlib.crc32(repr(key).encode()) % len(seq)]


class Records:
    """The part of parcours.seed._Seeder that writes the domain records (a mixin: it reads the
    seeder's generator, households, users and episodes)."""

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
