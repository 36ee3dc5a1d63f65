"""The report made as a file by the worker, with progress, then kept for download."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled
from django_tasks import task

from parcours.accounts.roles import Capability
from parcours.background import kinds
from parcours.background.services import job_running

KIND = kinds.register(
    "report_file", label=gettext_lazy("Preparing the activity report"),
    capability=Capability.VIEW_AGGREGATES,
)  # fmt: skip


@task()
def report_file_make(*, job_id: int, membership_id: int, params: str, fmt: str,
                     language: str) -> int:  # fmt: skip
    from parcours.accounts.models import Membership
    from parcours.reports.services import report_file_build

    with job_running(job_id) as progress, scopes_disabled(), translation.override(language):
        # a member deactivated meanwhile gets nothing (the job fails)
        membership = Membership.objects.select_related("association", "user").get(
            pk=membership_id, is_active=True
        )
        progress.advance(0, 2, _("Counting the figures and drawing the report"))
        row, _report = report_file_build(
            membership=membership, params=params, fmt=fmt, job_id=job_id
        )
        progress.advance(1, 2, _("Kept for download"))
        progress.result_url = reverse("reports:file", args=[row.pk])
    return row.pk
