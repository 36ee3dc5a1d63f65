"""Presenters of the people and hours measures (attendance per person): what the dashboard,
the CSV and the period report show, counts through the audience as every other panel."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.analytics.charts import bar_chart, point
from parcours.analytics.measures.people import AGE_BANDS, UNKNOWN
from parcours.analytics.privacy import NOT_SHOWN, Audience

TITLES = {
    "people": gettext_lazy("People reached"),
    "hours": gettext_lazy("Sessions, hours and attendance"),
    "engagement": gettext_lazy("Engagement: sponsorships, roles, projects, committee"),
}


def age_label(key: str) -> str:
    for k, lo, hi in AGE_BANDS:
        if k == key:
            if hi is None:
                return _("%(lo)s years and over") % {"lo": lo}
            return _("%(lo)s to %(hi)s years") % {"lo": lo, "hi": hi}
    return _("Age unknown") if key == UNKNOWN else key


def sex_label(key: str) -> str:
    from parcours.households.models import Person

    return str(dict(Person.Sex.choices).get(key, key))


def hood_label(name: str, priority: frozenset[str]) -> str:
    if not name:
        return _("Neighbourhood unknown")
    return _("%(name)s (priority neighbourhood)") % {"name": name} if name in priority else name


def hours_text(x: float) -> str:
    return number_format(x, 1 if x % 1 else 0)


def people(r, labels, who: Audience):
    from parcours.analytics.panels import Panel

    w = labels.words
    total, hood, age = _("Total"), _("Neighbourhood"), _("Age band")
    rows = [
        [total, _("%(Households)s reached") % w, who.count(r.households)],
        [total, _("People in them"), who.count(r.people)],
        [total, _("%(Households)s whose journey started") % w, who.count(r.new)],
        [total, _("%(Households)s present at a session") % w, who.count(r.attending_households)],
        [total, _("People present at a session"), who.count(r.attending_people)],
    ]
    priority = labels.priority
    in_priority = sum(n for h, n in r.neighbourhoods.items() if h in priority)
    if priority:
        rows.append([hood, _("All priority neighbourhoods"), who.count(in_priority)])
    for name in sorted(r.neighbourhoods, key=lambda h: (h not in priority, h == "", h)):
        rows.append([hood, hood_label(name, priority), who.count(r.neighbourhoods[name])])
    keys = list(r.age_bands)
    rows += [[age, age_label(k), who.count(r.age_bands[k])] for k in keys]
    sex = _("Sex")
    rows += [[sex, sex_label(k), who.count(n)] for k, n in r.sexes.items()]
    chart = bar_chart(
        [age_label(k) for k in keys],
        [{"name": _("People"), "data": [point(who, r.age_bands[k]) for k in keys]}],
    )
    return Panel(
        "people",
        str(TITLES["people"]),
        _(
            "%(Households)s with a contact during the period (messages from the association "
            "do not count) and their members, by neighbourhood and by age on the last day of "
            "the period, and by sex where the person told it. At the sessions, every member of "
            "the %(households)s marked present counts, except those unticked on the sheet."
        )
        % w,
        [_("By"), _("What"), _("Count")],
        rows,
        chart,
        height=320,
    )


def hours(r, labels, who: Audience):
    from parcours.analytics.panels import Panel

    w = labels.words
    acts = sorted(r.activities, key=lambda a: -a.hours)
    rows = []
    for a in acts:
        shown = not who.hidden(a.people)
        person_hours = a.person_hours if not who.hide_small else float(int(a.person_hours))
        rows.append(
            [
                labels.activity.get(a.activity, f"#{a.activity}"),
                a.sessions,
                hours_text(a.hours),
                a.without_length,
                who.count(a.households),
                who.count(a.people),
                who.count_of(a.person_attendances, a.people),
                hours_text(person_hours) if shown else NOT_SHOWN,
            ]
        )
    names = [row[0] for row in rows]
    chart = bar_chart(
        names, [{"name": _("Hours held"), "data": [round(a.hours, 1) for a in acts]}],
        horizontal=True,
    )  # fmt: skip
    return Panel(
        "hours",
        str(TITLES["hours"]) % w,
        _(
            "Sessions held during the period (not cancelled) and their hours, from their start "
            "and end times; then who came: %(households)s, people, presences of people and "
            "the hours they spent there. In all: %(sessions)s sessions, %(hours)s hours."
        )
        % {**w, "sessions": r.sessions, "hours": hours_text(r.hours)},
        [
            w["Activity"],
            _("Sessions"),
            _("Hours held"),
            _("Sessions without an end time"),
            w["Households"],
            _("People"),
            _("Presences of people"),
            _("Hours spent by people"),
        ],
        rows,
        chart,
        height=max(260, 36 * len(acts) + 80),
    )


ENGAGEMENT_LABELS = {
    "sponsor_assigned": gettext_lazy("Became sponsored"),
    "group_joined": gettext_lazy("Joined a group"),
    "referral_made": gettext_lazy("Brought someone new"),
    "absent_visit": gettext_lazy("Visited someone absent"),
    "activity_led": gettext_lazy("Led a session"),
    "project_proposed": gettext_lazy("Proposed a project"),
    "role_started": gettext_lazy("Took on a role"),
}
HELD_LABELS = {
    "sponsorships": gettext_lazy("Sponsorships going on at the end"),
    "roles": gettext_lazy("Roles held at the end"),
    "committee": gettext_lazy("Committee seats held at the end"),
}


def engagement(r, labels, who: Audience):
    from parcours.analytics.panels import Panel

    w = labels.words
    rows = [
        [str(ENGAGEMENT_LABELS[k]), who.count(r.households[k]),
         who.count_of(r.events[k], r.households[k])]
        for k in r.events
    ]  # fmt: skip
    rows += [[str(HELD_LABELS[k]), who.count(n), NOT_SHOWN] for k, n in r.held.items()]
    chart = bar_chart(
        [row[0] for row in rows],
        [{"name": w["Households"],
          "data": [point(who, n) for n in [*r.households.values(), *r.held.values()]]}],
        horizontal=True,
    )  # fmt: skip
    return Panel(
        "engagement",
        str(TITLES["engagement"]),
        _(
            "What the %(households)s did for others and for the association during the "
            "period, and the sponsorships, roles and committee seats still held on its last "
            "day (%(households)s holding them)."
        )
        % w,
        [_("Engagement"), w["Households"], _("Times")],
        rows,
        chart,
        height=320,
    )
