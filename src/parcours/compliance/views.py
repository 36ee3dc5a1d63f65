from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.compliance import forms, selectors, services
from parcours.compliance.models import WARNING_DAYS, Processor
from parcours.compliance.register import register_for
from parcours.compliance.selectors import FAMILY_CONTACT_KINDS, NOT_FAMILY_CONTACT_KINDS
from parcours.households.models import Household, TouchpointKind


def _errors_into(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _kind_labels(kinds) -> list[str]:
    labels = dict(TouchpointKind.choices)
    return [str(labels[k]) for k in kinds]


@require(Capability.MANAGE_DATA_PROTECTION)
def retention_settings(request):
    association = request.membership.association
    policy = selectors.policy_for(association)
    form = forms.RetentionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.retention_policy_set(actor=request.user, association=association, **data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The retention periods are saved."))
            return redirect("compliance:retention")
    context = {
        "form": form,
        "policy": policy,
        "warning_days": WARNING_DAYS,
        "family_kinds": _kind_labels(FAMILY_CONTACT_KINDS),
        "other_kinds": _kind_labels(NOT_FAMILY_CONTACT_KINDS),
        "archived_count": selectors.archived_households(association=association).count(),
    }
    return render(request, "compliance/retention.html", context)


@require(Capability.MANAGE_TASKS)
def household_retention(request, pk: int):
    """A household's retention dates, and the form that keeps it active longer."""
    try:
        household = Household.objects.active().get(pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    tiers = selectors.household_tiers(household)
    form = forms.ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_extend(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The record stays active; the reason is kept."))
            return redirect("compliance:household", pk=pk)
    context = {
        "household": household,
        "tiers": tiers,
        "policy": selectors.policy_for(household.association),
        "form": form,
        "events": selectors.household_events(household).exclude(kind="archive_read")[:20],
        "today": timezone.localdate(),
    }
    return render(request, "compliance/household.html", context)


@require(Capability.MANAGE_DATA_PROTECTION)
def archive_list(request):
    """The archive by reference, neighbourhood and date: names are not listed. A family is
    found by its exact name or phone (a request from the family, a dispute)."""
    association = request.membership.association
    qs = selectors.archived_households(association=association)
    q = " ".join(request.GET.get("q", "").split())
    found = None
    if q:
        found = list(qs.filter(Q(name__iexact=q) | Q(phone=q))[:10])
    page = Paginator(qs.only("id", "neighbourhood", "archived_at"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "compliance/archive.html", {"page": page, "q": q, "found": found})


@require(Capability.MANAGE_DATA_PROTECTION)
def archive_read(request, archived_pk: int):
    """Before reading an archived household, an administrator says why (kept, with who and
    when); then the household page opens for a while in this session."""
    association = request.membership.association
    try:
        household = selectors.archived_households(association=association).get(pk=archived_pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    form = forms.ArchiveReadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_read_record(
                actor=request.user, household=household, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            services.archive_read_grant(request.session, household.pk)
            return redirect("households:detail", pk=household.pk)
    reads = selectors.household_events(household).filter(kind="archive_read")[:10]
    context = {"household": household, "form": form, "reads": reads}
    return render(request, "compliance/archive_read.html", context)


def _register_context(request) -> dict:
    association = request.membership.association
    return {
        "register": register_for(association),
        "today": timezone.localdate(),
        "association": association,
    }


@require(Capability.MANAGE_DATA_PROTECTION)
def register(request):
    """The register of processing activities, generated now from the settings and the code;
    administrators add or remove the association's processors here."""
    association = request.membership.association
    form = forms.ProcessorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.processor_add(actor=request.user, association=association, **form.cleaned_data)
        messages.success(request, _("The processor is added to the register."))
        return redirect("compliance:register")
    return render(request, "compliance/register.html", {**_register_context(request), "form": form})


@require(Capability.MANAGE_DATA_PROTECTION)
def register_pdf(request):
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    html = render_to_string("compliance/register_print.html", _register_context(request), request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    slug = request.membership.association.slug
    name = f"registre-{slug}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require(Capability.MANAGE_DATA_PROTECTION)
@require_POST
def processor_delete(request, processor_pk: int):
    try:
        processor = Processor.objects.get(pk=processor_pk)
    except Processor.DoesNotExist as exc:
        raise Http404 from exc
    services.processor_delete(actor=request.user, processor=processor)
    messages.success(request, _("The processor is removed from the register."))
    return redirect("compliance:register")
