"""The audit log, for administrators: who signed in, read, exported or changed what, and when."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.audit import selectors
from parcours.audit.forms import AuditFilterForm

PAGE_SIZE = 50


@require(Capability.READ_AUDIT_LOG)
def log(request):
    form = AuditFilterForm(request.GET or None, association=request.membership.association)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        actor=filters.get("actor"), household=filters.get("household", ""),
        action=filters.get("action", ""), start=filters.get("start"), end=filters.get("end"),
    )  # fmt: skip
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.object_label = selectors.object_label(event.object_type)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
