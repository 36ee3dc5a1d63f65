"""Small counts: what the board and every export may learn from the figures.

Two rules, for every table, chart and CSV the board sees and for every export (docs/analytics.md
explains them and how the acceptance test tries to undo them):

1. **Suppression.** A count under :data:`SMALL` (0 to 4 households) is never shown: it becomes
   the text "< 5" (:data:`HIDDEN`), and a chart draws it as a marked "< 5" box, never as zero.
2. **Rounding down to a multiple of** :data:`BASE`. Every other count, totals and margins
   included, each on its own, shows the lower end of its band of five: 5 stands for 5 to 9, 10
   for 10 to 14. Each shown figure thus carries its own uncertainty, so sums and differences of
   shown counts (cumulative funnel steps, row and column totals, stages adding up to the total,
   two periods or two filters side by side) leave every hidden count open. Rounding *to the
   nearest* multiple does not hold: a "10" then means 8 to 12, and 8 split into two hidden
   cells is 4 + 4, determined (the acceptance test found such cells).

A Kaplan–Meier curve steps down at each day a household left the stage, by a height that
tells how many left that day out of how many were there: for the board it is redrawn by
:func:`coarse_survival`, on a weekly grid, stepping only once at least SMALL exits have
gathered since its last step, its heights rounded to whole per cent.

A figure derived from counts (a share) is computed from the middles of the shown bands (7 for a
shown 5), so it tells no more than they do; a figure computed over few households (a share, a
median) is not shown (:data:`NOT_SHOWN`). Names and household ids are only for staff: the roles
that may see the list of households (``Capability.VIEW_HOUSEHOLDS``), who see exact counts.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL = 5
BASE = 5
HIDDEN = "< 5"
NOT_SHOWN = "–"


def rounded(n: int) -> int:
    """``n`` rounded down to a multiple of BASE: the lower end of its band (12 -> 10)."""
    return BASE * (n // BASE)


@dataclass(frozen=True)
class Audience:
    """Who will read the figures: hides small counts and rounds the others, may see names."""

    hide_small: bool
    names: bool

    def hidden(self, n: int) -> bool:
        return self.hide_small and n < SMALL

    def shown(self, n: int) -> int:
        """The figure shown for a count that is not hidden: exact for staff, rounded otherwise."""
        return rounded(n) if self.hide_small else n

    def count(self, n: int) -> int | str:
        return HIDDEN if self.hidden(n) else self.shown(n)

    def count_of(self, n: int, households: int) -> int | str:
        """``n`` things (moves, sessions) done by ``households``: hidden when they are few."""
        return HIDDEN if self.hidden(households) or self.hidden(n) else self.shown(n)

    def value(self, n: int) -> int | None:
        """A count for a computation on the shown figures: None when hidden."""
        return None if self.hidden(n) else self.shown(n)

    def ratio(self, part: int, whole: int) -> float | None:
        """``part / whole`` from the shown figures (for the board, the middles of their bands);
        None when either is hidden or whole is 0."""
        if self.hidden(part) or self.hidden(whole) or whole == 0:
            return None
        if not self.hide_small:
            return part / whole
        middle = (BASE - 1) / 2
        return (self.shown(part) + middle) / (self.shown(whole) + middle)

    def derived(self, x, *households: int):
        """A figure computed over ``households`` (a median...), or NOT_SHOWN."""
        if x is None:
            return NOT_SHOWN
        if any(self.hidden(h) for h in households):
            return NOT_SHOWN
        return x


def coarse_survival(
    curve: list[tuple[int, float]], exits: list[int], every: int = 7
) -> list[tuple[int, float]]:
    """A Kaplan–Meier ``curve`` [(day, survival)] as the board sees it: points at the end of a
    block of ``every`` days, only where at least SMALL exits have happened since the last point
    (so no step shows fewer than SMALL households leaving), survival to whole per cent; the
    exits after the last point (fewer than SMALL) are not drawn."""
    points: list[tuple[int, float]] = [(0, 1.0)]
    pending = 0
    for i, ((day, survival), n) in enumerate(zip(curve, exits, strict=True)):
        pending += n
        block_end = (day // every + 1) * every
        if i + 1 < len(curve) and curve[i + 1][0] < block_end:
            continue  # more exits in the same block
        if pending >= SMALL:
            points.append((block_end, round(survival, 2)))
            pending = 0
    return points


STAFF = Audience(hide_small=False, names=True)
BOARD = Audience(hide_small=True, names=False)
EXPORT = Audience(hide_small=True, names=False)  # every exported aggregate, whoever exports it


def audience_for(role_capabilities: frozenset[str] | set[str]) -> Audience:
    return STAFF if "view_households" in role_capabilities else BOARD
