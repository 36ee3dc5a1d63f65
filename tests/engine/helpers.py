"""Small builders shared by the engine tests."""

from __future__ import annotations

from datetime import date, timedelta

from parcours.engine.definition import JourneyDefinition, shipped_definition
from parcours.engine.timeline import timeline
from parcours.engine.touchpoints import Touchpoint

D0 = date(2024, 1, 1)
BENEFICIARY: JourneyDefinition = shipped_definition("beneficiary", "beneficiary")
CUSTOMER: JourneyDefinition = shipped_definition("beneficiary", "customer")


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def tp(n: int, kind: str, activity: int | None = None, ref: int | None = None) -> Touchpoint:
    return Touchpoint(day(n), kind, activity, ref)


def stage_on(
    tps: list[Touchpoint], n: int, definition: JourneyDefinition = BENEFICIARY
) -> str | None:
    """The current stage on day n, computed as of that day."""
    return timeline(tps, definition, day(n)).current.stage
