"""Report files made in the background (parcours.background) and kept for download."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from parcours.reports.models import ReportFile

#: The parameters of the report page that are not filters (the period is kept apart).
NOT_FILTERS = ("start", "end", "format", "csrfmiddlewaretoken")


def keep_days() -> int:
    return getattr(settings, "PARCOURS_REPORT_FILE_DAYS", 30)


def is_long(association) -> bool:
    """Whether the association's report is long to make (many households): its page then
    offers the files made in the background only, never a download that holds the request."""
    from parcours.households.models import Household

    limit = getattr(settings, "PARCOURS_REPORT_BACKGROUND_HOUSEHOLDS", 20_000)
    return Household.objects.filter(association=association).count() > limit


def filters_of(params: QueryDict) -> str:
    """The filters of a query, normalised (sorted, empty values left out)."""
    pairs = sorted((k, v) for k, vs in params.lists() if k not in NOT_FILTERS for v in vs if v)
    out = QueryDict(mutable=True)
    for k, v in pairs:
        out.appendlist(k, v)
    return out.urlencode()


def report_file_request(*, membership, params: QueryDict, fmt: str, language: str):
    """Queue the making of the report file of ``params`` (period and filters) in ``fmt`` for
    ``membership``; returns the background job."""
    from parcours.background.services import job_start
    from parcours.reports.tasks import KIND, report_file_make

    if fmt not in ReportFile.Format.values:
        raise ValueError(f"unknown report format {fmt!r}")
    kept = QueryDict(mutable=True)
    for k, vs in params.lists():
        if k not in ("format", "csrfmiddlewaretoken"):
            kept.setlist(k, vs)
    return job_start(
        actor=membership.user, association=membership.association, kind=KIND.key,
        task=report_file_make,
        kwargs={"membership_id": membership.pk, "params": kept.urlencode(), "fmt": fmt,
                "language": language},
    )  # fmt: skip


def report_file_build(*, membership, params: str, fmt: str, job_id: int | None = None):
    """Build the report (the export audience, as the direct downloads) and keep it, replacing
    the file of the same association, period, filters, format, language and audience."""
    from django.utils.translation import get_language

    from parcours.accounts import visibility
    from parcours.reports import content, files

    request = SimpleNamespace(GET=QueryDict(params, mutable=True), membership=membership,
                              user=membership.user)  # fmt: skip
    report = content.build(request, export=True)
    data = files.report_xlsx(report) if fmt == "xlsx" else files.report_pdf_bytes(report)
    period = report.query.period
    row = ReportFile(
        association=membership.association, start=period.start, end=period.end,
        filters=filters_of(request.GET), format=fmt, language=get_language() or "",
        with_support=visibility.sees_support(membership),
        name=f"rapport-{membership.association.slug}-{period.start}-{period.end}.{fmt}",
        content=data, job_id=job_id, created_by=membership.user,
    )  # fmt: skip
    with transaction.atomic():
        same = ReportFile.objects.filter(
            association=row.association, start=row.start, end=row.end, filters=row.filters,
            format=row.format, language=row.language, with_support=row.with_support,
        )  # fmt: skip
        same.delete()
        row.full_clean(exclude=["job", "created_by", "content"])
        row.save()
    report_files_purge()
    return row, report


def report_files_purge(now=None) -> int:
    """Delete the report files older than the days they are kept."""
    limit = (now or timezone.now()) - timedelta(days=keep_days())
    return ReportFile.objects.filter(created_at__lt=limit).delete()[0]


def report_files_for(membership):
    """The kept files a member may download, newest first (without their content)."""
    from parcours.accounts import visibility

    limit = timezone.now() - timedelta(days=keep_days())
    rows = ReportFile.objects.filter(association=membership.association, created_at__gte=limit)
    if not visibility.sees_support(membership):
        rows = rows.filter(with_support=False)
    return rows.defer("content")
