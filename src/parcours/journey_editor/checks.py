"""`manage check`: PARCOURS_JOURNEY names a shipped journey; and the definition cache reads
the current versions again at each request and each background task."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.signals import request_started
from django_tasks.signals import task_started

from parcours.engine.definition import journeys_dir
from parcours.journey.definitions import forget_current_versions

request_started.connect(forget_current_versions, dispatch_uid="journey_versions_request")
task_started.connect(forget_current_versions, dispatch_uid="journey_versions_task")


@checks.register()
def shipped_journey(app_configs, **kwargs):
    name = getattr(settings, "PARCOURS_JOURNEY", "")
    if not (journeys_dir() / f"{name}.toml").is_file():
        shipped = sorted(p.stem for p in journeys_dir().glob("*.toml"))
        return [
            checks.Error(
                f"PARCOURS_JOURNEY={name!r} is not a shipped journey (shipped: "
                f"{', '.join(shipped)}).",
                id="parcours.E001",
            )
        ]
    return []
