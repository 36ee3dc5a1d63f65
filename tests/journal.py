"""Journey logs for tests: touchpoints of any kind, written as the demo seeder writes them.

The application writes a kind owned by a record only through that record's service
(parcours.households.ownership). Tests of the journey, its tasks and its pages need logs of
any kind without building every record behind them: this writes the touchpoint exactly as
touchpoint_record does (audit, journey hook, same transaction), without the ownership check.
Only tests use it (tests/households/test_ownership.py checks that src/ never does).
"""

from __future__ import annotations

from parcours.households.services import _touchpoint_write


def log_touchpoint(*, household, day, kind, actor=None, activity=None, ref=None, note=""):
    return _touchpoint_write(
        actor=actor, household=household, day=day, kind=kind, activity=activity, ref=ref,
        note=note,
    )  # fmt: skip
