"""Touchpoints of one household, and the sorted history the per-household engine reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from parcours.engine.columns import KIND_CODE, day_date, day_number


@dataclass(frozen=True, order=True)
class Touchpoint:
    """One dated fact about a household (see the kinds in ``columns.KINDS``).

    ``activity`` is the activity id of an attendance or activity_led; ``ref`` the id of the
    episode a touchpoint opens or closes (support case, group, sponsorship, role) or of the
    referred household.
    """

    day: date
    kind: str
    activity: int | None = None
    ref: int | None = None


@dataclass(frozen=True)
class History:
    """A household's touchpoints up to a day, sorted by day; days as integers (see columns)."""

    touchpoints: tuple[Touchpoint, ...]
    days: tuple[int, ...]
    as_of: int
    _by_kind: dict[str, tuple[int, ...]] = field(repr=False, compare=False)

    @classmethod
    def build(cls, touchpoints: Iterable[Touchpoint], as_of: date) -> History:
        limit = day_number(as_of)
        kept: list[tuple[int, Touchpoint]] = []
        for tp in touchpoints:
            if tp.kind not in KIND_CODE:
                raise ValueError(f"unknown touchpoint kind {tp.kind!r}")
            n = day_number(tp.day)
            if n <= limit:
                kept.append((n, tp))
        kept.sort(key=lambda item: item[0])  # stable: same-day order kept
        by_kind: dict[str, list[int]] = {}
        for i, (_, tp) in enumerate(kept):
            by_kind.setdefault(tp.kind, []).append(i)
        return cls(
            touchpoints=tuple(tp for _, tp in kept),
            days=tuple(n for n, _ in kept),
            as_of=limit,
            _by_kind={k: tuple(v) for k, v in by_kind.items()},
        )

    @property
    def first_day(self) -> int | None:
        return self.days[0] if self.days else None

    def indices(self, kinds: frozenset[str] | None) -> list[int]:
        """Indices (in day order) of the touchpoints of these kinds; None means any kind."""
        if kinds is None:
            return list(range(len(self.days)))
        out: list[int] = []
        for k in kinds:
            out.extend(self._by_kind.get(k, ()))
        out.sort()
        return out

    def date_of(self, n: int) -> date:
        return day_date(n)
