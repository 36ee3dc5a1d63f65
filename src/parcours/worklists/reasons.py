"""Task titles and reasons in the user's language (the engine stores codes and params)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parcours.accounts.roles import Capability, role_can
from parcours.households.models import TouchpointKind
from parcours.journey.definitions import definition_for
from parcours.journey.reasons import current_language

# Titles of the journey's task rules are words of its vocabulary ([tasks.<key>.<lang>] in
# journeys/vocabularies/*.toml), so the customer journey says "customer". Here only the rules
# another app makes (parcours.compliance), which are no [[tasks]] of a journey.
TITLES = {
    "retention_review": gettext_lazy("Decide whether to keep the record active"),
}
# "At the Discovery stage since 3 March, with no sponsor yet": what the family still lacks
WITHOUT = {
    "sponsor_assigned": gettext_lazy("with no sponsor yet"),
    "group_joined": gettext_lazy("in no group of families yet"),
}
# Reasons that tell about a support case: only for roles that see sensitive data.
SENSITIVE_CODES = frozenset({"episode_idle"})


def _day(value) -> str:
    if not value:
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(value)
    return date_format(d, "DATE_FORMAT")


def title(rule: str, definition=None) -> str:
    """A task's title in the current language: the journey vocabulary's, else this module's."""
    if definition is not None:
        text = definition.task_title(rule, current_language())
        if text:
            return text
    return str(TITLES.get(rule, rule.replace("_", " ").capitalize()))


def reason_text(reason: dict, association) -> str:
    code = reason.get("code")
    p = reason.get("params", {})
    definition = definition_for(association)
    lang = current_language()

    def stage(key):
        return definition.stage_label(key, lang) if key in definition.stage_keys else (key or "—")

    if code == "stage_for":
        if not p["days"]:
            return _("Reached %(stage)s today.") % {"stage": stage(p["stage"])}
        return ngettext(
            "At the %(stage)s stage for %(days)s day (since %(since)s).",
            "At the %(stage)s stage for %(days)s days (since %(since)s).",
            p["days"],
        ) % {"stage": stage(p["stage"]), "since": _day(p["since"]), "days": p["days"]}
    if code == "stage_without_episode":
        what = WITHOUT.get(p["opened"])
        if what is None:
            label = dict(TouchpointKind.choices).get(p["opened"], p["opened"])
            what = _("no “%(what)s” yet") % {"what": label}
        return _("At the %(stage)s stage since %(since)s, %(what)s.") % {
            "stage": stage(p["stage"]),
            "since": _day(p["since"]),
            "what": what,
        }
    if code == "stage_lapse":
        return ngettext(
            "%(stage)s ends on %(lapse)s unless the family comes back (%(left)s day left).",
            "%(stage)s ends on %(lapse)s unless the family comes back (%(left)s days left).",
            p["days_left"],
        ) % {"stage": stage(p["stage"]), "lapse": _day(p["lapse"]), "left": p["days_left"]}
    if code == "status_for":
        label = definition.status_label(p["status"], lang)
        return _("%(status)s since %(since)s.") % {"status": label, "since": _day(p["since"])}
    if code == "episode_idle":
        return ngettext(
            "Support case open since %(opened)s; last follow-up on %(last)s, %(days)s day ago.",
            "Support case open since %(opened)s; last follow-up on %(last)s, %(days)s days ago.",
            p["days"],
        ) % {"opened": _day(p["opened_on"]), "last": _day(p["last_followup"]), "days": p["days"]}
    if code == "retention_due":
        return _(
            "No contact from the family since %(last)s: the record moves to the archive on "
            "%(leaves)s unless you keep it active, with a reason."
        ) % {"last": _day(p["last_contact"]), "leaves": _day(p["leaves_on"])}
    return str(code)


def closed_text(task, association) -> str:
    c = task.closed_because or {}
    if c.get("code") == "retention_extended":
        return _("Kept active until %(day)s.") % {"day": _day(c.get("params", {}).get("until"))}
    if c.get("code") == "retention_moved":
        return _("The family came back or the record was kept active: no decision needed now.")
    if c.get("code") != "cause_gone":
        return ""
    definition = definition_for(association)
    key = c.get("params", {}).get("stage")
    label = definition.stage_label(key, current_language()) if key else "—"
    return _("The situation changed: the family is now at the %(stage)s stage.") % {"stage": label}


def decorate(tasks, membership) -> None:
    """Attach display fields (title, reason text, overdue) to tasks for templates and mails."""
    from django.utils import timezone

    today = timezone.localdate()
    sensitive = role_can(membership.role, Capability.VIEW_SENSITIVE)
    definition = definition_for(membership.association)
    lang = current_language()
    for t in tasks:
        t.title = title(t.rule, definition)
        t.reason_text = (
            reason_text(t.reason, membership.association)
            if sensitive or t.reason.get("code") not in SENSITIVE_CODES
            else ""
        )
        t.overdue = t.is_open and t.due < today
        t.stage_label = (
            definition.stage_label(t.stage, lang) if t.stage in definition.stage_keys else ""
        )
        t.closed_text = closed_text(t, membership.association)
