"""The reads of task regeneration (worklists.regenerate) for the households of a chunk: their
tasks and the consent purposes they withdrew. One household's reads (a touchpoint write, on
every attendance tap) are compiled once (core.prepared) instead of by Django on every call;
the same rows as the querysets. Called with scopes disabled, as regeneration runs."""

from __future__ import annotations

from django.db import connection

from parcours.core.prepared import Prepared
from parcours.worklists.models import Task

_TASK_FIELDS = [f.attname for f in Task._meta.concrete_fields]


def _task_rows(ids: list):
    from parcours.worklists.regenerate import MANAGED_ELSEWHERE

    return (
        Task.objects.filter(household_id__in=ids)
        .exclude(rule__in=MANAGED_ELSEWHERE)
        .values_list(*_TASK_FIELDS)
    )


def _purposes() -> list[str]:
    """The consent purposes the task rules ask about."""
    from parcours.worklists.regenerate import CONSENT_RULES, FOLLOW_UP

    return sorted({FOLLOW_UP, *CONSENT_RULES.values()})


def _withdrawn_rows(ids: list):
    from parcours.consent.selectors import withdrawn_rows

    return withdrawn_rows(ids, _purposes())


_ONE_TASKS = Prepared(lambda household_id: _task_rows([household_id]))
_ONE_WITHDRAWN = Prepared(lambda household_id: _withdrawn_rows([household_id]))


def tasks_of(ids: list[int]) -> list[Task]:
    """The tasks of the households ``ids`` that regeneration manages (not MANAGED_ELSEWHERE)."""
    rows = _ONE_TASKS.rows(ids[0]) if len(ids) == 1 else _task_rows(ids)
    alias = connection.alias
    return [Task.from_db(alias, _TASK_FIELDS, row) for row in rows]


def withdrawn(ids: list[int]) -> dict[int, set[str]]:
    """The purposes (of those the rules ask about) each household withdrew."""
    from parcours.consent.selectors import withdrawn_purposes

    rows = _ONE_WITHDRAWN.rows(ids[0]) if len(ids) == 1 else None
    return withdrawn_purposes(ids, _purposes(), rows=rows)


def withdrawn_between(lo: int, hi: int) -> set[int]:
    """The households with an id in [lo, hi] that withdrew a purpose the rules ask about."""
    from parcours.consent.selectors import withdrawn_rows

    return {h for h, _purpose in withdrawn_rows(None, _purposes(), between=(lo, hi))}
