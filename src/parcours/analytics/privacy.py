"""Small counts: fewer than 5 households are never shown to the board nor exported.

A count under :data:`SMALL` becomes the text "< 5"; a figure derived from so few households (a
share, a median) is not shown either. Names and household ids are only for staff: the roles that
may see the list of households (``Capability.VIEW_HOUSEHOLDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL = 5
HIDDEN = "< 5"
NOT_SHOWN = "–"


@dataclass(frozen=True)
class Audience:
    """Who will read the figures: hides small counts, may see names."""

    hide_small: bool
    names: bool

    def count(self, n: int) -> int | str:
        return HIDDEN if self.hide_small and n < SMALL else n

    def count_of(self, n: int, households: int) -> int | str:
        """``n`` things (moves, sessions) done by ``households``: hidden when they are few."""
        return HIDDEN if self.hide_small and households < SMALL else n

    def value(self, n: int) -> int | None:
        """A count for a chart: None (not drawn) when hidden."""
        return None if self.hide_small and n < SMALL else n

    def derived(self, x, *households: int):
        """A figure computed over ``households`` (a share, a median...), or NOT_SHOWN."""
        if x is None:
            return NOT_SHOWN
        if self.hide_small and any(h < SMALL for h in households):
            return NOT_SHOWN
        return x


STAFF = Audience(hide_small=False, names=True)
BOARD = Audience(hide_small=True, names=False)
EXPORT = Audience(hide_small=True, names=False)  # every exported aggregate, whoever exports it


def audience_for(role_capabilities: frozenset[str] | set[str]) -> Audience:
    return STAFF if "view_households" in role_capabilities else BOARD
