"""An event log imported in the browser (customer-vocabulary associations): the log and its
TOML mapping uploaded together, checked (every error by line, field and reason, nothing
written), then imported all or nothing through the spreadsheet import's commit
(docs/event-logs.md). Small logs only: the page waits for the import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.consent.forms import LawfulBasisFields
from parcours.core.forms import posted
from parcours.imports import services
from parcours.imports.logplan import MappingRefused, build_log_plan, read_mapping
from parcours.imports.logreading import read_log

MAX_BYTES = 10 * 1024 * 1024  # the browser waits for the import: bigger logs by the command
MAX_EVENTS = 50_000


class EventLogForm(LawfulBasisFields):
    log = forms.FileField(
        label=gettext_lazy("Event log (.xes or .csv)"),
        help_text=gettext_lazy("XES, or CSV with the columns case, activity and timestamp."),
    )
    mapping = forms.FileField(
        label=gettext_lazy("Mapping file (.toml)"),
        help_text=gettext_lazy("Which touchpoint kind each activity of the log is."),
    )
    check_only = forms.BooleanField(label=gettext_lazy("Check only, write nothing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["log"].widget.attrs["accept"] = ".xes,.csv,.txt"
        self.fields["mapping"].widget.attrs["accept"] = ".toml,.txt"
        self.order_fields(["log", "mapping", "check_only"])

    def clean_log(self):
        upload = self.cleaned_data["log"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Event log: more than %(mb)s MB; import it with the command parcours import-log.")
                % {"mb": MAX_BYTES // 1048576}
            )
        return upload


def _save(upload, path: Path) -> Path:
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _read(data):
    """The plan of the uploaded log, read from temporary files (gone once read)."""
    with tempfile.TemporaryDirectory() as tmp:
        log_path = _save(data["log"], Path(tmp) / "log")
        mapping = read_mapping(_save(data["mapping"], Path(tmp) / "mapping.toml"))
        return build_log_plan(read_log(log_path), mapping, max_rows=MAX_EVENTS)


@require(Capability.IMPORT_HOUSEHOLDS)
def event_log(request):
    association = request.association
    form = EventLogForm(
        posted(request), request.FILES if request.method == "POST" else None,
        association=association,
    )  # fmt: skip
    customer = association.vocabulary == "customer"
    context = {"form": form, "customer": customer}
    if request.method != "POST" or not customer or not form.is_valid():
        return render(request, "imports/event_log.html", context)
    data = form.cleaned_data
    try:
        log = _read(data)
    except MappingRefused as exc:
        context["refused"] = str(exc)
        return render(request, "imports/event_log.html", context, status=400)
    plan = log.plan
    context.update(log=log, counts=plan.counts())
    if not plan.ok:
        context.update(problems=plan.problems, refused=services.refusal_text(plan))
        return render(request, "imports/event_log.html", context, status=400)
    matches = services.duplicates(plan, association=association)
    if matches:
        names = ", ".join(plan.households[k].name for k in list(matches)[:10])
        context["refused"] = _(
            "%(n)s cases are already recorded as households (%(names)s): nothing was written."
        ) % {"n": len(matches), "names": names}
        return render(request, "imports/event_log.html", context, status=400)
    if data["check_only"]:
        context["checked"] = True
        return render(request, "imports/event_log.html", context)
    report = services.import_commit(
        actor=request.user, association=association, plan=plan, decisions={},
        lawful_basis=data["lawful_basis"],
    )  # fmt: skip
    from parcours.imports.tasks import tasks_for

    tasks_for(association=association, household_ids=report.touched_ids)
    context.update(report=report, form=EventLogForm(association=association))
    return render(request, "imports/event_log.html", context)
