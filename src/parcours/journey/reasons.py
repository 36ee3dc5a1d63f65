"""Reason codes of the engine turned into sentences, in the user's language.

The engine stores `{"code": ..., "params": {...}}` (see parcours.engine.reasons for the codes);
only here do they become French or English text.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from parcours.households.models import TouchpointKind
from parcours.journey import words


def current_language() -> str:
    lang = (get_language() or "fr")[:2]
    return lang if lang in ("fr", "en") else "fr"


def _day(value) -> str:
    if not value:
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(value)
    return date_format(d, "DATE_FORMAT")


def _kinds(value: str) -> str:
    """Touchpoint kinds as their labels (the rule's words, for the rule's editor)."""
    if value == "*":
        return _("any touchpoint")
    labels = dict(TouchpointKind.choices)
    return _(" or ").join(str(labels.get(k, k)) for k in value.split(","))


def _as_date(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


def _needs(p, ctx, text: str) -> str:
    """The rule's threshold after what happened, for the rule's sentence (not the plain one)."""
    if ctx.get("plain") or not p.get("needed") or p["needed"] <= 1:
        return text
    return _("%(what)s (the stage needs %(needed)s)") % {"what": text, "needed": p["needed"]}


def _per_kind(p, ctx) -> list[str] | None:
    """For a rule over several kinds: what happened, kind by kind, from the household's
    touchpoints (ctx "touchpoints": (day, kind) pairs the reader may see); None without them."""
    seen = ctx.get("touchpoints")
    last = _as_date(p.get("last_day"))
    if seen is None or last is None:
        return None
    if callable(seen):  # read only when a reason needs them
        seen = seen()
    kinds = set(p["kinds"].split(","))
    low = date.min if not p.get("window_days") else last - timedelta(days=p["window_days"] - 1)
    found: dict[str, list[date]] = {}
    for day, kind in seen:
        if kind in kinds and low <= day <= last:
            found.setdefault(kind, []).append(day)
    if not found or not any(last in days for days in found.values()):
        return None
    exact = sum(len(days) for days in found.values()) == p["count"]
    order = sorted(found, key=lambda k: max(found[k]))
    return [words.done(k, len(found[k]) if exact else 1, _day(max(found[k]))) for k in order]


def _touchpoint_count(p, ctx) -> str:
    kinds, count = p["kinds"], p["count"]
    if count == 0:
        return _needs(p, ctx, words.none_yet(kinds, p.get("window_days")))
    day = _day(p.get("last_day"))
    if kinds != "*" and "," not in kinds:
        return _needs(p, ctx, words.done(kinds, count, day))
    phrases = _per_kind(p, ctx) if kinds != "*" else None
    if phrases:
        return _needs(p, ctx, words.joined(phrases))
    text = ngettext(
        "A touchpoint on %(day)s",
        "%(count)s touchpoints, the last on %(day)s",
        count,
    ) % {"count": count, "day": day}
    return _needs(p, ctx, text)


def _same_activity(p, ctx) -> str:
    activity = ctx.get("activities", {}).get(p.get("activity")) or _("one activity")
    text = ngettext(
        "%(count)s attendance at %(activity)s over the last %(window)s days",
        "%(count)s attendances at %(activity)s over the last %(window)s days",
        p["count"],
    ) % {"count": p["count"], "activity": activity, "window": p.get("window_days")}
    return _needs(p, ctx, text)


def _distinct(p, ctx) -> str:
    text = ngettext(
        "%(count)s attendance in %(distinct)s activities over the last %(window)s days",
        "%(count)s attendances in %(distinct)s activities over the last %(window)s days",
        p["count"],
    ) % {"count": p["count"], "distinct": p["distinct"], "window": p.get("window_days")}
    if ctx.get("plain"):
        return text
    return _("%(what)s (the stage needs %(needed)s in %(needed_distinct)s activities)") % {
        "what": text,
        "needed": p["needed"],
        "needed_distinct": p["needed_distinct"],
    }


def _open_episode(p, ctx) -> str:
    if p["opened"] != "support_opened":
        return _episode_generic(p)
    if p.get("ref") is None:
        if p.get("since_day"):
            return _("No support case opened since %(day)s") % {"day": _day(p["since_day"])}
        return _("No support case")
    if not p.get("closed_on"):
        return _("Support case open since %(day)s") % {"day": _day(p["opened_on"])}
    text = _("Support case closed on %(closed)s") % {"closed": _day(p["closed_on"])}
    if ctx.get("plain"):
        return text
    return _("%(what)s (it counts for %(grace)s days after closing)") % {
        "what": text,
        "grace": p.get("closed_within_days"),
    }


def _episode_generic(p) -> str:
    kind = _kinds(p["opened"])
    if p.get("ref") is None:
        return _("No %(kind)s") % {"kind": kind}
    if not p.get("closed_on"):
        return _("%(kind)s on %(day)s, still open") % {"kind": kind, "day": _day(p["opened_on"])}
    return _("%(kind)s on %(opened)s, closed on %(closed)s") % {
        "kind": kind,
        "opened": _day(p["opened_on"]),
        "closed": _day(p["closed_on"]),
    }


# opened kind -> (holding since %(day)s, not holding)
ACTIVE = {
    "group_joined": (
        gettext_lazy("In a group of families since %(day)s"),
        gettext_lazy("In no group of families"),
    ),
    "role_started": (
        gettext_lazy("Holds a role in the association since %(day)s"),
        gettext_lazy("No role in the association"),
    ),
    "support_opened": (
        gettext_lazy("Support case open since %(day)s"),
        gettext_lazy("No open support case"),
    ),
    "sponsor_assigned": (
        gettext_lazy("Has a sponsor since %(day)s"),
        gettext_lazy("No sponsor"),
    ),
}


def _active_episode(p, ctx) -> str:
    since, never = ACTIVE.get(p["opened"], (None, None))
    if p.get("ref") is None:
        return str(never) if never else _("No %(kind)s") % {"kind": _kinds(p["opened"])}
    day = _day(p.get("opened_on"))
    if since:
        return str(since) % {"day": day}
    return _("%(kind)s since %(day)s") % {"kind": _kinds(p["opened"]), "day": day}


def _min_stage(p, ctx) -> str:
    definition = ctx.get("definition")
    label = definition.stage_label(p["stage"], current_language()) if definition else p["stage"]
    return _("Has reached %(stage)s") % {"stage": label}


def _support_hidden(p, ctx) -> str:
    return _("Personalised support (details for social workers)")


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
    """Sentences for stored reasons; a `not` reason negates the sentence that follows it.
    ctx: "definition", "activities" (id -> name), "touchpoints" ((day, kind) pairs the reader
    may see, or a callable giving them: which kind happened, for a rule over several kinds),
    "plain" (True: what happened, without the rule's thresholds)."""
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
            # "No attendance over the last 45 days" already says it; otherwise say "not"
            if not (code == "touchpoint_count" and reason["params"]["count"] == 0):
                text = _("not: %(reason)s") % {"reason": text}
            negate = False
        out.append(text)
    return out


def render_placement(stage: str, reasons: list[dict], **ctx) -> str:
    """'Loyalty: 11 attendances in 3 activities over the last 90 days (the stage needs 8 in 2
    activities)': the rule's sentence, thresholds included."""
    definition = ctx["definition"]
    label = definition.stage_label(stage, current_language())
    text = _("; ").join(render_reasons(reasons, **ctx))
    return _("%(stage)s: %(reasons)s") % {"stage": label, "reasons": text}
