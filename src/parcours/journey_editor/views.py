from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability, role_can
from parcours.background.kinds import get as job_kind
from parcours.background.models import BackgroundJob
from parcours.core.forms import posted
from parcours.journey.definitions import definition_for
from parcours.journey.reasons import current_language
from parcours.journey_editor import rules as journey_rules
from parcours.journey_editor import services
from parcours.journey_editor.forms import RestoreForm, RulesForm, parameter_label, rule_title
from parcours.journey_editor.models import JourneyVersion
from parcours.journey_editor.tasks import KIND


def _running_job(association):
    job = BackgroundJob.objects.filter(association=association, kind=KIND.key).first()
    return job if job is not None and not job.finished else None


@require(Capability.EDIT_JOURNEY)
def edit(request):
    """The thresholds and windows of the association's journey: edit, preview, save."""
    m = request.membership
    association = m.association
    rules = services.current_rules(association)
    definition = definition_for(association)
    form = RulesForm(posted(request), association=association, rules=rules, definition=definition)
    preview = None
    if request.method == "POST":
        edited = form.edited_rules()
        if edited is not None and edited == rules:
            form.add_error(None, _("No value changed: there is nothing to preview or save."))
        elif edited is not None:
            fingerprint = journey_rules.fingerprint(edited)
            saving = request.POST.get("action") == "save"
            if saving and request.POST.get("previewed") == fingerprint:
                try:
                    version, _job = services.journey_version_save(
                        actor=request.user,
                        association=association,
                        rules=edited,
                        why=form.cleaned_data["why"],
                    )
                except ValidationError as exc:
                    for error in exc.message_dict.get("why", []):
                        form.add_error("why", error)
                else:
                    messages.success(
                        request,
                        _("Version %(number)s is saved. The journeys are being recomputed.")
                        % {"number": version.number},
                    )
                    return redirect("journey_editor:version", version_pk=version.pk)
            elif saving:
                messages.info(
                    request,
                    _("The values changed since the preview: read this preview, then save."),
                )
            preview = services.journey_preview(membership=m, rules=edited)
    lang = current_language()
    return render(
        request,
        "journey_editor/edit.html",
        {
            "form": form,
            "preview": preview,
            "definition": definition,
            "lang": lang,
            "current": services.current_version(association),
            "job": _running_job(association),
            "job_kind": KIND,
        },
    )


@require(Capability.EDIT_JOURNEY)
def versions(request):
    rows = JourneyVersion.objects.select_related("actor", "restored_from").order_by("-number")
    return render(request, "journey_editor/versions.html", {"versions": rows})


def _values(version: JourneyVersion, definition) -> list[dict]:
    return [
        {
            "path": p.path,
            "rule": rule_title(p, definition),
            "label": parameter_label(p),
            "value": p.value,
        }
        for p in journey_rules.parameters(version.rules)
    ]


@require(Capability.EDIT_JOURNEY)
def version(request, version_pk: int):
    """One version: its values (and those it changed from the previous one), who, when, why,
    its recomputation's progress, and for an administrator the way back to it."""
    found = get_object_or_404(
        JourneyVersion.objects.select_related("actor", "restored_from", "recompute_job"),
        pk=version_pk,
    )
    definition = definition_for(request.membership.association)
    previous = JourneyVersion.objects.filter(number__lt=found.number).order_by("-number").first()
    before = {v["path"]: v["value"] for v in _values(previous, definition)} if previous else {}
    values = _values(found, definition)
    for v in values:
        v["before"] = before.get(v["path"], v["value"])
    current = services.current_version(request.membership.association)
    job = found.recompute_job
    return render(
        request,
        "journey_editor/version.html",
        {
            "version": found,
            "previous": previous,
            "values": values,
            "changed": [v for v in values if v["before"] != v["value"]],
            "is_current": current is not None and current.pk == found.pk,
            "may_restore": role_can(request.membership.role, Capability.RESTORE_JOURNEY),
            "restore_form": RestoreForm(),
            "job": job,
            "job_kind": job_kind(job.kind) if job else None,
        },
    )


@require(Capability.RESTORE_JOURNEY)
@require_POST
def restore(request, version_pk: int):
    """Roll back: a new version equal to this one, then the recomputation."""
    found = get_object_or_404(JourneyVersion.objects.select_related("association"), pk=version_pk)
    form = RestoreForm(posted(request))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("journey_editor:version", version_pk=found.pk)
    restored, _job = services.journey_version_restore(
        actor=request.user, version=found, why=form.cleaned_data["why"]
    )
    messages.success(
        request,
        _("Version %(number)s restores version %(old)s. The journeys are being recomputed.")
        % {"number": restored.number, "old": found.number},
    )
    return redirect("journey_editor:version", version_pk=restored.pk)
