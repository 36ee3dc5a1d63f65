"""Downloads of the association's data as CSV or XLSX, each one audited.

The household, person and touchpoint files follow the family list's filters (the same URL
parameters, parcours.familylist); attendance follows a period and an activity. Bad parameters
answer 400 with the exports page naming them, never a file of something else.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from parcours.accounts import visibility
from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.audit.services import audit_export
from parcours.exports import tables
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


def _download(request, table: Table, *, name: str, fmt: str, parts: list[str]):
    """Audit the export (what was exported, not the values), then send the file."""
    audit_export(request, object_type=f"exports.{name}", fields=[fmt, *parts])
    association = request.association
    rows = scoped(table.rows, association_id=association.pk)
    filename = f"{association.slug}-{name}-{timezone.localdate().isoformat()}"
    return response(Table(table.title, table.columns, rows), fmt=fmt, filename=filename)


def _sensitive_parts(request, *parts: str) -> list[str]:
    return list(parts) if visibility.sees_support(request.membership) else []


@require(Capability.VIEW_HOUSEHOLDS)
def index(request):
    return _page(request)


@require(Capability.VIEW_HOUSEHOLDS)
def households(request):
    """The family list as filtered in the URL (same parameters as the list page)."""
    family_form, queryset, definition = filtered(request)
    fmt_form = FormatForm(request.GET)
    if errors := _errors(family_form, fmt_form):
        return _page(request, status=400, errors=errors)
    table = tables.households(
        membership=request.membership, definition=definition, queryset=queryset
    )
    parts = [
        "name",
        "neighbourhood",
        "address",
        "phone",
        "stage",
        "statuses",
        "sponsor",
        "last_contact",
        *_sensitive_parts(request, "needs"),
    ]
    return _download(request, table, name="households", fmt=fmt_form.chosen_format(), parts=parts)


@require(Capability.VIEW_HOUSEHOLDS)
def persons(request):
    """The members of the households of the family list as filtered in the URL."""
    family_form, queryset, _definition = filtered(request)
    fmt_form = FormatForm(request.GET)
    if errors := _errors(family_form, fmt_form):
        return _page(request, status=400, errors=errors)
    parts = ["household", "first_name", "last_name", "birth_year", "relation", "is_contact"]
    table = tables.persons(queryset=queryset)
    return _download(request, table, name="persons", fmt=fmt_form.chosen_format(), parts=parts)


@require(Capability.VIEW_HOUSEHOLDS)
def touchpoints(request):
    """The touchpoints of a period (the last twelve months by default) of the filtered list."""
    family_form, queryset, _definition = filtered(request)
    period = PeriodForm(request.GET)
    if errors := _errors(family_form, period):
        return _page(request, status=400, errors=errors)
    data = period.cleaned_data
    table = tables.touchpoints(
        membership=request.membership, queryset=queryset, start=data["start"], end=data["end"]
    )
    parts = ["day", "household", "kind", "activity", "actor", *_sensitive_parts(request, "note")]
    return _download(request, table, name="touchpoints", fmt=period.chosen_format(), parts=parts)


@require(Capability.VIEW_HOUSEHOLDS)
def attendance(request):
    """Each household's marks on the sessions of a period, for one activity or all."""
    period = PeriodForm(request.GET, activities=True)
    if errors := _errors(period):
        return _page(request, status=400, errors=errors)
    data = period.cleaned_data
    table = tables.attendance(
        membership=request.membership,
        start=data["start"],
        end=data["end"],
        activity=data["activity"],
    )
    parts = ["activity", "session_day", "household", "mark"]
    return _download(request, table, name="attendance", fmt=period.chosen_format(), parts=parts)


@require(Capability.VIEW_AGGREGATES)
def attendance_summary(request):
    """Attendance per activity and month, small counts hidden: the board's attendance file."""
    period = PeriodForm(request.GET, activities=True)
    if not period.is_valid():
        # The board has no exports page: the errors go back as a short page of their own.
        return render(request, "exports/errors.html", {"errors": _errors(period)}, status=400)
    data = period.cleaned_data
    table = tables.attendance_summary(
        start=data["start"], end=data["end"], activity=data["activity"]
    )
    parts = ["activity", "month", "sessions", "households_present", "presences"]
    return _download(
        request, table, name="attendance-summary", fmt=period.chosen_format(), parts=parts
    )
