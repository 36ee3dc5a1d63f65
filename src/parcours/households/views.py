from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from parcours.accounts import visibility
from parcours.accounts.permissions import member_required, require
from parcours.accounts.roles import Capability, role_can
from parcours.community.selectors import household_community
from parcours.compliance.selectors import archive_read_granted
from parcours.core.forms import posted
from parcours.directory.selectors import merged_into
from parcours.households import selectors, services
from parcours.households.duplicates import DuplicateHousehold
from parcours.households.forms import HouseholdForm, NewHouseholdForm, PersonForm, TouchpointForm
from parcours.households.models import Household
from parcours.journey import selectors as journey_selectors
from parcours.outreach.shared import apply_errors

TIMELINE_PAGE_SIZE = 20
MAX_TIMELINE_PAGES = 500  # "show more" up to 10,000 entries


def _sensitive(request) -> bool:
    return visibility.sees_support(request.membership)


def _get_household(pk: int) -> Household:
    try:
        return selectors.household_detail(pk=pk)
    except Household.DoesNotExist as exc:  # another association's household looks the same
        raise Http404 from exc


def _visible_household(request, pk: int) -> Household:
    """A household the member may open (a peer family: its own), else 403 as for the route."""
    household = _get_household(pk)
    if not visibility.can_open_household(request.membership, household):
        raise PermissionDenied
    return household


def _timeline_filter(request, groups: list[tuple[str, str]]) -> tuple[set[str], int]:
    """The groups ticked in the URL (all of them when the URL names none) and the page."""
    allowed = {key for key, _label in groups}
    chosen = set(request.GET.getlist("show")) & allowed
    if not chosen and "filtered" not in request.GET:
        chosen = allowed
    try:
        page = min(max(int(request.GET.get("page", 1)), 1), MAX_TIMELINE_PAGES)
    except ValueError:
        page = 1
    return chosen, page


def _archived_household(request, pk: int) -> Household:
    """An archived household, for an administrator only (anyone else: not found)."""
    if not role_can(request.membership.role, Capability.MANAGE_DATA_PROTECTION):
        raise Http404
    try:
        return selectors.household_detail(pk=pk, include_archived=True)
    except Household.DoesNotExist as exc:
        raise Http404 from exc


@member_required
def household_detail(request, pk: int):
    """The roles that see households; a peer family its own household (accounts.visibility);
    an archived household for an administrator who gave a reason."""
    try:
        household = selectors.household_detail(pk=pk)
    except Household.DoesNotExist:
        kept = merged_into(pk)
        if kept is not None:  # an old link to a duplicate that was merged
            return redirect("households:detail", pk=kept)
        household = _archived_household(request, pk)
        # The archive is read only after giving a reason (kept with who and when).
        if not archive_read_granted(request, pk):
            return redirect("compliance:archive_read", archived_pk=pk)
    else:
        if not visibility.can_open_household(request.membership, household):
            raise PermissionDenied
    sensitive = _sensitive(request)
    role = request.membership.role
    membership = request.membership
    journey = journey_selectors.household_journey(household=household, membership=membership)
    groups = selectors.timeline_groups(membership=membership)
    chosen, page = _timeline_filter(request, groups)
    entries, more = selectors.household_timeline(
        household=household,
        membership=membership,
        groups=chosen,
        spans=journey.spans,
        limit=page * TIMELINE_PAGE_SIZE,
    )
    query = urlencode([("filtered", "1"), *(("show", key) for key, _l in groups if key in chosen)])
    context = {
        "household": household,
        "show_sensitive": sensitive,
        "entries": entries,
        "more": more,
        "next_page": page + 1,
        "groups": groups,
        "chosen": chosen,
        "query": query,
    }
    if request.htmx and request.htmx.target == "timeline":
        return render(request, "households/_timeline.html", context)
    community = household_community(household=household)
    context |= {
        # The journey panel without its own list of stages: they are in the timeline below.
        "journey": replace(journey, spans=[]),
        "can_place": role_can(role, Capability.EDIT_HOUSEHOLDS) and not household.archived_at,
        "sponsorship": community["sponsorship"],
        # The community panel's own context, read once for the header and the panel.
        "community": {
            "allowed": True,
            "household": household,
            "manage": role_can(role, Capability.EDIT_HOUSEHOLDS),
            "record": role_can(role, Capability.RECORD_TOUCHPOINTS),
            **community,
        },
    }
    return render(request, "households/detail.html", context)


@require(Capability.EDIT_HOUSEHOLDS)
def household_create(request):
    """A new household, with its lawful basis; a likely duplicate is shown before creating."""
    if request.method == "POST" and request.POST.get("household"):  # "It is this family"
        return redirect("households:detail", pk=_get_household(request.POST["household"]).pk)
    form = NewHouseholdForm(posted(request), association=request.association)
    matches = []
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=request.user, association=request.association,
                allow_duplicate=request.POST.get("allow_duplicate") == "1", **form.cleaned_data,
            )  # fmt: skip
        except DuplicateHousehold as dup:
            matches = dup.matches
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/form.html", {"form": form, "matches": matches})


@require(Capability.EDIT_HOUSEHOLDS)
def household_edit(request, pk: int):
    household = _get_household(pk)
    form = HouseholdForm(posted(request), instance=household)
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
    form = PersonForm(posted(request), association=request.association)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_add(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect("households:detail", pk=pk)
    return render(request, "households/person_form.html", {"form": form, "household": household})


@require(Capability.RECORD_TOUCHPOINTS)
def touchpoint_add(request, pk: int):
    household = _get_household(pk)
    form = TouchpointForm(
        posted(request),
        initial={"day": timezone.localdate()},
        role=request.membership.role,
        show_sensitive=_sensitive(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.touchpoint_record(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:  # the service has the last word (owned kinds)
            apply_errors(exc, form)
        else:
            return redirect("households:detail", pk=pk)
    return render(
        request, "households/touchpoint_form.html", {"form": form, "household": household}
    )
