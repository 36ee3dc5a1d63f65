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
from parcours.association_settings.selectors import contact_channel_choices
from parcours.core.forms import posted
from parcours.outreach import selectors, services
from parcours.outreach.forms import ActionForm, QuickHouseholdForm
from parcours.outreach.models import OutreachAction
from parcours.outreach.shared import (
    DuplicateHousehold,
    apply_errors,
    household_or_404,
    household_search,
)


def _action_or_404(pk: int) -> OutreachAction:
    try:
        return selectors.action_detail(pk=pk)
    except OutreachAction.DoesNotExist as exc:  # another association's action looks the same
        raise Http404 from exc


@require(Capability.RECORD_TOUCHPOINTS)
def action_list(request):
    channels = contact_channel_choices(request.association)
    channel = request.GET.get("channel", "")
    if channel not in {k for k, _label in channels}:
        channel = ""
    page = Paginator(selectors.action_list(channel=channel), 25).get_page(request.GET.get("page"))
    return render(
        request, "outreach/action_list.html",
        {"page": page, "channel": channel, "channels": channels},
    )  # fmt: skip


@require(Capability.RECORD_TOUCHPOINTS)
def action_create(request):
    team = selectors.team_candidates(association=request.association)
    form = ActionForm(
        posted(request), team_queryset=team, association=request.association,
        initial={"day": timezone.localdate(), "team": [request.user.pk]},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(
                actor=request.user, association=request.association, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Action recorded. Add the households you met."))
            return redirect("outreach:contact_add", action_pk=action.pk)
    return render(request, "outreach/action_form.html", {"form": form})


@require(Capability.RECORD_TOUCHPOINTS)
def action_detail(request, action_pk: int):
    action = _action_or_404(action_pk)
    contacts = selectors.action_contacts(action=action)
    return render(request, "outreach/action_detail.html", {"action": action, "contacts": contacts})


@require(Capability.RECORD_TOUCHPOINTS)
def contact_add(request, action_pk: int):
    """Add a household reached: link a known one (search) or quick-add a new one."""
    action = _action_or_404(action_pk)
    q = request.GET.get("q", "")
    matches = []
    form = QuickHouseholdForm(
        initial={"neighbourhood": action.neighbourhood, "consent_day": action.day},
        association=request.association,
    )
    if request.method == "POST" and request.POST.get("household"):
        household = household_or_404(request.POST["household"], request.membership)
        services.contact_record(actor=request.user, action=action, household=household)
        messages.success(request, _("%(name)s is recorded as reached.") % {"name": household.name})
        return redirect("outreach:contact_add", action_pk=action.pk)
    if request.method == "POST":
        form = QuickHouseholdForm(request.POST, association=request.association)
        if form.is_valid():
            data = form.cleaned_data
            try:
                contact = services.contact_quick_add(
                    actor=request.user, action=action, name=data["name"],
                    neighbourhood=data["neighbourhood"], phone=data["phone"],
                    lawful_basis=data["lawful_basis"],
                    allow_duplicate=request.POST.get("allow_duplicate") == "1",
                )  # fmt: skip
            except DuplicateHousehold as dup:
                matches = dup.matches
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    _("%(name)s is recorded as reached.") % {"name": contact.household.name},
                )
                return redirect("outreach:contact_add", action_pk=action.pk)
    return render(
        request, "outreach/contact_form.html",
        {
            "action": action, "form": form, "matches": matches, "q": q,
            "results": household_search(q, membership=request.membership),
            "contacts": selectors.action_contacts(action=action),
        },
    )  # fmt: skip
