from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.consent import selectors, services
from parcours.consent.forms import ConsentGiveForm, ConsentWithdrawForm, PolicyForm
from parcours.consent.models import ConsentPolicy
from parcours.core.forms import posted
from parcours.households.models import Household
from parcours.outreach.shared import apply_errors

MISSING_SHOWN = 50


def _household(pk: int) -> Household:
    try:
        return Household.objects.active().get(pk=pk)  # the archive: parcours.compliance
    except Household.DoesNotExist as exc:  # another association's household looks the same
        raise Http404 from exc


@require(Capability.EDIT_HOUSEHOLDS)
def household_consent(request, pk: int):
    """The household's consent: current state per purpose, history, and consent given now."""
    household = _household(pk)
    form = ConsentGiveForm(posted(request), household=household)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_give(
                actor=request.user, household=household, purposes=data["purposes"],
                day=data["consent_day"], person=data["person"],
                collected_by_name=data["collected_by_name"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("consent:household", pk=household.pk)
    summary = selectors.consent_summary(household, history=True)
    return render(
        request, "consent/household.html",
        {"household": household, "summary": summary, "form": form},
    )  # fmt: skip


@require(Capability.EDIT_HOUSEHOLDS)
def withdraw(request, pk: int):
    household = _household(pk)
    form = ConsentWithdrawForm(posted(request), household=household)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_withdraw(
                actor=request.user, household=household,
                purposes=None if data["everything"] else data["purposes"],
                day=data["day"], person=data["person"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Withdrawal recorded; its consequences are applied."))
            return redirect("households:detail", pk=household.pk)
    summary = selectors.consent_summary(household)
    return render(
        request, "consent/withdraw.html", {"household": household, "summary": summary, "form": form}
    )


@require(Capability.MANAGE_MEMBERS)
def policy(request):
    current = ConsentPolicy.objects.filter(association=request.association).first()
    initial = {
        "other_bases": current.other_bases if current else [],
        "justification": current.justification if current else "",
    }
    form = PolicyForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_set(
                actor=request.user, association=request.association, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Lawful bases saved."))
            return redirect("consent:policy")
    missing = selectors.households_without_basis()
    return render(
        request, "consent/policy.html",
        {"form": form, "missing": missing[:MISSING_SHOWN], "missing_count": missing.count()},
    )  # fmt: skip
