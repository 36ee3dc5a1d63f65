from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability, role_can
from parcours.households import selectors, services
from parcours.households.forms import HouseholdForm, PersonForm, TouchpointForm
from parcours.households.models import Household

RECENT_TOUCHPOINTS = 20


def _sensitive(request) -> bool:
    return role_can(request.membership.role, Capability.VIEW_SENSITIVE)


def _get_household(pk: int) -> Household:
    try:
        return selectors.household_detail(pk=pk)
    except Household.DoesNotExist as exc:  # another association's household looks the same
        raise Http404 from exc


@require(Capability.VIEW_HOUSEHOLDS)
def household_list(request):
    search = request.GET.get("q", "")
    page = Paginator(selectors.household_list(search=search), 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": search}
    if request.htmx and request.htmx.target == "household-results":
        return render(request, "households/_results.html", context)
    return render(request, "households/list.html", context)


@require(Capability.VIEW_HOUSEHOLDS)
def household_detail(request, pk: int):
    household = _get_household(pk)
    touchpoints = selectors.household_touchpoints(
        household=household, sensitive=_sensitive(request)
    )
    show_all = request.GET.get("touchpoints") == "all"
    shown = list(touchpoints if show_all else touchpoints[: RECENT_TOUCHPOINTS + 1])
    return render(
        request,
        "households/detail.html",
        {
            "household": household,
            "touchpoints": shown[:RECENT_TOUCHPOINTS] if not show_all else shown,
            "more_touchpoints": not show_all and len(shown) > RECENT_TOUCHPOINTS,
            "show_sensitive": _sensitive(request),
        },
    )


@require(Capability.EDIT_HOUSEHOLDS)
def household_create(request):
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        household = services.household_create(
            actor=request.user, association=request.association, **form.cleaned_data
        )
        return redirect("households:detail", pk=household.pk)
    return render(request, "households/form.html", {"form": form})


@require(Capability.EDIT_HOUSEHOLDS)
def household_edit(request, pk: int):
    household = _get_household(pk)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        # The ModelForm filled the instance; read the values back for the service.
        data = {name: form.cleaned_data[name] for name in form.fields}
        fresh = _get_household(pk)
        services.household_update(actor=request.user, household=fresh, **data)
        return redirect("households:detail", pk=pk)
    return render(request, "households/form.html", {"form": form, "household": household})


@require(Capability.EDIT_HOUSEHOLDS)
def person_add(request, pk: int):
    household = _get_household(pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_add(actor=request.user, household=household, **form.cleaned_data)
        return redirect("households:detail", pk=pk)
    return render(request, "households/person_form.html", {"form": form, "household": household})


@require(Capability.RECORD_TOUCHPOINTS)
def touchpoint_add(request, pk: int):
    household = _get_household(pk)
    form = TouchpointForm(
        request.POST or None,
        initial={"day": timezone.localdate()},
        show_sensitive=_sensitive(request),
    )
    if request.method == "POST" and form.is_valid():
        services.touchpoint_record(actor=request.user, household=household, **form.cleaned_data)
        return redirect("households:detail", pk=pk)
    return render(
        request, "households/touchpoint_form.html", {"form": form, "household": household}
    )
