"""Sponsor matching on stored data: who needs a sponsor, who can be one, accept a choice.

The scoring and the optimal assignment are pure (parcours.engine.matching); this module
reads the households, volunteers and families, and writes the decision.

Accepting writes a `SponsorMatch` (the decision and its explanation) and starts the
sponsorship through parcours.community's `sponsorship_start`, the only writer of
sponsor_assigned touchpoints (households.ownership). The journey and the tasks follow in the
same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import visibility
from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.consent.models import Purpose
from parcours.consent.selectors import withdrawn_household_ids
from parcours.engine import Touchpoint
from parcours.engine.matching import Need, Proposal, Sponsor, explain, match, points
from parcours.engine.worklists import open_episodes
from parcours.households.models import Household
from parcours.households.models import Touchpoint as TouchpointRow
from parcours.journey.definitions import definition_for
from parcours.worklists.models import SponsorMatch, SponsorProfile, Task

# Households with one of these open tasks need a sponsor.
NEED_RULES = ("assign_sponsor", "first_activity")
DEFAULT_CAPACITY = {"volunteer": 3, "family": 1}
ACTIVITY_DAYS = 365  # activities shared over the last year


@dataclass
class Candidate:
    key: str
    label: str
    kind: str  # "volunteer" | "family"
    sponsor: Sponsor
    user_id: int | None = None
    household_id: int | None = None
    available: bool = True


def _activities(filter_kwargs: dict, since: date) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    field = next(iter(filter_kwargs)).split("__")[0].removesuffix("_id")
    rows = TouchpointRow.objects.filter(
        kind="attendance", day__gte=since, activity__isnull=False, **filter_kwargs
    ).values_list(f"{field}_id", "activity_id")
    for owner, activity in rows:
        out[owner].add(activity)
    return out


def current_loads(association) -> dict[str, int]:
    """Households each sponsor accompanies now (the community app's open sponsorships, or
    the open sponsorship episodes of our own matches without it)."""
    from parcours.worklists import community

    loads_ = community.sponsor_loads(association)
    if loads_ is not None:
        return loads_
    matches = {
        m.sponsorship_ref: m
        for m in SponsorMatch.objects.filter(association=association, sponsorship_ref__isnull=False)
    }
    if not matches:
        return {}
    today = timezone.localdate()
    by_household: dict[int, list[Touchpoint]] = defaultdict(list)
    for hid, d, k, r in TouchpointRow.objects.filter(
        association=association, kind__in=["sponsor_assigned", "sponsor_ended"]
    ).values_list("household_id", "day", "kind", "ref"):
        by_household[hid].append(Touchpoint(d, k, None, r))
    loads: dict[str, int] = defaultdict(int)
    for tps in by_household.values():
        for ep in open_episodes(tps, "sponsor_assigned", "sponsor_ended", today):
            m = matches.get(ep.ref) if ep.ref is not None else None
            if m is not None:
                key = f"u{m.sponsor_user_id}" if m.sponsor_user_id else f"h{m.sponsor_household_id}"
                loads[key] += 1
    return loads


def needs_and_candidates(association) -> tuple[list[Household], list[Need], list[Candidate]]:
    from parcours.worklists.assignment import peer_stages

    today = timezone.localdate()
    since = today - timedelta(days=ACTIVITY_DAYS)
    need_ids = list(
        visibility.full_view(  # the coordinators' page: the full journey's tasks
            Task.objects.filter(
                association=association,
                rule__in=NEED_RULES,
                state__in=[Task.State.OPEN, Task.State.SNOOZED],
            )
        )
        .values_list("household_id", flat=True)
        .distinct()
    )
    # Families that withdrew their consent to sponsoring are neither matched nor proposed.
    refused = withdrawn_household_ids(Purpose.SPONSORING)
    need_ids = [pk for pk in need_ids if pk not in refused]
    households = list(Household.objects.active().filter(id__in=need_ids).order_by("name", "id"))
    acts = _activities({"household_id__in": need_ids}, since)
    needs = [
        Need(
            h.pk,
            h.neighbourhood,
            frozenset(h.languages or []),
            frozenset(acts.get(h.pk, ())),
            h.composition,
        )
        for h in households
    ]
    profiles_u = {
        p.user_id: p
        for p in SponsorProfile.objects.filter(association=association, user__isnull=False)
    }
    profiles_h = {
        p.household_id: p
        for p in SponsorProfile.objects.filter(association=association, household__isnull=False)
    }
    loads = current_loads(association)
    candidates: list[Candidate] = []
    volunteers = list(
        Membership.objects.filter(association=association, role=Role.VOLUNTEER, is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    v_acts = _activities({"actor_id__in": [m.user_id for m in volunteers]}, since)
    for m in volunteers:
        p = profiles_u.get(m.user_id)
        key = f"u{m.user_id}"
        candidates.append(
            Candidate(
                key,
                m.user.get_full_name() or m.user.get_username(),
                "volunteer",
                Sponsor(
                    key,
                    p.capacity if p else DEFAULT_CAPACITY["volunteer"],
                    loads.get(key, 0),
                    p.neighbourhood if p else "",
                    frozenset(p.languages if p else []),
                    frozenset(v_acts.get(m.user_id, ())),
                ),
                user_id=m.user_id,
                available=p.available if p else True,
            )
        )
    families = list(
        Household.objects.active()
        .filter(
            association=association,
            journeys__stage__in=peer_stages(definition_for(association)),
            journeys__audience__in=visibility.FULL_VIEW,
        )
        .exclude(id__in=refused)
        .order_by("name", "id")
    )
    f_acts = _activities({"household_id__in": [h.pk for h in families]}, since)
    for h in families:
        p = profiles_h.get(h.pk)
        key = f"h{h.pk}"
        candidates.append(
            Candidate(
                key,
                h.name,
                "family",
                Sponsor(
                    key,
                    p.capacity if p else DEFAULT_CAPACITY["family"],
                    loads.get(key, 0),
                    h.neighbourhood,
                    frozenset(h.languages or []),
                    frozenset(f_acts.get(h.pk, ())),
                    h.composition,
                    exclude=frozenset({h.pk}),
                ),
                household_id=h.pk,
                available=p.available if p else True,
            )
        )
    return households, needs, candidates


def proposals(
    association,
) -> tuple[list[Household], dict[int, Proposal], list[Candidate], list[Need]]:
    households, needs, everyone = needs_and_candidates(association)
    candidates = [c for c in everyone if c.available]
    best = {p.need: p for p in match(needs, [c.sponsor for c in candidates])}
    return households, best, everyone, needs


def alternative(need: Need, candidate: Candidate) -> Proposal:
    reasons = explain(need, candidate.sponsor, candidate.sponsor.load)
    return Proposal(need.id, candidate.key, points(reasons), reasons)


@transaction.atomic
def sponsor_accept(
    *,
    actor,
    household: Household,
    candidate: Candidate,
    need: Need,
    proposed: str = "",
    day: date | None = None,
) -> SponsorMatch:
    """Start the sponsorship with the chosen sponsor and keep the decision and its reasons.

    Through the community app's sponsorship service, which owns sponsor_assigned touchpoints.
    """
    from django.contrib.auth import get_user_model

    from parcours.worklists import community

    day = day or timezone.localdate()
    if not candidate.available or candidate.sponsor.load >= candidate.sponsor.capacity:
        raise ValidationError({"sponsor": _("This sponsor has no room left.")})
    if candidate.household_id == household.pk:
        raise ValidationError({"sponsor": _("A family cannot sponsor itself.")})
    chosen = alternative(need, candidate)
    m = SponsorMatch(
        association_id=household.association_id,
        household=household,
        sponsor_user_id=candidate.user_id,
        sponsor_household_id=candidate.household_id,
        proposed=proposed,
        score=chosen.score,
        reasons=[r.as_dict() for r in chosen.reasons],
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_on=day,
    )
    m.full_clean()
    m.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=m,
        fields=["household", "sponsor_user", "sponsor_household"],
    )
    user = get_user_model().objects.get(pk=candidate.user_id) if candidate.user_id else None
    sponsor_household = (
        Household.objects.get(pk=candidate.household_id) if candidate.household_id else None
    )
    sponsorship = community.start_sponsorship(
        actor=actor,
        household=household,
        day=day,
        sponsor_user=user,
        sponsor_household=sponsor_household,
    )
    m.sponsorship_ref = sponsorship.pk
    m.save(update_fields=["sponsorship_ref"])
    return m


@transaction.atomic
def sponsors_accept(*, actor, choices: list[tuple[Household, Candidate, Need]]) -> int:
    """Accept several proposals at once, all or nothing: each as :func:`sponsor_accept`, the
    sponsors' loads counting the ones accepted before it; the first refusal names its family."""
    taken: dict[str, int] = defaultdict(int)
    for household, candidate, need in choices:
        sponsor = candidate.sponsor
        if sponsor.load + taken[candidate.key] >= sponsor.capacity:
            raise ValidationError(
                {
                    "sponsor": _("%(family)s: %(sponsor)s has no room left.")
                    % {"family": household.name, "sponsor": candidate.label}
                }
            )
        try:
            sponsor_accept(
                actor=actor,
                household=household,
                candidate=candidate,
                need=need,
                proposed=candidate.key,
            )
        except ValidationError as exc:
            raise ValidationError(
                {"sponsor": f"{household.name}: {' '.join(exc.messages)}"}
            ) from exc
        taken[candidate.key] += 1
    return len(choices)


