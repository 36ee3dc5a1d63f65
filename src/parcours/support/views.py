"""Support cases: social workers, coordinators and administrators only (VIEW_SENSITIVE)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.audit.services import audit_read
from parcours.core.forms import posted
from parcours.outreach.shared import apply_errors, household_search, household_step
from parcours.support import selectors, services
from parcours.support.forms import CloseForm, FollowUpForm, OpenForm
from parcours.support.models import SupportCase

STATUSES = ("open", "closed", "all")


def _case_or_404(pk: int) -> SupportCase:
    try:
        return selectors.case_detail(pk=pk)
    except SupportCase.DoesNotExist as exc:
        raise Http404 from exc


@require(Capability.VIEW_SENSITIVE)
def case_list(request):
    status = request.GET.get("status", "open")
    status = status if status in STATUSES else "open"
    q = request.GET.get("q", "")
    page = Paginator(selectors.case_list(status=status, search=q), 25).get_page(
        request.GET.get("page")
    )
    # The list tells which families are in support: reading it is audited (no search terms).
    audit_read(request, object_type=SupportCase._meta.label_lower, fields=[f"status:{status}"])
    return render(
        request, "support/case_list.html",
        {"page": page, "status": status, "q": q, "today": timezone.localdate()},
    )  # fmt: skip


@require(Capability.VIEW_SENSITIVE)
def case_open(request):
    household, _new = household_step(request)  # support is opened for a known household
    form = OpenForm(posted(request), initial={"opened_on": timezone.localdate()})
    if request.method == "POST" and household is None:
        form.is_valid()
        form.add_error(None, _("Household: choose the family first."))
    elif request.method == "POST" and form.is_valid():
        try:
            case = services.support_case_open(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Support case opened."))
            return redirect("support:detail", case_pk=case.pk)
    q = request.GET.get("q", "")
    return render(
        request, "support/case_open.html",
        {"form": form, "household": household, "q": q,
         "results": (
             household_search(q, membership=request.membership) if household is None else []
         )},
    )  # fmt: skip


@require(Capability.VIEW_SENSITIVE)
def case_detail(request, case_pk: int):
    case = _case_or_404(case_pk)
    today = timezone.localdate()
    followup_form = FollowUpForm(initial={"day": today})
    close_form = CloseForm(initial={"closed_on": today})
    audit_read(request, obj=case)
    return render(
        request, "support/case_detail.html",
        {"case": case, "followups": selectors.case_followups(case=case),
         "followup_form": followup_form, "close_form": close_form},
    )  # fmt: skip


@require(Capability.VIEW_SENSITIVE)
def followup_add(request, case_pk: int):
    case = _case_or_404(case_pk)
    form = FollowUpForm(posted(request), initial={"day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.support_followup_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("support:detail", case_pk=case.pk)
    return render(
        request, "support/case_form.html",
        {"case": case, "form": form, "title": _("Add a follow-up")},
    )  # fmt: skip


@require(Capability.VIEW_SENSITIVE)
def case_close(request, case_pk: int):
    case = _case_or_404(case_pk)
    form = CloseForm(posted(request), initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.support_case_close(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Support case closed."))
            return redirect("support:detail", case_pk=case.pk)
    return render(
        request, "support/case_form.html",
        {"case": case, "form": form, "title": _("Close the support case")},
    )  # fmt: skip
