"""Data-protection requests of one family: the subject export and the erasure."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability, role_can
from parcours.compliance.selectors import archive_readable
from parcours.households.models import Household, Person
from parcours.privacy import selectors, services
from parcours.privacy.forms import ErasureConfirmForm, ErasureRequestForm


def _household(request, pk: int) -> Household:
    try:
        household = Household.objects.get(pk=pk)
    except Household.DoesNotExist as exc:  # another association's household looks the same
        raise Http404 from exc
    # An archived household: only an administrator who gave a reason (parcours.compliance).
    if not archive_readable(request, household):
        raise Http404
    return household


def _person(request, pk: int) -> Person:
    try:
        person = Person.objects.select_related("household").get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    if not archive_readable(request, person.household):
        raise Http404
    return person


@require(Capability.EXPORT_SUBJECT)
def household_rights(request, pk: int):
    household = _household(request, pk)
    erasures = selectors.erasures(household=household)
    return render(
        request,
        "privacy/household.html",
        {
            "household": household,
            "persons": Person.objects.filter(household=household).order_by("pk"),
            "erasures": erasures,
            "erased": any(e.subject == e.Subject.HOUSEHOLD for e in erasures),
            "can_erase": role_can(request.membership.role, Capability.ERASE_SUBJECT),
        },
    )


def _zip_response(request, household: Household, person: Person | None) -> HttpResponse:
    content = services.subject_export(
        actor=request.user, household=household, person=person,
        sensitive=role_can(request.membership.role, Capability.VIEW_SENSITIVE),
    )  # fmt: skip
    who = f"personne-{person.pk}" if person else f"foyer-{household.pk}"
    name = f"parcours-donnees-{who}-{timezone.localdate():%Y-%m-%d}.zip"
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require(Capability.EXPORT_SUBJECT)
def household_export(request, pk: int):
    return _zip_response(request, _household(request, pk), None)


@require(Capability.EXPORT_SUBJECT)
def person_export(request, person_pk: int):
    person = _person(request, person_pk)
    return _zip_response(request, person.household, person)


def _erase(request, *, household: Household, person: Person | None):
    expected = person.first_name if person else household.name
    context = {
        "household": household,
        "person": person,
        "expected": expected,
        "preview": selectors.erasure_preview(household=household, person=person),
    }
    if request.method != "POST":
        return render(request, "privacy/erase.html", {**context, "form": ErasureRequestForm()})
    if "confirmation" not in request.POST:  # first step sent: ask the second confirmation
        form = ErasureRequestForm(request.POST)
        if not form.is_valid():
            return render(request, "privacy/erase.html", {**context, "form": form})
        confirm = ErasureConfirmForm(
            initial={"reason": form.cleaned_data["reason"], "understood": True}, expected=expected
        )
        return render(request, "privacy/erase_confirm.html", {**context, "form": confirm})
    form = ErasureConfirmForm(request.POST, expected=expected)
    if not form.is_valid() and form.errors.keys() & {"reason", "understood"}:
        return render(
            request, "privacy/erase.html", {**context, "form": ErasureRequestForm(request.POST)}
        )
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if person is not None:
                services.person_erase(actor=request.user, person=person, reason=reason)
            else:
                services.household_erase(actor=request.user, household=household, reason=reason)
        except ValidationError as exc:
            first = ErasureRequestForm(request.POST)
            first.is_valid()
            for field, errors in exc.message_dict.items():
                for error in errors:
                    first.add_error(field if field in first.fields else None, error)
            return render(request, "privacy/erase.html", {**context, "form": first})
        messages.success(request, _("The data were erased. This cannot be undone."))
        return redirect("privacy:household", pk=household.pk)
    return render(request, "privacy/erase_confirm.html", {**context, "form": form})


@require(Capability.ERASE_SUBJECT)
def household_erase(request, pk: int):
    return _erase(request, household=_household(request, pk), person=None)


@require(Capability.ERASE_SUBJECT)
def person_erase(request, person_pk: int):
    person = _person(request, person_pk)
    return _erase(request, household=person.household, person=person)
