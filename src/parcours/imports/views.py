"""The import in the browser: upload, columns, check (preview, dry run, duplicates), report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.background.services import job_start
from parcours.core.forms import posted
from parcours.households.models import TouchpointKind
from parcours.imports import flow, services
from parcours.imports.fields import FIELDS
from parcours.imports.forms import DecisionForm, MappingForm, UploadForm
from parcours.imports.models import ImportFile
from parcours.imports.plan import check_mapping
from parcours.imports.reading import FileRefused, Layout
from parcours.imports.tasks import COMMIT_KIND, background_rows, import_commit
from parcours.journey.models import HouseholdJourney


def _import_or_404(pk: int) -> ImportFile:
    try:  # scoped: another association's file is simply not found
        return ImportFile.objects.select_related("association").get(pk=pk)
    except ImportFile.DoesNotExist as exc:
        raise Http404 from exc


@require(Capability.IMPORT_HOUSEHOLDS)
def start(request):
    form = UploadForm(
        posted(request), request.FILES if request.method == "POST" else None,
        association=request.association,
    )  # fmt: skip
    refused = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = flow.import_file_create(
                actor=request.user, association=request.association, upload=data["file"],
                region=data["region"], lawful_basis=data["lawful_basis"],
            )  # fmt: skip
        except FileRefused as exc:
            refused = str(exc)
        else:
            return redirect("imports:columns", import_pk=row.pk)
    recent = ImportFile.objects.filter(association=request.association)[:10]
    return render(
        request, "imports/start.html", {"form": form, "refused": refused, "recent": recent}
    )


@require(Capability.IMPORT_HOUSEHOLDS)
def columns(request, import_pk: int):
    row = _import_or_404(import_pk)
    if row.state == ImportFile.State.DONE:
        return redirect("imports:report", import_pk=row.pk)
    layout = Layout(**row.layout)
    form = MappingForm(posted(request), headers=layout.headers, mapping=row.mapping)
    problems = []
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        problems = check_mapping(layout.headers, mapping)
        if not problems:
            flow.import_file_map(actor=request.user, import_file=row, mapping=mapping)
            return redirect("imports:check", import_pk=row.pk)
    return render(
        request, "imports/columns.html",
        {"row": row, "layout": layout, "form": form, "problems": problems},
    )  # fmt: skip


@require(Capability.IMPORT_HOUSEHOLDS)
def check(request, import_pk: int):
    """Preview and dry run; with no error, the duplicates to decide and the import button."""
    row = _import_or_404(import_pk)
    if row.state == ImportFile.State.DONE:
        return redirect("imports:report", import_pk=row.pk)
    try:
        layout, plan = flow.read(row)
    except FileRefused as exc:
        return render(request, "imports/check.html", {"row": row, "refused": str(exc)})
    matches = services.duplicates(plan, association=row.association) if plan.ok else {}
    proposals = [(k, plan.households[k].name, found) for k, found in matches.items()]
    form = DecisionForm(posted(request), proposals=proposals)
    failure = ""
    if request.method == "POST" and plan.ok and form.is_valid() and plan.rows >= background_rows():
        job = job_start(
            actor=request.user, association=row.association, kind=COMMIT_KIND.key,
            task=import_commit, kwargs={"import_id": row.pk, "decisions": form.decisions()},
        )  # fmt: skip
        return redirect("background:job", job_pk=job.pk)
    if request.method == "POST" and plan.ok and form.is_valid():
        try:
            flow.import_file_commit(
                actor=request.user, import_file=row, plan=plan, decisions=form.decisions()
            )
        except (services.DecisionsMissing, ValidationError, ValueError) as exc:
            failure = "; ".join(getattr(exc, "messages", [])) or _("The import failed.")
        else:
            messages.success(request, _("Import done."))
            return redirect("imports:report", import_pk=row.pk)
    columns = [
        (header, FIELDS.get(target, "")) for header, target in zip(plan.headers, plan.mapping,
                                                                   strict=False)
    ]  # fmt: skip
    return render(
        request, "imports/check.html",
        {"row": row, "layout": layout, "plan": plan, "counts": plan.counts(), "form": form,
         "columns": columns, "failure": failure},
    )  # fmt: skip


@require(Capability.IMPORT_HOUSEHOLDS)
def report(request, import_pk: int):
    row = _import_or_404(import_pk)
    if row.state != ImportFile.State.DONE:
        return render(request, "imports/report.html", {"row": row, "pending": True})
    from parcours.accounts import visibility

    ids = row.report.get("created_ids", [])
    households = visibility.households(request.membership).filter(pk__in=ids).order_by("name")
    stage_of = dict(
        visibility.journeys(request.membership, HouseholdJourney.objects.filter(
            household_id__in=ids)).values_list("household_id", "stage")
    )  # fmt: skip
    from parcours.journey.definitions import definition_for
    from parcours.journey.reasons import current_language

    definition, lang = definition_for(row.association), current_language()
    created = [
        (h, definition.stage_label(stage_of[h.pk], lang) if stage_of.get(h.pk) else "")
        for h in households[:500]
    ]
    labels = dict(TouchpointKind.choices)
    touchpoints = [(labels.get(k, k), n) for k, n in row.report.get("touchpoints", {}).items()]
    return render(
        request, "imports/report.html",
        {"row": row, "report": row.report, "created": created, "touchpoints": touchpoints},
    )  # fmt: skip
