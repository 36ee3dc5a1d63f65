"""What a household did, in the words a coordinator uses: one phrase per touchpoint kind.

The reasons (parcours.journey.reasons) and the journey bar (parcours.journey.bar) say what
happened ("A rencontré une famille paire le 5 novembre 2026", "8 présences aux activités, la
dernière le 3 mars 2026") and what would move the family next ("une visite à une famille
absente"), never the rule's name nor its touchpoint kinds joined by "or".
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# kind -> phrase for `count` touchpoints of that kind, the last on `day` (count >= 1)
DONE: dict[str, Callable[[int], str]] = {
    "outreach_contact": lambda n: ngettext(
        "Met during a proximity action on %(day)s",
        "%(count)s contacts during proximity actions, the last on %(day)s",
        n,
    ),
    "info_request": lambda n: ngettext(
        "Asked for information on %(day)s",
        "%(count)s requests for information, the last on %(day)s",
        n,
    ),
    "peer_contact": lambda n: ngettext(
        "Met a peer family on %(day)s",
        "Met peer families %(count)s times, the last on %(day)s",
        n,
    ),
    "appointment_booked": lambda n: ngettext(
        "Booked an appointment on %(day)s",
        "Booked %(count)s appointments, the last on %(day)s",
        n,
    ),
    "intake_visit": lambda n: ngettext(
        "Welcome visit on %(day)s",
        "%(count)s welcome visits, the last on %(day)s",
        n,
    ),
    "attendance": lambda n: ngettext(
        "Attended an activity on %(day)s",
        "%(count)s attendances at activities, the last on %(day)s",
        n,
    ),
    "referral_made": lambda n: ngettext(
        "Brought another family on %(day)s",
        "Brought %(count)s families, the last on %(day)s",
        n,
    ),
    "absent_visit": lambda n: ngettext(
        "Visited an absent family on %(day)s",
        "Visited absent families %(count)s times, the last on %(day)s",
        n,
    ),
    "activity_led": lambda n: ngettext(
        "Led an activity on %(day)s",
        "Led %(count)s activities, the last on %(day)s",
        n,
    ),
    "project_proposed": lambda n: ngettext(
        "Proposed a project on %(day)s",
        "Proposed %(count)s projects, the last on %(day)s",
        n,
    ),
}

# What a touchpoint kind is when it is still to happen ("what would move the family next").
TO_COME = {
    "outreach_contact": gettext_lazy("a contact during a proximity action"),
    "info_request": gettext_lazy("a request for information"),
    "peer_contact": gettext_lazy("a meeting with a peer family"),
    "appointment_booked": gettext_lazy("an appointment"),
    "intake_visit": gettext_lazy("a welcome visit"),
    "attendance": gettext_lazy("an attendance at an activity"),
    "group_joined": gettext_lazy("joining a group of families"),
    "support_opened": gettext_lazy("a support case"),
    "referral_made": gettext_lazy("another family brought along"),
    "absent_visit": gettext_lazy("a visit to an absent family"),
    "activity_led": gettext_lazy("an activity led by the family"),
    "project_proposed": gettext_lazy("a project proposed by the family"),
    "role_started": gettext_lazy("a role in the association"),
}


def done(kind: str, count: int, day: str) -> str:
    """'Met a peer family on 5 November 2026'; a kind without a phrase: its label."""
    phrase = DONE.get(kind)
    if phrase is not None:
        return phrase(count) % {"count": count, "day": day}
    from parcours.households.models import TouchpointKind

    label = str(dict(TouchpointKind.choices).get(kind, kind))
    if count == 1:
        return _("%(kind)s on %(day)s") % {"kind": label, "day": day}
    return _("%(kind)s: %(count)s times, the last on %(day)s") % {
        "kind": label,
        "count": count,
        "day": day,
    }


def none_yet(kinds: str, window: int | None) -> str:
    """Nothing of `kinds` (comma-separated, "*" = any contact from the family) happened."""
    if kinds == "*":
        if window:
            return _("No contact from the family over the last %(window)s days") % {
                "window": window
            }
        return _("No contact from the family yet")
    if kinds == "attendance":
        if window:
            return _("No attendance over the last %(window)s days") % {"window": window}
        return _("No attendance yet")
    things = _(" or ").join(str(TO_COME.get(k, k)) for k in kinds.split(","))
    if window:
        return _("Not yet over the last %(window)s days: %(things)s") % {
            "window": window,
            "things": things,
        }
    return _("Not yet: %(things)s") % {"things": things}


def joined(phrases: list[str]) -> str:
    """'Visited an absent family on 12 October and brought another family on 3 November'."""
    if not phrases:
        return ""
    rest = [p[:1].lower() + p[1:] for p in phrases[1:]]
    return _(" and ").join([phrases[0], *rest])
