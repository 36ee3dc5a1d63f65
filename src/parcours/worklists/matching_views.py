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


def reason_text(reason, accompanied: int | None = None) -> str:
    """One criterion of a proposal, in words (the points behind it stay inside).

    ``accompanied`` is how many families the sponsor accompanies today: a proposal's load
    also counts the families of this page proposed to the same sponsor before this one, and
    those are said apart (the sponsor does not accompany them yet)."""
    p = reason.params if hasattr(reason, "params") else reason.get("params", {})
    code = reason.code if hasattr(reason, "code") else reason.get("code")
    if code == "same_neighbourhood":
        return _("same neighbourhood (%(n)s)") % {"n": p["neighbourhood"]}
    if code == "shared_languages":
        return _("speaks %(l)s too") % {"l": ", ".join(p["languages"].split(","))}
    if code == "shared_activities":
        return ngettext("%(n)s activity in common", "%(n)s activities in common", p["count"]) % {
            "n": p["count"]
        }
    if code == "similar_situation":
        label = dict(Composition.choices).get(p["composition"], p["composition"])
        return _("similar situation (%(c)s)") % {"c": label}
    if code == "current_load":
        load = p["load"]
        already = load if accompanied is None else min(accompanied, load)
        proposed = load - already
        if not proposed:
            return ngettext(
                "already accompanies %(n)s household: less time for a new one",
                "already accompanies %(n)s households: less time for a new one",
                already,
            ) % {"n": already}
        if not already:
            return ngettext(
                "also proposed to %(n)s other family on this page: less time for a new one",
                "also proposed to %(n)s other families on this page: less time for a new one",
                proposed,
            ) % {"n": proposed}
        return ngettext(
            "already accompanies %(n)s household, and %(m)s more proposed on this page: "
            "less time for a new one",
            "already accompanies %(n)s households, and %(m)s more proposed on this page: "
            "less time for a new one",
            already,
        ) % {"n": already, "m": proposed}
    return str(code)


def fit_text(proposal) -> str:
    """How well a sponsor fits a family, in words: what they share, not a raw score."""
    shared = [r for r in proposal.reasons if r.code != "current_load"]
    if not shared:
        return _("nothing in common yet")
    if len(shared) >= 3:
        return _("very good match")
    if len(shared) == 2:
        return _("good match")
    return _("one thing in common")


def _room(c) -> str:
    return _("accompanies %(load)s of %(capacity)s") % {
        "load": c.sponsor.load,
        "capacity": c.sponsor.capacity,
    }


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
                "reasons": [reason_text(r, by_key[p.sponsor].sponsor.load) for r in p.reasons]
                if p
                else [],
                "fit": fit_text(p) if p else "",
                # the proposed sponsor's fit is the proposal's (its load counts the other
                # proposals of this page); the others' at their current load
                "choices": [
                    (
                        c.key,
                        f"{c.label} — {fit_text(p if p and p.sponsor == c.key else a)}"
                        f" · {_room(c)}",
                    )
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


def _accept_many(request, rows, by_key, by_need) -> str | None:
    """Accept the page's proposals for the ticked families (or all): all or nothing."""
    proposed = {r["household"].pk: r for r in rows if r["proposal"]}
    if request.POST.get("action") == "accept_all":
        chosen = list(proposed.values())
    else:
        try:
            ids = {int(x) for x in request.POST.getlist("household")}
        except ValueError:
            ids = set()
        if not ids:
            return _("Tick at least one family whose proposal you accept.")
        if not ids <= set(proposed):
            return _("Some ticked families no longer have a proposal: look at the page again.")
        chosen = [proposed[i] for i in sorted(ids)]
    if not chosen:
        return _("No proposal to accept.")
    try:
        n = matching.sponsors_accept(
            actor=request.user,
            choices=[
                (r["household"], by_key[r["proposal"].sponsor], by_need[r["household"].pk])
                for r in chosen
            ],
        )
    except ValidationError as exc:
        return " ".join(exc.messages)
    messages.success(
        request,
        ngettext("%(n)s family now has a sponsor.", "%(n)s families now have a sponsor.", n)
        % {"n": n},
    )
    return None


@require(Capability.MANAGE_TASKS)
def matching_page(request):
    association = request.membership.association
    rows, by_key, by_need = _rows(association)
    error = None
    if request.method == "POST" and request.POST.get("action") in ("accept_many", "accept_all"):
        error = _accept_many(request, rows, by_key, by_need)
        if error is None:
            return redirect("worklists:matching")
    elif request.method == "POST" and request.POST.get("action") == "profile":
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
        {
            "rows": rows,
            "error": error,
            "sponsors": _sponsors(association, by_key),
            "proposed": sum(1 for r in rows if r["proposal"]),
        },
        status=400 if error else 200,
    )
