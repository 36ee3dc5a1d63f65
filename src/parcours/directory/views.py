from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcours.accounts import visibility
from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability, role_can
from parcours.core import inputs
from parcours.core.forms import posted
from parcours.directory import merge, selectors, services
from parcours.directory.forms import ArchiveForm, MergeForm
from parcours.households import services as household_services
from parcours.households.forms import PersonEditForm
from parcours.households.models import ArchiveReason, Household, Person
from parcours.outreach.shared import apply_errors


def _household(request, pk: int, *, archived: bool = False) -> Household:
    qs = Household.objects.all() if archived else Household.objects.active()
    try:
        return qs.get(pk=pk)
    except Household.DoesNotExist as exc:  # another association's: "not found" too
        raise Http404 from exc


def _id(value) -> int | None:
    """A household id from the query string; anything else is no id."""
    text = (value or "").strip()
    if text.isdigit() and int(text) <= inputs.INT_MAX:
        return int(text)
    return None


@require(Capability.VIEW_HOUSEHOLDS)
def picker(request):
    """The answers of a household picker: radio buttons for the households matching the
    search, the one already chosen first (htmx fragment)."""
    field, box = request.GET.get("field", "household"), request.GET.get("box", "")
    if not (field + box).replace("_", "").replace("-", "").isalnum():
        raise Http404
    query = request.GET.get(f"{field}_search", "")
    exclude, chosen = _id(request.GET.get("exclude")), _id(request.GET.get(field))
    options, more = selectors.picker_search(
        membership=request.membership, query=query, exclude=exclude
    )
    if chosen:
        visible = visibility.households(request.membership).filter(pk=chosen).exclude(pk=exclude)
        kept = selectors.picker_options(visible)
        options = kept + [o for o in options if o.pk != chosen]
    context = {"name": field, "box": box, "options": options, "more": more, "chosen": chosen,
               "query": query, "short": len(query.strip()) < 2}  # fmt: skip
    return render(request, "directory/_picker_results.html", context)


@require(Capability.EDIT_HOUSEHOLDS)
def person_edit(request, pk: int, person_pk: int):
    household = _household(request, pk)
    person = _person(household, person_pk)
    form = PersonEditForm(posted(request), instance=person)
    if request.method == "POST" and form.is_valid():
        fresh = _person(household, person_pk)
        try:
            household_services.person_update(
                actor=request.user, person=fresh, **{n: form.cleaned_data[n] for n in form.fields}
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect("households:detail", pk=pk)
    context = {"form": form, "household": household, "person": person}
    return render(request, "directory/person_form.html", context)


def _person(household: Household, person_pk: int) -> Person:
    try:
        return Person.objects.select_related("household").get(pk=person_pk, household=household)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


@require(Capability.EDIT_HOUSEHOLDS)
def person_remove(request, pk: int, person_pk: int):
    household = _household(request, pk)
    person = _person(household, person_pk)
    refusal = None
    if request.method == "POST":
        try:
            household_services.person_remove(actor=request.user, person=person)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s was removed from the household.") % {
                "name": str(person)})  # fmt: skip
            return redirect("households:detail", pk=pk)
    records = household_services.person_records(person)
    context = {"household": household, "person": person, "records": records, "refusal": refusal}
    return render(request, "directory/person_remove.html", context)


@require(Capability.MERGE_HOUSEHOLDS)
def household_merge(request, pk: int):
    """Choose the duplicate, see both side by side with what cannot move, then confirm."""
    household = _household(request, pk)
    form = MergeForm(posted(request) or (request.GET or None), household=household)
    duplicate, problems = None, []
    if form.is_bound and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        problems = merge.merge_problems(kept=household, merged=duplicate)
        if request.method == "POST" and form.cleaned_data["confirm"] and not problems:
            try:
                merge.household_merge(actor=request.user, kept=household, merged=duplicate)
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(request, _("« %(merged)s » was merged into this household.")
                                 % {"merged": duplicate.name})  # fmt: skip
                return redirect("households:detail", pk=pk)
    sides = selectors.picker_options(Household.objects.filter(pk__in=[pk, *(
        [duplicate.pk] if duplicate else [])]))  # fmt: skip
    context = {"form": form, "household": household, "duplicate": duplicate,
               "problems": problems, "sides": sides}  # fmt: skip
    return render(request, "directory/merge.html", context)


@require(Capability.MERGE_HOUSEHOLDS)
def household_archive(request, pk: int):
    household = _household(request, pk)
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.household_archive(
                actor=request.user, household=household, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("« %(name)s » was archived.") % {"name": household.name})
            return redirect("directory:archived")
    return render(request, "directory/archive.html", {"form": form, "household": household})


@require(Capability.MERGE_HOUSEHOLDS)
def archived(request):
    """Households archived by the team, to restore one (the retention archive is read by
    administrators only, from the data-protection pages)."""
    rows = Household.objects.filter(archived_reason=ArchiveReason.BY_HAND).exclude(archived_at=None)
    rows = rows.order_by("-archived_at", "name")[:200]
    return render(request, "directory/archived.html", {"households": rows})


@require(Capability.MERGE_HOUSEHOLDS)
def household_restore(request, pk: int):
    household = _household(request, pk, archived=True)
    by_retention = household.archived_at and household.archived_reason != ArchiveReason.BY_HAND
    if by_retention and not role_can(request.membership.role, Capability.MANAGE_DATA_PROTECTION):
        raise Http404  # the retention archive: administrators only
    if request.method == "POST":
        try:
            services.household_restore(actor=request.user, household=household)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("directory:archived")
        messages.success(request, _("« %(name)s » is back in the active households.") % {
            "name": household.name})  # fmt: skip
        return redirect("households:detail", pk=pk)
    return render(request, "directory/restore.html", {"household": household})
