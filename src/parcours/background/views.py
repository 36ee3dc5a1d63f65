from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from parcours.accounts.permissions import member_required
from parcours.accounts.roles import role_can
from parcours.background import kinds
from parcours.background.models import BackgroundJob


@member_required
def job(request, job_pk: int):
    """A job's progress: the whole page, or (htmx polling) the progress fragment alone."""
    found = get_object_or_404(BackgroundJob.objects.select_related("actor"), pk=job_pk)
    kind = kinds.get(found.kind)
    if kind is None or not role_can(request.membership.role, kind.capability):
        raise PermissionDenied
    context = {"job": found, "kind": kind}
    if request.htmx:
        return render(request, "background/_job.html", context)
    return render(request, "background/job.html", context)
