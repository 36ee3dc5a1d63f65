from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.households.models import Composition
from parcours.worklists import matching


def reason_text(reason) -> str:
    p = reason.params if hasattr(reason, "params") else reason.get("params", {})
    code = reason.code if hasattr(reason, "code") else reason.get("code")
    pts = p["points"]
    sign = f"+{pts}" if pts > 0 else str(pts)
    if code == "same_neighbourhood":
        text = _("same neighbourhood (%(n)s)") % {"n": p["neighbourhood"]}
    elif code == "shared_languages":
        text = _("speaks %(l)s too") % {"l": ", ".join(p["languages"].split(","))}
    elif code == "shared_activities":
        text = ngettext("%(n)s activity in common", "%(n)s activities in common", p["count"]) % {
            "n": p["count"]
        }
    elif code == "similar_situation":
        label = dict(Composition.choices).get(p["composition"], p["composition"])
        text = _("similar situation (%(c)s)") % {"c": label}
    elif code == "current_load":
        text = ngettext(
            "already accompanies %(n)s household",
            "already accompanies %(n)s households",
            p["load"],
        ) % {"n": p["load"]}
    else:
        text = str(code)
    return f"{text} {sign}"


def _rows(association):
    households, best, candidates, needs = matching.proposals(association)
    by_need = {n.id: n for n in needs}
    by_key = {c.key: c for c in candidates}
    rows = []
    for h in households:
        need = by_need[h.pk]
        p = best.get(h.pk)
        choices = [
            (c, matching.alternative(need, c))
            for c in candidates
            if c.available and c.household_id != h.pk and c.sponsor.load < c.sponsor.capacity
        ]
        choices.sort(key=lambda cp: (-cp[1].score, cp[0].label))
        rows.append(
            {
                "household": h,
                "need": need,
                "proposal": p,
                "sponsor": by_key.get(p.sponsor) if p else None,
                "reasons": [reason_text(r) for r in p.reasons] if p else [],
                # the proposed sponsor's score is the proposal's (its load counts the other
                # proposals of this page); the others' at their current load
                "choices": [
                    (c.key, f"{c.label} ({p.score if p and p.sponsor == c.key else a.score})")
                    for c, a in choices
                ],
            }
        )
    return rows, by_key, by_need


def _sponsors(association, by_key):
    """Every possible sponsor (available or not) with its load, capacity, profile."""
    from parcours.worklists.models import SponsorProfile

    profiles = {
        (f"u{p.user_id}" if p.user_id else f"h{p.household_id}"): p
        for p in SponsorProfile.objects.filter(association=association)
    }
    return [
        {"candidate": c, "profile": profiles.get(c.key)}
        for c in sorted(by_key.values(), key=lambda c: (c.kind, c.label))
    ]


@require(Capability.MANAGE_TASKS)
def matching_page(request):
    association = request.membership.association
    rows, by_key, by_need = _rows(association)
    error = None
    if request.method == "POST" and request.POST.get("action") == "profile":
        try:
            capacity = int(request.POST.get("capacity", ""))
        except ValueError:
            capacity = -1
        try:
            matching.sponsor_profile_set(
                actor=request.user,
                association=association,
                candidate_key=request.POST.get("sponsor", ""),
                capacity=capacity,
                available=request.POST.get("available") == "on",
                neighbourhood=request.POST.get("neighbourhood", ""),
                languages=request.POST.get("languages", "").split(","),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The sponsor's availability is saved."))
            return redirect("worklists:matching")
    elif request.method == "POST":
        households = {r["household"].pk: r for r in rows}
        try:
            hid = int(request.POST.get("household", ""))
        except ValueError:
            hid = None
        row = households.get(hid)
        key = request.POST.get("sponsor", "")
        candidate = by_key.get(key)
        if row is None:
            error = _("This household no longer needs a sponsor.")
        elif candidate is None:
            error = _("Choose a sponsor from the list.")
        else:
            try:
                matching.sponsor_accept(
                    actor=request.user,
                    household=row["household"],
                    candidate=candidate,
                    need=by_need[hid],
                    proposed=row["proposal"].sponsor if row["proposal"] else "",
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    _("%(sponsor)s now accompanies %(household)s.")
                    % {"sponsor": candidate.label, "household": row["household"].name},
                )
                return redirect("worklists:matching")
    return render(
        request,
        "worklists/matching.html",
        {"rows": rows, "error": error, "sponsors": _sponsors(association, by_key)},
        status=400 if error else 200,
    )
