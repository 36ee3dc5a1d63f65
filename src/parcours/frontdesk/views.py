from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability, role_can
from parcours.audit.services import audit_read
from parcours.core.forms import posted
from parcours.frontdesk import selectors, services
from parcours.frontdesk.forms import (
    AppointmentForm,
    InfoRequestForm,
    IntakeVisitForm,
    PeerContactForm,
)
from parcours.frontdesk.models import IntakeVisit
from parcours.outreach.shared import (
    DuplicateHousehold,
    apply_errors,
    household_search,
    household_step,
)


def _sensitive(request) -> bool:
    return role_can(request.membership.role, Capability.VIEW_SENSITIVE)


def _record(request, *, title, form_class, service, form_kwargs=None, initial=None):
    """One page for every front-desk record: the family (chosen or quick-added) and the act."""
    household, new_form = household_step(request)
    kwargs = dict(form_kwargs or {})
    if form_class in (InfoRequestForm, PeerContactForm):
        kwargs["household"] = household
    form = form_class(posted(request), initial=initial, **kwargs)
    matches = []
    if request.method == "POST":
        valid = form.is_valid()
        valid = (new_form is None or new_form.is_valid()) and valid
        if valid:
            try:
                record = service(
                    actor=request.user, association=request.association, household=household,
                    new_household=new_form.cleaned_data if new_form else None,
                    allow_duplicate=request.POST.get("allow_duplicate") == "1",
                    **form.cleaned_data,
                )  # fmt: skip
            except DuplicateHousehold as dup:
                matches = dup.matches
            except ValidationError as exc:
                apply_errors(exc, form, new_form)
            else:
                messages.success(
                    request, _("Recorded for %(name)s.") % {"name": record.household.name}
                )
                if isinstance(record, IntakeVisit):
                    return redirect("frontdesk:intake_detail", visit_pk=record.pk)
                return redirect("households:detail", pk=record.household_id)
    q = request.GET.get("q", "")
    return render(
        request, "frontdesk/record_form.html",
        {
            "title": title, "form": form, "new_form": new_form, "household": household,
            "matches": matches, "q": q,
            "results": household_search(q, membership=request.membership) if not household else [],
        },
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def home(request):
    q = request.GET.get("q", "")
    sensitive = _sensitive(request)
    return render(
        request, "frontdesk/home.html",
        {
            "q": q, "results": household_search(q, membership=request.membership),
            "appointments": selectors.upcoming_appointments(),
            "requests": selectors.recent_info_requests(limit=10),
            "peer_contacts": selectors.recent_peer_contacts(limit=10),
            "visits": list(selectors.intake_visits(sensitive=sensitive)[:10]),
        },
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def info_request_create(request):
    return _record(
        request, title=gettext_lazy("Information request"), form_class=InfoRequestForm,
        service=services.info_request_record, initial={"day": timezone.localdate()},
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def peer_contact_create(request):
    return _record(
        request, title=gettext_lazy("Met a member family"), form_class=PeerContactForm,
        service=services.peer_contact_record, initial={"day": timezone.localdate()},
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def appointment_create(request):
    return _record(
        request, title=gettext_lazy("Book an appointment"), form_class=AppointmentForm,
        service=services.appointment_book,
        form_kwargs={"users": selectors.staff_users(association=request.association)},
        initial={"with_user": request.user.pk},
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def intake_create(request):
    return _record(
        request, title=gettext_lazy("Welcome visit"), form_class=IntakeVisitForm,
        service=services.intake_visit_record,
        form_kwargs={"show_sensitive": _sensitive(request)},
        initial={"day": timezone.localdate()},
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def intake_detail(request, visit_pk: int):
    sensitive = _sensitive(request)
    try:
        visit = selectors.intake_visit_detail(pk=visit_pk, sensitive=sensitive)
    except IntakeVisit.DoesNotExist as exc:
        raise Http404 from exc
    # Who read a welcome visit, and whether its listening notes were shown, is audited.
    audit_read(request, obj=visit, fields=["listening_notes"] if sensitive else [])
    return render(
        request, "frontdesk/intake_detail.html", {"visit": visit, "show_sensitive": sensitive}
    )
