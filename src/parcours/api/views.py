"""The person's API tokens, on their account (the "My account" menu): create, list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import member_required
from parcours.api import services
from parcours.api.forms import TokenForm
from parcours.api.models import ApiToken
from parcours.core.forms import posted
from parcours.outreach.shared import apply_errors


def _mine(request):
    return ApiToken.objects.filter(
        user_id=request.user.pk, association_id=request.membership.association_id
    )


@member_required
def tokens(request):
    form = TokenForm(posted(request))
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                membership=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            form = TokenForm()
    context = {"form": form, "secret": secret, "tokens": _mine(request)}
    return render(request, "api/tokens.html", context)


@member_required
@require_POST
def token_revoke(request, token_pk: int):
    token = _mine(request).filter(pk=token_pk).first()
    if token is None:  # another person's token looks the same as none
        raise Http404
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token « %(name)s » revoked.") % {"name": token.name})
    return redirect("api:tokens")


def page_not_found(request, exception=None):
    """The site's 404: JSON under /api/ (a wrong address of the API, e.g. a path parameter
    that is no number), the usual page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found as page

    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "errors": []}, status=404)
    return page(request, exception)
