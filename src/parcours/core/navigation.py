"""The main menu, in one place: the association's moments and the pages each one opens.

The menu follows what an association does with a family, not the apps of the code: it goes
towards families (aller vers), welcomes them (accueillir), accompanies them (accompagner),
does things with them (faire ensemble) and steers the whole (piloter). Each entry names the
capabilities it needs; a member sees only the entries their role grants, and a moment with no
entry for them is not shown. To add a page to the menu, add one `NavEntry` to `ENTRIES`.

`base.html` draws the result of `menu_for` (context processor `navigation`): one line of
moments on a desktop, each opening its pages; a "Menu" button on a phone with every moment
unfolded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Moment:
    key: str
    label: Promise


@dataclass(frozen=True)
class NavEntry:
    moment: str
    url_name: str
    label: Promise
    # every one of these capabilities is needed to see the entry
    needs: frozenset[str]
    # the entry is hidden from a role holding any of these (e.g. a shortcut for one role only)
    unless: frozenset[str] = field(default_factory=frozenset)

    def shown_to(self, capabilities: Iterable[str]) -> bool:
        held = set(capabilities)
        return self.needs <= held and not (self.unless & held)


MOMENTS: tuple[Moment, ...] = (
    Moment("reach_out", _("Reaching out")),
    Moment("welcome", _("Welcoming")),
    Moment("accompany", _("Accompanying")),
    Moment("together", _("Doing together")),
    Moment("steer", _("Steering")),
)


def _entry(moment: str, url_name: str, label: Promise, *needs: str, unless: str = "") -> NavEntry:
    return NavEntry(
        moment, url_name, label, frozenset(needs), frozenset({unless} if unless else ())
    )


ENTRIES: tuple[NavEntry, ...] = (
    # aller vers
    _entry("reach_out", "outreach:list", _("Outreach"), "record_touchpoints"),
    _entry("reach_out", "community:communications", _("Communications"), "record_touchpoints"),
    _entry(
        "reach_out",
        "community:absent_visit",
        _("Visit to an absent family"),
        "record_peer_visits",
        unless="record_touchpoints",
    ),
    # accueillir
    _entry("welcome", "frontdesk:home", _("Front desk"), "record_touchpoints"),
    _entry("welcome", "households:list", _("Households"), "view_households"),
    # accompagner
    _entry("accompany", "worklists:mine", _("My tasks"), "work_on_tasks"),
    _entry("accompany", "worklists:matching", _("Sponsor matching"), "manage_tasks"),
    _entry("accompany", "support:list", _("Support"), "view_sensitive"),
    # faire ensemble
    _entry("together", "activities:today", _("Today's sessions"), "record_touchpoints"),
    _entry("together", "agenda:calendar", _("Calendar"), "record_touchpoints"),
    _entry("together", "activities:list", _("Activities"), "manage_activities"),
    _entry("together", "community:home", _("Community"), "edit_households"),
    # piloter
    _entry("steer", "analytics:dashboard", _("Dashboard"), "view_aggregates"),
    _entry("steer", "worklists:board", _("All open tasks"), "manage_tasks"),
    _entry("steer", "accounts:members", _("Members"), "manage_members"),
    _entry("steer", "audit:log", _("Audit log"), "read_audit_log"),
    _entry("steer", "compliance:retention", _("Data protection"), "manage_data_protection"),
    _entry("steer", "imports:start", _("Import"), "import_households"),
    _entry("steer", "journey_editor:edit", _("Journey rules"), "edit_journey"),
    _entry("steer", "association_settings:page", _("Settings"), "manage_settings"),
)


@dataclass(frozen=True)
class MenuLink:
    url: str
    label: Promise
    current: bool


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Promise
    links: tuple[MenuLink, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _is_current(url: str, path: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def menu_for(capabilities: Iterable[str], path: str = "") -> list[MenuGroup]:
    """The moments this member sees, in order, each with its links; empty moments left out.

    A link is current when the page is it or below it; when two links of the menu match, only
    the longest (the most precise) is current."""
    held = frozenset(capabilities)
    urls = {e: reverse(e.url_name) for e in ENTRIES if e.shown_to(held)}
    matching = [u for u in urls.values() if _is_current(u, path)]
    best = max(matching, key=len) if matching else None
    groups = []
    for moment in MOMENTS:
        links = tuple(
            MenuLink(url, entry.label, url == best)
            for entry, url in urls.items()
            if entry.moment == moment.key
        )
        if links:
            groups.append(MenuGroup(moment.key, moment.label, links))
    return groups


def navigation(request) -> dict[str, object]:
    """Context processor: the main menu of the signed-in member (nothing for a visitor)."""
    from parcours.accounts.roles import ROLE_CAPABILITIES

    m = getattr(request, "membership", None)
    if m is None:
        return {"menu": []}
    return {"menu": menu_for(ROLE_CAPABILITIES.get(m.role, frozenset()), request.path)}
