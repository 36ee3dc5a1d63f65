"""A double submit of a form writes one record.

Every POST form rendered through `_form_fields.html` (or `{% submission_token %}`) carries a
fresh random token. `SubmitOnceMiddleware` runs a POST that carries one in a transaction that
first inserts the token (unique): a second POST with the same token waits for the first to
finish, then finds the token taken. It writes nothing and gets the first answer again: the
same redirect (with a message saying it was recorded once), or 409 for an htmx fragment.

The token is kept only if the request wrote something (an audit event of a create, update or
delete); a form sent back with errors frees it, so correcting and sending again works.
A POST without a token (scripts, tests) runs as before.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

FIELD = "submission"
_TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP = timedelta(days=1)
WRITES = ("create", "update", "delete", "erase", "place")  # audit actions that wrote
_wrote: ContextVar[list | None] = ContextVar("parcours_submission_wrote", default=None)


def new_token() -> str:
    return secrets.token_hex(16)


def audit_written(sender, instance, created, **kwargs) -> None:
    """post_save of AuditEvent: the running submission wrote something."""
    wrote = _wrote.get()
    if created and wrote is not None and instance.action in WRITES:
        wrote.append(instance.action)


def submissions_purge() -> int:
    """Forget tokens older than KEEP (run by `parcours daily`, not on every form post)."""
    from parcours.core.models import Submission

    deleted, _by_model = Submission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted


def _replay(request, previous):
    if previous.status and 300 <= previous.status < 400 and previous.location:
        messages.info(request, _("This form had already been sent: it was recorded once."))
        return redirect(previous.location)
    return HttpResponse(
        _("This form had already been sent: it was recorded once."), status=409,
        content_type="text/plain; charset=utf-8",
    )  # fmt: skip


class SubmitOnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.fullmatch(token):
            return self.get_response(request)
        from parcours.core.models import Submission

        user = request.user if getattr(request.user, "is_authenticated", False) else None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = Submission.objects.create(token=token, user=user, path=request.path[:300])
            except IntegrityError:
                previous = Submission.objects.filter(token=token).first()
                if previous is not None:
                    return _replay(request, previous)
                return self.get_response(request)  # freed meanwhile: run it
            wrote = []
            reset = _wrote.set(wrote)
            try:
                response = self.get_response(request)
            finally:
                _wrote.reset(reset)
            if response.status_code >= 500:  # a view that failed half-way keeps nothing
                transaction.set_rollback(True)
                return response
            if not wrote or response.status_code >= 400:
                row.delete()
                return response
            row.status = response.status_code
            row.location = response.get("Location", "")[:500]
            row.save(update_fields=["status", "location"])
        return response