@transaction.atomic
def sponsor_profile_set(
    *,
    actor,
    association,
    candidate_key: str,
    capacity: int,
    available: bool,
    neighbourhood: str = "",
    languages: list[str] | None = None,
) -> SponsorProfile:
    """Set how many households a volunteer or a sponsor family accompanies at once at most.

    Neighbourhood and languages are kept for volunteers (a family's come from its record).
    """
    if capacity < 0 or capacity > 20:
        raise ValidationError({"capacity": _("Capacity: between 0 and 20 households.")})
    kind, pk = candidate_key[:1], candidate_key[1:]
    if kind not in ("u", "h") or not pk.isdigit():
        raise ValidationError({"sponsor": _("Choose a sponsor from the list.")})
    if kind == "u":
        if not Membership.objects.filter(
            association=association, user_id=int(pk), role=Role.VOLUNTEER
        ).exists():
            raise ValidationError({"sponsor": _("Choose a sponsor from the list.")})
        lookup = {"user_id": int(pk)}
        extra = {
            "neighbourhood": neighbourhood.strip(),
            "languages": sorted({lang.strip().lower() for lang in languages or [] if lang.strip()}),
        }
    else:
        if not Household.objects.filter(association=association, pk=int(pk)).exists():
            raise ValidationError({"sponsor": _("Choose a sponsor from the list.")})
        lookup = {"household_id": int(pk)}
        extra = {}
    profile = SponsorProfile.objects.filter(association=association, **lookup).first()
    if profile is None:
        profile = SponsorProfile(association=association, **lookup)
    profile.capacity, profile.available = capacity, available
    for k, v in extra.items():
        setattr(profile, k, v)
    profile.full_clean()
    profile.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=profile,
        fields=["capacity", "available", *extra],
    )
    return profile
