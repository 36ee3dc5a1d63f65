"""The community app's sponsorships and absent visits, when it is installed.

parcours.community (another team's app) keeps sponsorships and visits to absent families as
domain rows and writes their touchpoints through households.services.touchpoint_record.
The worklists use its services when they exist; otherwise they write the touchpoint
directly (same kind, same household, same ref convention) and keep their own record.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date


def _community():
    try:
        from parcours.community import services
        from parcours.community.models import AbsentVisit, Sponsorship, VisitOutcome
    except ImportError:
        return None
    return services, Sponsorship, AbsentVisit, VisitOutcome


def available() -> bool:
    return _community() is not None


def sponsor_of(ref: int, household_id: int) -> tuple[int | None, int | None] | None:
    """(sponsor user id, sponsor household id) of the sponsorship episode `ref`."""
    c = _community()
    if c is None:
        return None
    s = c[1].objects.filter(pk=ref, household_id=household_id).first()
    return None if s is None else (s.sponsor_user_id, s.sponsor_household_id)


def sponsor_loads(association) -> dict[str, int] | None:
    """Households each sponsor accompanies now ("u<id>" / "h<id>" -> count)."""
    c = _community()
    if c is None:
        return None
    loads: dict[str, int] = defaultdict(int)
    for u, h in (
        c[1]
        .objects.filter(association=association, end__isnull=True)
        .values_list("sponsor_user_id", "sponsor_household_id")
    ):
        loads[f"u{u}" if u else f"h{h}"] += 1
    return loads


def start_sponsorship(*, actor, household, day: date, sponsor_user=None, sponsor_household=None):
    """Through the community service; returns the sponsorship (None without the app)."""
    c = _community()
    if c is None:
        return None
    return c[0].sponsorship_start(
        actor=actor,
        household=household,
        start=day,
        sponsor_user=sponsor_user,
        sponsor_household=sponsor_household,
    )


VISIT_OUTCOMES = ("met", "not_home", "moved")


def record_absent_visit(*, actor, visitor, visited, day: date, outcome: str) -> bool:
    """Through the community service (True), or False when the app is not there."""
    c = _community()
    if c is None:
        return False
    c[0].absent_visit_record(
        actor=actor, visitor=visitor, visited=visited, day=day, outcome=outcome
    )
    return True
