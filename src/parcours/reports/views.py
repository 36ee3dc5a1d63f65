"""The period activity report (page, PDF, XLSX) and the paper an association lives on: the
attendance sheet to sign for a session, and a blank one for a new activity."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.activities import selectors as activities
from parcours.activities.models import Activity, Session
from parcours.audit.services import audit_export, audit_read
from parcours.reports import content, files, services
from parcours.reports.models import ReportFile

#: Blank lines for newcomers at the foot of a session's sheet, and on a new activity's sheet.
NEWCOMER_LINES = 8
BLANK_LINES = 22


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _name(report, ext: str) -> str:
    p = report.query.period
    return f"rapport-{report.association.slug}-{p.start}-{p.end}.{ext}"


@require(Capability.VIEW_AGGREGATES)
def period_report(request):
    report = content.build(request, export=False)
    query = request.GET.urlencode()
    kept = services.report_files_for(request.membership)
    context = {"report": report, "query": query, "params": request.GET, "kept": kept,
               "keep_days": services.keep_days(),
               "long": services.is_long(request.membership.association)}  # fmt: skip
    return render(request, "reports/period.html", context)


@require(Capability.VIEW_AGGREGATES)
def period_generate(request):
    """Prepare the report file (``format``: pdf or xlsx) of the posted period and filters in
    the background; its progress page links to the file once made."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    fmt = request.POST.get("format", "")
    if fmt not in ReportFile.Format.values:
        messages.error(request, _("Choose the file to prepare: the report (PDF) or the tables "
                                  "(XLSX)."))  # fmt: skip
        return redirect("reports:period")
    job = services.report_file_request(
        membership=request.membership, params=request.POST, fmt=fmt,
        language=get_language() or "fr",
    )  # fmt: skip
    return redirect("background:job", job_pk=job.pk)


@require(Capability.VIEW_AGGREGATES)
def report_file(request, file_pk: int):
    """A kept report file: only to the members of its association who may read reports, and
    one holding the support figures only to those who may learn of support."""
    kept = services.report_files_for(request.membership).defer(None)
    try:
        row = kept.get(pk=file_pk)
    except ReportFile.DoesNotExist as exc:
        raise Http404 from exc
    audit_export(request, object_type=f"reports.file_{row.format}", fields=[row.format])
    return _file(bytes(row.content), row.content_type, row.name)


@require(Capability.VIEW_AGGREGATES)
def period_pdf(request):
    report = content.build(request, export=True)
    data = files.report_pdf(request, report)
    audit_export(
        request, object_type="reports.period_pdf", fields=[s.panel.kind for s in report.sections]
    )
    return _file(data, "application/pdf", _name(report, "pdf"))


@require(Capability.VIEW_AGGREGATES)
def period_xlsx(request):
    report = content.build(request, export=True)
    data = files.report_xlsx(report)
    audit_export(
        request, object_type="reports.period_xlsx", fields=[s.panel.kind for s in report.sections]
    )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file(data, xlsx, _name(report, "xlsx"))


def _sheet_pdf(request, context: dict, name: str) -> HttpResponse:
    html = render_to_string("reports/attendance_sheet.html", context, request)
    data = files.pdf_bytes(html, request.build_absolute_uri("/"))
    return _file(data, "application/pdf", name)


@require(Capability.RECORD_TOUCHPOINTS)
def session_sheet(request, session_pk: int):
    """The sheet to sign for a session: the expected households and their members, a signature
    column, blank lines for newcomers."""
    try:
        session = activities.session_detail(pk=session_pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    rows = activities.sheet_rows(session=session)
    context = {
        "activity": session.activity,
        "session": session,
        "rows": rows,
        "blank": range(NEWCOMER_LINES),
        "association": request.membership.association,
    }
    return _sheet_pdf(request, context, f"emargement-{session.day}-{session.pk}.pdf")


@require(Capability.RECORD_TOUCHPOINTS)
def blank_sheet(request, activity_pk: int):
    """A blank sheet for a new activity, or a session not planned in Parcours."""
    try:
        activity = Activity.objects.get(pk=activity_pk)
    except Activity.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "activity": activity,
        "session": None,
        "rows": [],
        "blank": range(BLANK_LINES),
        "association": request.membership.association,
        "today": timezone.localdate(),
    }
    return _sheet_pdf(request, context, f"emargement-{activity.pk}.pdf")


#: The household summary lists at most this many recent touchpoints (one page).
SUMMARY_TOUCHPOINTS = 12


@require(Capability.VIEW_SENSITIVE)
def household_summary(request, pk: int):
    """One page on a household for a meeting with the social worker: members, journey, needs,
    support and the latest touchpoints, read through the visibility policy; the read is audited."""
    from parcours.accounts import visibility
    from parcours.households.models import Household, Touchpoint
    from parcours.journey.selectors import household_journey

    try:
        household = visibility.households(request.membership).get(pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    touchpoints = visibility.touchpoints(
        request.membership, Touchpoint.objects.filter(household=household)
    ).select_related("activity")[:SUMMARY_TOUCHPOINTS]
    support = None
    if visibility.sees_support(request.membership):
        from parcours.support.selectors import household_support

        support = household_support(household=household)
    context = {
        "household": household,
        "persons": list(household.persons.all()),
        "journey": household_journey(household=household, membership=request.membership),
        "touchpoints": list(touchpoints),
        "support": support,
        "association": request.membership.association,
        "today": timezone.localdate(),
    }
    audit_read(request, obj=household, fields=["summary", "needs", "touchpoints", "support"])
    html = render_to_string("reports/household_summary.html", context, request)
    data = files.pdf_bytes(html, request.build_absolute_uri("/"))
    return _file(data, "application/pdf", f"fiche-{household.pk}-{timezone.localdate()}.pdf")
