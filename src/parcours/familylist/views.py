"""The family list page (``households:list``): filters, sort and paging kept in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.familylist import selectors
from parcours.familylist.forms import PARAMS, FamilyFilterForm
from parcours.households.models import Household
from parcours.journey.definitions import definition_for
from parcours.journey.reasons import current_language

PAGE_SIZE = 25
RESULTS = "household-results"


@dataclass
class FamilyRow:
    household: Household
    stage: str
    statuses: list[str]
    sponsor: str
    last_contact: date | None


def filtered(request) -> tuple[FamilyFilterForm, object, object]:
    """The list's form, its households (a queryset, filtered and sorted) and the definition."""
    definition = definition_for(request.association)
    form = FamilyFilterForm(request.GET, membership=request.membership, definition=definition)
    households = selectors.families(
        membership=request.membership, stage_keys=definition.stage_keys, filters=form.filters()
    )
    return form, households, definition


def rows(*, membership, definition, households: list[Household]) -> list[FamilyRow]:
    """What the list shows of these households (two queries for all of them)."""
    lang = current_language()
    extras = selectors.row_extras(membership=membership, household_ids=[h.pk for h in households])
    return [
        FamilyRow(
            household=h,
            stage=definition.stage_label(h.stage_key, lang) if h.stage_key else "",
            statuses=[definition.status_label(k, lang) for k in extras[h.pk].statuses],
            sponsor=extras[h.pk].sponsor,
            last_contact=h.last_contact,
        )
        for h in households
    ]


def _short_url(form: FamilyFilterForm, page: str) -> str:
    query = form.query(page=page if page not in ("", "1") else "")
    return reverse("households:list") + (f"?{query}" if query else "")


@require(Capability.VIEW_HOUSEHOLDS)
def household_list(request):
    form, households, definition = filtered(request)
    page_number = request.GET.get("page", "")
    # With a filter not understood, the URL stays as sent, so its message stays on the page.
    short = _short_url(form, page_number) if form.is_valid() else None
    # A form sent without JavaScript brings its empty fields: the browser goes on to the short
    # URL, the one to share (htmx gets it as the URL to show).
    empty = any(k in request.GET and not request.GET[k].strip() for k in PARAMS)
    if short and empty and not request.htmx:
        return redirect(short)
    page = Paginator(households, PAGE_SIZE).get_page(page_number)
    context = {
        "form": form,
        "page": page,
        "rows": rows(
            membership=request.membership, definition=definition, households=list(page.object_list)
        ),
        "query": form.query(),
    }
    if request.htmx and request.htmx.target == RESULTS:
        response = render(request, "familylist/_results.html", context)
        if short:
            response["HX-Push-Url"] = short
        return response
    return render(request, "familylist/list.html", context)
