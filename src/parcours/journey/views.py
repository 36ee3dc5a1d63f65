from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.households.models import Household
from parcours.journey import services


@require(Capability.EDIT_HOUSEHOLDS)
@require_POST
def place(request, pk: int):
    try:
        household = Household.objects.active().select_related("association").get(pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.placement_set_manual(
            actor=request.user,
            household=household,
            stage=request.POST.get("stage", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The manual placement is recorded."))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect("households:detail", pk=pk)
