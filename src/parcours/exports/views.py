"""Downloads of the association's data as CSV or XLSX, each one audited.

The household, person and touchpoint files follow the family list's filters (the same URL
parameters, parcours.familylist); attendance follows a period and an activity. Bad parameters
answer 400 with the exports page naming them, never a file of something else.
"""

from __future__ import annotations

from dataclasses import replace

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.audit.services import audit_export
from parcours.exports import ocel, tables, xes
from parcours.exports.eventlog import JourneyLog
from parcours.exports.formats import Table, response, scoped
from parcours.exports.forms import FormatForm, PeriodForm
from parcours.familylist.views import filtered


def _page(request, *, status: int = 200, errors=()):
    return render(
        request,
        "exports/index.html",
        {
            "touchpoint_form": PeriodForm(auto_id="tp_%s"),
            "attendance_form": PeriodForm(activities=True, auto_id="at_%s"),
            "list_url": reverse("households:list"),
            "errors": list(errors),
        },
        status=status,
    )


def _errors(*forms) -> list[str]:
    return [e for f in forms if not f.is_valid() for errs in f.errors.values() for e in errs]


def _download(request, table: Table, *, name: str, fmt: str):
    """Audit the export (the columns exported, not their values), then send the file."""
    audit_export(request, object_type=f"exports.{name}", fields=[fmt, *table.keys])
    association = request.association
    rows = scoped(table.rows, association_id=association.pk)
    filename = f"{association.slug}-{name}-{timezone.localdate().isoformat()}"
    return response(replace(table, rows=rows), fmt=fmt, filename=filename)


def _family_export(request, build, *, name: str, form_class=FormatForm):
    """An export of the family list as filtered in the URL (the list page's parameters)."""
    family_form, queryset, definition = filtered(request)
    form = form_class(request.GET)
    if errors := _errors(family_form, form):
        return _page(request, status=400, errors=errors)
    table = build(queryset=queryset, definition=definition, **form.cleaned_data)
    return _download(request, table, name=name, fmt=form.chosen_format())


@require(Capability.VIEW_HOUSEHOLDS)
def index(request):
    return _page(request)


@require(Capability.VIEW_HOUSEHOLDS)
def households(request):
    """The family list as filtered in the URL; needs for the roles that see sensitive data."""

    def build(*, queryset, definition, **_options):
        return tables.households(
            membership=request.membership, definition=definition, queryset=queryset
        )

    return _family_export(request, build, name="households")


@require(Capability.VIEW_HOUSEHOLDS)
def persons(request):
    """The members of the households of the family list as filtered in the URL."""
    return _family_export(
        request, lambda *, queryset, **_o: tables.persons(queryset=queryset), name="persons"
    )


@require(Capability.VIEW_HOUSEHOLDS)
def touchpoints(request):
    """The touchpoints of a period (the last twelve months by default) of the filtered list."""

    def build(*, queryset, start, end, **_options):
        return tables.touchpoints(
            membership=request.membership, queryset=queryset, start=start, end=end
        )

    return _family_export(request, build, name="touchpoints", form_class=PeriodForm)


def _period(request):
    period = PeriodForm(request.GET, activities=True)
    return period, (period.cleaned_data if period.is_valid() else None)


@require(Capability.VIEW_HOUSEHOLDS)
def attendance(request):
    """Each household's marks on the sessions of a period, for one activity or all."""
    period, data = _period(request)
    if data is None:
        return _page(request, status=400, errors=_errors(period))
    table = tables.attendance(
        membership=request.membership,
        start=data["start"],
        end=data["end"],
        activity=data["activity"],
    )
    return _download(request, table, name="attendance", fmt=period.chosen_format())


@require(Capability.VIEW_AGGREGATES)
def attendance_summary(request):
    """Attendance per activity and month, small counts hidden: the board's attendance file."""
    period, data = _period(request)
    if data is None:
        # The board has no exports page: the errors go back as a short page of their own.
        return render(request, "exports/errors.html", {"errors": _errors(period)}, status=400)
    table = tables.attendance_summary(
        start=data["start"], end=data["end"], activity=data["activity"]
    )
    return _download(request, table, name="attendance-summary", fmt=period.chosen_format())


def _event_log(request, *, fmt: str):
    """The journey of the family list as filtered in the URL, as an event log: cases are
    households by number, events their touchpoints (parcours.exports.eventlog)."""
    family_form, queryset, definition = filtered(request)
    if errors := _errors(family_form):
        return _page(request, status=400, errors=errors)
    audit_export(
        request,
        object_type="exports.event_log",
        fields=[fmt, "household_number", "touchpoint_kind", "day", "stage", "activity"],
    )
    log = JourneyLog(membership=request.membership, definition=definition, households=queryset)
    association = request.association
    if fmt == "xes":
        lines, content_type = xes.xes_lines(log, name=association.name), xes.CONTENT_TYPE
        extension = "xes"
    else:
        lines, content_type = ocel.ocel_lines(log), ocel.CONTENT_TYPE
        extension = "jsonocel"
    resp = StreamingHttpResponse(
        scoped(lines, association_id=association.pk), content_type=content_type
    )
    filename = f"{association.slug}-journey-{timezone.localdate().isoformat()}.{extension}"
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@require(Capability.VIEW_HOUSEHOLDS)
def event_log_xes(request):
    """XES (IEEE 1849) for ProM, PM4Py, Disco or Celonis. Not for the board: no case of one
    household goes to a role that sees aggregate counts only."""
    return _event_log(request, fmt="xes")


@require(Capability.VIEW_HOUSEHOLDS)
def event_log_ocel(request):
    """OCEL 2.0 JSON: households, persons, activities and sessions as objects."""
    return _event_log(request, fmt="ocel")
