"""The end of the import commands: the commit (all or nothing), its report, then the tasks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from parcours.imports import services


def commit_and_report(stdout, *, actor, association, plan, decisions, basis) -> None:
    try:
        report = services.import_commit(
            actor=actor, association=association, plan=plan, decisions=decisions,
            lawful_basis=basis,
        )  # fmt: skip
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from exc
    stdout.write(str(report.as_dict() | {"created_ids": len(report.created_ids)}))
    from parcours.imports.tasks import tasks_for

    created = tasks_for(association=association, household_ids=report.touched_ids)
    stdout.write(f"tâches : {created}")
