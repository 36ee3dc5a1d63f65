"""The federation's page and its CSV: for the federation's viewers only."""

from __future__ import annotations

import csv
from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.federation import dashboard
from parcours.federation.permissions import federation_required


def _choice(request):
    """The federation (among the viewer's own), the last day and the number of months."""
    federations = request.federations
    wanted = request.GET.get("federation")
    federation = federations[0]
    if wanted:
        federation = next((f for f in federations if f.slug == wanted), None)
        if federation is None:
            raise Http404
    today = timezone.localdate()
    last = today
    if request.GET.get("until"):
        try:
            last = min(date.fromisoformat(request.GET["until"]), today)
        except ValueError:
            last = today
    try:
        months = int(request.GET.get("months", dashboard.DEFAULT_MONTHS))
    except ValueError:
        months = dashboard.DEFAULT_MONTHS
    if months not in dashboard.MONTHS:
        months = dashboard.DEFAULT_MONTHS
    return federation, last, months


@federation_required
def federation_dashboard(request):
    federation, last, months = _choice(request)
    page = dashboard.build(
        federation, last=last, months=months, lang=translation.get_language() or "fr"
    )
    return render(
        request,
        "federation/dashboard.html",
        {
            "page": page,
            "federations": request.federations,
            "month_choices": dashboard.MONTHS,
            "until": last.isoformat(),
        },
    )


@federation_required
def federation_export(request):
    federation, last, months = _choice(request)
    page = dashboard.build(
        federation, last=last, months=months, lang=translation.get_language() or "fr"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"federation-{federation.slug}-{page.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    w = csv.writer(response)
    w.writerow([_("Federation"), federation.name, _("From"), page.first, _("To"), page.last])
    labels = page.stage_labels
    w.writerow(
        [
            _("Association"),
            _("Households in the journey"),
            *[_("Now at: %(stage)s") % {"stage": s} for s in labels],
            _("Entries in the period"),
            *[_("Reached: %(stage)s") % {"stage": s} for s in labels],
            *[_("Median days in: %(stage)s") % {"stage": s} for s in labels],
        ]
    )
    for row in page.rows:
        w.writerow([row.name, row.total, *row.stages, row.entries, *row.reached, *row.medians])
    return response
