"""What each export holds: its columns (in the user's language) and its rows, read in chunks.

Every read of households and touchpoints goes through parcours.accounts.visibility with the
exporting member's membership, as the pages do: a volunteer's file holds the public stage and
statuses, no support touchpoint, no sensitive column. Sensitive columns (needs, touchpoint
notes) are added only for roles with Capability.VIEW_SENSITIVE. The board's only export here is
`attendance_summary`: counts per activity and month through parcours.analytics.privacy (small
counts hidden, the others rounded down), never a name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from parcours.accounts import visibility
from parcours.activities.models import Attendance, Session
from parcours.analytics.privacy import EXPORT
from parcours.exports.formats import Table, table
from parcours.familylist import selectors as family_selectors
from parcours.households.models import Household, Person, Touchpoint
from parcours.journey.reasons import current_language

CHUNK = 2000


def _chunks(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def households(*, membership, definition, queryset: QuerySet[Household]) -> Table:
    """The filtered family list, one household a row, as the list shows it and a bit more."""
    sensitive = visibility.sees_support(membership)
    columns = [
        ("name", _("Household")),
        ("neighbourhood", _("Neighbourhood")),
        ("address", _("Address")),
        ("phone", _("Phone")),
        ("stage", _("Stage")),
        ("statuses", _("Status")),
        ("sponsor", _("Sponsor")),
        ("last_contact", _("Last contact from the family")),
    ]
    if sensitive:
        columns.append(("needs", _("Needs")))
    lang = current_language()

    def rows():
        for chunk in _chunks(queryset.iterator(chunk_size=CHUNK)):
            extras = family_selectors.row_extras(
                membership=membership, household_ids=[h.pk for h in chunk]
            )
            for h in chunk:
                row = [
                    h.name,
                    h.neighbourhood,
                    h.address,
                    h.phone,
                    definition.stage_label(h.stage_key, lang) if h.stage_key else "",
                    ", ".join(definition.status_label(k, lang) for k in extras[h.pk].statuses),
                    extras[h.pk].sponsor,
                    h.last_contact,
                ]
                if sensitive:
                    row.append(h.needs)
                yield row

    return table(_("Households"), columns, rows())


def persons(*, queryset: QuerySet[Household]) -> Table:
    """The members of the filtered households."""
    columns = [
        ("household", _("Household")),
        ("first_name", _("First name")),
        ("last_name", _("Last name")),
        ("birth_year", _("Birth year")),
        ("sex", _("Sex")),
        ("relation", _("Relation")),
        ("is_contact", _("Contact person")),
    ]
    qs = (
        Person.objects.filter(household__in=queryset.values("pk"))
        .select_related("household")
        .order_by("household__name", "household_id", "-is_contact", "birth_year", "id")
    )
    yes, no = _("yes"), _("no")

    def rows():
        for p in qs.iterator(chunk_size=CHUNK):
            yield [
                p.household.name,
                p.first_name,
                p.last_name,
                p.birth_year,
                _label(Person.Sex.choices, p.sex),
                _label(Person.Relation.choices, p.relation),
                yes if p.is_contact else no,
            ]

    return table(_("Persons"), columns, rows())


def touchpoints(*, membership, queryset: QuerySet[Household], start: date, end: date) -> Table:
    """The touchpoints of the filtered households between two days (included)."""
    sensitive = visibility.sees_support(membership)
    columns = [
        ("day", _("Day")),
        ("household", _("Household")),
        ("kind", _("Kind")),
        ("activity", _("Activity")),
        ("actor", _("Recorded by")),
    ]
    if sensitive:
        columns.append(("note", _("Note")))
    qs = visibility.touchpoints(
        membership,
        Touchpoint.objects.filter(
            household__in=queryset.values("pk"), day__gte=start, day__lte=end
        ),
    )
    qs = qs.select_related("household", "activity", "actor").order_by("day", "id")
    kinds = dict(Touchpoint._meta.get_field("kind").choices)

    def rows():
        for t in qs.iterator(chunk_size=CHUNK):
            actor = (t.actor.get_full_name() or t.actor.get_username()) if t.actor else ""
            row = [
                t.day,
                t.household.name,
                str(kinds.get(t.kind, t.kind)),
                t.activity.name if t.activity else "",
                actor,
            ]
            if sensitive:
                row.append(t.note)
            yield row

    return table(_("Touchpoints"), columns, rows())


def attendance(*, membership, start: date, end: date, activity: int | None) -> Table:
    """Each mark of each session of the period (one activity or all), by household."""
    columns = [
        ("activity", _("Activity")),
        ("session_day", _("Day")),
        ("household", _("Household")),
        ("mark", _("Mark")),
    ]
    qs = Attendance.objects.filter(
        household__in=visibility.households(membership).values("pk"),
        session__day__gte=start,
        session__day__lte=end,
    ).select_related("session__activity", "household")
    if activity is not None:
        qs = qs.filter(session__activity_id=activity)
    qs = qs.order_by(
        "session__activity__name", "session__day", "session__start_time", "household__name", "id"
    )

    def rows():
        for a in qs.iterator(chunk_size=CHUNK):
            yield [
                a.session.activity.name,
                a.session.day,
                a.household.name,
                _label(Attendance.Status.choices, a.status),
            ]

    return table(_("Attendance"), columns, rows())


def attendance_summary(*, start: date, end: date, activity: int | None) -> Table:
    """Per activity and month: sessions held, households present and presences, small counts
    hidden and the others rounded down (parcours.analytics.privacy.EXPORT), whoever exports."""
    columns = [
        ("activity", _("Activity")),
        ("month", _("Month")),
        ("sessions", _("Sessions held")),
        ("households_present", _("Households present")),
        ("presences", _("Presences")),
    ]
    sessions = Session.objects.filter(day__gte=start, day__lte=end, cancelled=False)
    marks = Attendance.objects.filter(
        status=Attendance.Status.PRESENT, session__in=sessions.values("pk")
    )
    if activity is not None:
        sessions = sessions.filter(activity_id=activity)
        marks = marks.filter(session__activity_id=activity)
    held = defaultdict(int)
    names = {}
    for act, name, month, n in (
        sessions.annotate(month=TruncMonth("day"))
        .values_list("activity_id", "activity__name", "month")
        .annotate(n=Count("id"))
        .values_list("activity_id", "activity__name", "month", "n")
    ):
        held[(act, month)] += n
        names[act] = name
    present = {
        (act, month): (households, presences)
        for act, month, households, presences in (
            marks.annotate(month=TruncMonth("session__day"))
            .values_list("session__activity_id", "month")
            .annotate(households=Count("household_id", distinct=True), presences=Count("id"))
            .values_list("session__activity_id", "month", "households", "presences")
        )
    }
    lang_month = "%m/%Y" if current_language() == "fr" else "%Y-%m"
    rows = []
    for act, month in sorted(held, key=lambda k: (names[k[0]].lower(), k[0], k[1])):
        households_n, presences_n = present.get((act, month), (0, 0))
        rows.append(
            [
                names[act],
                month.strftime(lang_month),
                held[(act, month)],
                EXPORT.count(households_n),
                EXPORT.count_of(presences_n, households_n),
            ]
        )
    return table(_("Attendance by activity and month"), columns, rows)
