"""Reason codes of the engine turned into sentences, in the user's language.

The engine stores `{"code": ..., "params": {...}}` (see parcours.engine.reasons for the codes);
only here do they become French or English text.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from parcours.households.models import TouchpointKind


def current_language() -> str:
    lang = (get_language() or "fr")[:2]
    return lang if lang in ("fr", "en") else "fr"


def _day(value) -> str:
    if not value:
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(value)
    return date_format(d, "DATE_FORMAT")


def _kinds(value: str) -> str:
    if value == "*":
        return _("any touchpoint")
    labels = dict(TouchpointKind.choices)
    return _(" or ").join(str(labels.get(k, k)) for k in value.split(","))


def _touchpoint_count(p, ctx) -> str:
    args = {
        "count": p["count"],
        "kinds": _kinds(p["kinds"]),
        "needed": p["needed"],
        "day": _day(p.get("last_day")),
        "window": p.get("window_days"),
    }
    if p.get("window_days"):
        return (
            ngettext(
                "%(count)s × %(kinds)s over the last %(window)s days (needs %(needed)s)",
                "%(count)s × %(kinds)s over the last %(window)s days (needs %(needed)s)",
                p["count"],
            )
            % args
        )
    if p["count"] == 0:
        return _("no %(kinds)s yet (needs %(needed)s)") % args
    if p["count"] == 1:
        return _("%(kinds)s on %(day)s") % args
    return _("%(count)s × %(kinds)s, the last on %(day)s") % args


def _same_activity(p, ctx) -> str:
    activity = ctx.get("activities", {}).get(p.get("activity")) or _("one activity")
    return ngettext(
        "%(count)s attendance at %(activity)s over the last %(window)s days (needs %(needed)s)",
        "%(count)s attendances at %(activity)s over the last %(window)s days (needs %(needed)s)",
        p["count"],
    ) % {
        "count": p["count"],
        "activity": activity,
        "window": p.get("window_days"),
        "needed": p["needed"],
    }


def _distinct(p, ctx) -> str:
    return ngettext(
        "%(count)s attendance in %(distinct)s activities over the last %(window)s days "
        "(needs %(needed)s in %(needed_distinct)s)",
        "%(count)s attendances in %(distinct)s activities over the last %(window)s days "
        "(needs %(needed)s in %(needed_distinct)s)",
        p["count"],
    ) % {
        "count": p["count"],
        "distinct": p["distinct"],
        "window": p.get("window_days"),
        "needed": p["needed"],
        "needed_distinct": p["needed_distinct"],
    }


def _open_episode(p, ctx) -> str:
    kind = _kinds(p["opened"])
    if p.get("ref") is None:
        if p.get("since_day"):
            return _("no %(kind)s since %(day)s") % {"kind": kind, "day": _day(p["since_day"])}
        return _("no %(kind)s") % {"kind": kind}
    if not p.get("closed_on"):
        return _("%(kind)s on %(day)s, still open") % {"kind": kind, "day": _day(p["opened_on"])}
    return _(
        "%(kind)s on %(opened)s, closed on %(closed)s (counts for %(grace)s days after closing)"
    ) % {
        "kind": kind,
        "opened": _day(p["opened_on"]),
        "closed": _day(p["closed_on"]),
        "grace": p.get("closed_within_days"),
    }


def _active_episode(p, ctx) -> str:
    kind = _kinds(p["opened"])
    if p.get("ref") is None:
        return _("no active %(kind)s") % {"kind": kind}
    return _("%(kind)s since %(day)s") % {"kind": kind, "day": _day(p.get("opened_on"))}


def _min_stage(p, ctx) -> str:
    definition = ctx.get("definition")
    label = definition.stage_label(p["stage"], current_language()) if definition else p["stage"]
    return _("at the stage %(stage)s or beyond") % {"stage": label}


def _support_hidden(p, ctx) -> str:
    return _("personalised support (details for social workers)")


RENDERERS = {
    "support_hidden": _support_hidden,
    "touchpoint_count": _touchpoint_count,
    "attendance_same_activity": _same_activity,
    "attendance_distinct": _distinct,
    "open_episode": _open_episode,
    "active_episode": _active_episode,
    "min_stage": _min_stage,
}


def render_reasons(reasons: list[dict], **ctx) -> list[str]:
    """Sentences for stored reasons; a `not` reason negates the sentence that follows it."""
    out: list[str] = []
    negate = False
    for reason in reasons:
        code = reason["code"]
        if code == "not":
            negate = True
            continue
        renderer = RENDERERS.get(code)
        text = renderer(reason["params"], ctx) if renderer else code
        if negate:
            text = _("not: %(reason)s") % {"reason": text}
            negate = False
        out.append(text)
    return out


def render_placement(stage: str, reasons: list[dict], **ctx) -> str:
    """'Loyalty: 11 attendances in 3 activities over the last 90 days (needs 8 in 2)'."""
    definition = ctx["definition"]
    label = definition.stage_label(stage, current_language())
    text = "; ".join(render_reasons(reasons, **ctx))
    return _("%(stage)s: %(reasons)s") % {"stage": label, "reasons": text}
