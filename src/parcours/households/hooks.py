"""What must follow a change of a household's touchpoints, inside the same transaction.

Apps register a callable (e.g. the journey app recomputes the household's stage spans). This is
an explicit registry called by the services, not a Django signal.
"""

from __future__ import annotations

from collections.abc import Callable

_after_change: list[Callable] = []


def register(callback: Callable) -> Callable:
    if callback not in _after_change:
        _after_change.append(callback)
    return callback


def touchpoints_changed(household) -> None:
    for callback in _after_change:
        callback(household)
