from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts import services
from parcours.accounts.models import Membership
from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability


@require(Capability.MANAGE_MEMBERS)
@require_POST
def second_factor_reset(request, member_pk: int):
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=member_pk,
        association=request.membership.association,
    )
    services.second_factor_reset(actor=request.user, membership=membership)
    messages.success(
        request,
        _(
            "Two-factor authentication of %(name)s reset: their sessions are ended, and they "
            "set up an authenticator app again at their next sign-in."
        )
        % {"name": membership.user.get_username()},
    )
    return redirect("team:member", member_pk=membership.pk)
