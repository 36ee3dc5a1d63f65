"""Reasons: why a stage or a status holds, as a code with parameters.

The engine never writes sentences. A reason is a stable ``code`` plus scalar ``params``;
the Django side turns it into French or English with gettext (one message per code, the
params interpolated). :func:`fallback_text` is a tiny English rendering for logs and tests.

Every reason code and its params
================================

Param values are ``int``, ``str``, ``datetime.date`` or ``None``.

==========================  ===================================================================
code                        params
==========================  ===================================================================
``touchpoint_count``        ``kinds`` (str: comma-separated touchpoint kinds, ``"*"`` = any
                            kind), ``count`` (int: touchpoints of those kinds in the window, or
                            ever when there is no window), ``needed`` (int: min_count),
                            ``window_days`` (int or None: no window = ever), ``last_day``
                            (date or None: day of the latest such touchpoint)
``attendance_same_activity`` ``kind`` (str, usually ``attendance``), ``activity`` (int or None:
                            the activity with the most touchpoints in the window, None when
                            there is none), ``count`` (int: its touchpoints in the window),
                            ``needed`` (int), ``window_days`` (int or None)
``attendance_distinct``     ``kind`` (str), ``count`` (int: touchpoints in the window, all
                            activities), ``distinct`` (int: distinct activities among them),
                            ``needed`` (int: min_count), ``needed_distinct`` (int:
                            min_distinct), ``window_days`` (int or None)
``open_episode``            ``opened`` / ``closed`` (str: the kinds pairing the episode, e.g.
                            support_opened / support_closed), ``ref`` (int or None: the episode
                            id, None when there is no qualifying episode), ``opened_on`` (date
                            or None), ``closed_on`` (date or None: None while still open),
                            ``days_since_closed`` (int or None), ``closed_within_days`` (int:
                            grace after closing), ``since_stage`` (str or None: the episode
                            must have opened on or after the first day this stage held),
                            ``since_day`` (date or None: that first day)
``active_episode``          ``opened`` / ``closed`` (str), ``ref`` (int or None), ``opened_on``
                            (date or None)
``not``                     ``of`` (str: the code of the first reason of the negated
                            condition). Always followed by the reasons of the negated
                            condition, which then describe it as not met.
``min_stage``               (statuses only) ``stage`` (str: the stage key a status requires
                            at least), ``current`` (str or None: the current stage key)
==========================  ===================================================================

Combinators ``any`` and ``all`` have no code of their own: ``any`` gives the reasons of its
holding members (of all members when none holds), ``all`` the reasons of all members.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

Param = int | str | date | None

CODES: tuple[str, ...] = (
    "touchpoint_count",
    "attendance_same_activity",
    "attendance_distinct",
    "open_episode",
    "active_episode",
    "not",
    "min_stage",
)


class Reason(Mapping[str, Param]):
    """An immutable, hashable reason: ``Reason("attendance_distinct", count=11, needed=8)``.

    Behaves as a read-only mapping of its params; ``code`` is the reason code.
    """

    __slots__ = ("_code", "_params")

    def __init__(self, code: str, /, **params: Param) -> None:
        self._code = code
        self._params: tuple[tuple[str, Param], ...] = tuple(sorted(params.items()))

    @property
    def code(self) -> str:
        return self._code

    @property
    def params(self) -> dict[str, Param]:
        return dict(self._params)

    def __getitem__(self, key: str) -> Param:
        for k, v in self._params:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return self._code == other._code and self._params == other._params

    def __hash__(self) -> int:
        return hash((self._code, self._params))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self._params)
        return f"Reason({self._code!r}{args})"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (dates as ISO strings) for storage with a span."""
        return {
            "code": self._code,
            "params": {k: v.isoformat() if isinstance(v, date) else v for k, v in self._params},
        }


def fallback_text(reason: Reason) -> str:
    """A plain English line for logs and tests; the UI uses gettext on the code instead."""
    p = reason.params
    window = f" over the last {p['window_days']} days" if p.get("window_days") else ""
    if reason.code == "touchpoint_count":
        return f"{p['count']} × {p['kinds']}{window} (needs {p['needed']})"
    if reason.code == "attendance_same_activity":
        return (
            f"{p['count']} × {p['kind']} of activity {p['activity']}{window} (needs {p['needed']})"
        )
    if reason.code == "attendance_distinct":
        return (
            f"{p['count']} × {p['kind']} in {p['distinct']} activities{window} "
            f"(needs {p['needed']} in {p['needed_distinct']})"
        )
    params = ", ".join(f"{k}={v}" for k, v in p.items())
    return f"{reason.code}: {params}"
