"""Households, their persons, touchpoints and stage spans; a touchpoint recorded by POST."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from parcours.accounts import visibility
from parcours.accounts.roles import Capability
from parcours.api.access import MAX_ID, PageQuery, endpoint, filtered, page
from parcours.api.errors import ERRORS, ApiError
from parcours.api.schemas import (
    HouseholdOut,
    HouseholdPage,
    PersonPage,
    PlacementOut,
    StageSpanPage,
    TouchpointPage,
)
from parcours.audit.services import audit_read
from parcours.households import services
from parcours.households.forms import TouchpointForm
from parcours.households.models import Household, Person, Touchpoint, TouchpointKind
from parcours.households.ownership import GENERIC_KINDS
from parcours.journey.definitions import definition_for
from parcours.journey.models import HouseholdJourney, StageSpan
from parcours.journey.reasons import current_language, render_placement, render_reasons
from parcours.journey.selectors import household_journey

router = Router(tags=["households"])
VIEW = Capability.VIEW_HOUSEHOLDS
Id = Field(None, ge=1, le=MAX_ID)
PK = Path(..., ge=1, le=MAX_ID)
KINDS = dict(TouchpointKind.choices)


def _households(request):
    return visibility.households(request.membership).select_related(None)


def _household(request, pk: int) -> Household:
    household = _households(request).filter(pk=pk).first()
    if household is None:  # another association's, archived, or not this role's: not found
        raise Http404
    return household


def _sensitive(request) -> bool:
    return visibility.sees_support(request.membership)


# --- households -----------------------------------------------------------------------------


class HouseholdFilters(Schema):
    q: str = Field("", max_length=200, description="part of the name")
    neighbourhood: str = Field("", max_length=100)
    stage: str = Field("", max_length=40, description="current stage key")


def _household_rows(request, households: list[Household]) -> list[dict]:
    definition = definition_for(request.association)
    lang = current_language()
    journeys = {
        j.household_id: j
        for j in visibility.journeys(
            request.membership,
            HouseholdJourney.objects.filter(household_id__in=[h.pk for h in households]),
        )
    }
    sensitive = _sensitive(request)
    rows = []
    for h in households:
        j = journeys.get(h.pk)
        rows.append(
            {
                "id": h.pk,
                "name": h.name,
                "neighbourhood": h.neighbourhood,
                "address": h.address,
                "phone": h.phone,
                "languages": list(h.languages or []),
                "composition": h.composition,
                "heard_from": h.heard_from,
                "needs": h.needs if sensitive else None,
                "created_at": h.created_at,
                "stage": j.stage or None if j else None,
                "stage_label": definition.stage_label(j.stage, lang) if j and j.stage else None,
                "statuses": [definition.status_label(s, lang) for s in (j.statuses if j else [])],
            }
        )
    if sensitive and households:
        audit_read(request, object_type="households.household", fields=["needs", "api"])
    return rows


@router.get("/households", response={200: HouseholdPage, **ERRORS})
@endpoint(VIEW)
def households_list(request, filters: Query[HouseholdFilters], paging: Query[PageQuery]):
    """The households this role may see, by name; filters: part of the name, neighbourhood,
    current stage."""
    qs = _households(request).order_by("name", "id")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    qs = filtered(qs, neighbourhood=filters.neighbourhood)
    if filters.stage:
        current = visibility.journeys(
            request.membership, HouseholdJourney.objects.filter(stage=filters.stage)
        ).values("household_id")
        qs = qs.filter(pk__in=current)
    result = page(qs, paging, lambda h: h)
    result["items"] = _household_rows(request, result["items"])
    return result


@router.get("/households/{int:pk}", response={200: HouseholdOut, **ERRORS})
@endpoint(VIEW)
def household_detail(request, pk: int = PK):
    return _household_rows(request, [_household(request, pk)])[0]


# --- persons --------------------------------------------------------------------------------


class PersonFilters(Schema):
    household: int | None = Id


@router.get("/persons", response={200: PersonPage, **ERRORS})
@endpoint(VIEW)
def persons_list(request, filters: Query[PersonFilters], paging: Query[PageQuery]):
    """The members of the households this role may see."""
    qs = Person.objects.filter(household__in=_households(request)).order_by("household_id", "id")
    qs = filtered(qs, household_id=filters.household)
    fields = ("id", "household_id", "first_name", "last_name", "birth_year", "relation")
    return page(
        qs,
        paging,
        lambda p: {**{f: getattr(p, f) for f in fields}, "is_contact": p.is_contact},
    )


# --- touchpoints ----------------------------------------------------------------------------


class TouchpointFilters(Schema):
    household: int | None = Id
    kind: str = Field("", max_length=30)
    since: date | None = None
    until: date | None = None


@router.get("/touchpoints", response={200: TouchpointPage, **ERRORS})
@endpoint(VIEW)
def touchpoints_list(request, filters: Query[TouchpointFilters], paging: Query[PageQuery]):
    """Touchpoints of the households this role may see; support ones only for the roles that
    see support (for the others they do not exist), notes only for them too."""
    qs = visibility.touchpoints(
        request.membership, Touchpoint.objects.filter(household__in=_households(request))
    ).order_by("-day", "-id")
    qs = filtered(
        qs, household_id=filters.household, kind=filters.kind, day__gte=filters.since,
        day__lte=filters.until,
    )  # fmt: skip
    sensitive = _sensitive(request)

    def row(t):
        return {
            "id": t.pk, "household_id": t.household_id, "day": t.day, "kind": t.kind,
            "kind_label": str(KINDS.get(t.kind, t.kind)), "activity_id": t.activity_id,
            "note": t.note if sensitive else None,
        }  # fmt: skip

    result = page(qs, paging, row)
    if sensitive and result["items"]:
        audit_read(request, object_type="households.touchpoint", fields=["note", "api"])
    return result


class TouchpointIn(Schema):
    day: date
    kind: str = Field(..., description="one of: " + ", ".join(GENERIC_KINDS), max_length=30)
    note: str = Field("", max_length=10_000, description="roles that see sensitive data only")


def _form_errors(form) -> list[dict]:
    return [
        {"field": name, "message": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]


@router.post("/households/{int:pk}/touchpoints", response={201: PlacementOut, **ERRORS})
@endpoint(Capability.RECORD_TOUCHPOINTS)
def touchpoint_create(request, payload: TouchpointIn, pk: int = PK):
    """Record a touchpoint by hand (the kinds the household page records), through the same
    form and service as the page: the household's stage follows in the same transaction, and
    the answer is its new placement with its reasons."""
    sensitive = _sensitive(request)
    if payload.note and not sensitive:
        raise ApiError(
            422,
            _("The request is not valid; nothing was saved."),
            [{"field": "note", "message": _("Note: your role does not record notes.")}],
        )
    household = _household(request, pk)
    form = TouchpointForm(
        {"day": payload.day.isoformat(), "kind": payload.kind, "note": payload.note},
        role=request.membership.role,
        show_sensitive=sensitive,
    )
    if not form.is_valid():
        raise ApiError(422, _("The request is not valid; nothing was saved."), _form_errors(form))
    with transaction.atomic():
        try:
            touchpoint = services.touchpoint_record(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            errors = [
                {"field": field, "message": str(m)}
                for field, messages in exc.message_dict.items()
                for m in messages
            ]
            raise ApiError(422, _("The request is not valid; nothing was saved."), errors) from exc
        journey = household_journey(household=household, membership=request.membership)
        current = journey.spans[0] if journey.spans and journey.spans[0].end is None else None
        return Status(
            201,
            {
                "touchpoint_id": touchpoint.pk,
                "household_id": household.pk,
                "stage": journey.stage,
                "stage_label": journey.label,
                "sentence": journey.sentence,
                "reasons": journey.plain or (current.reasons if current else []),
                "statuses": journey.statuses,
                "predicted_end": journey.predicted_end,
            },
        )


# --- stage spans ----------------------------------------------------------------------------


class StageSpanFilters(Schema):
    household: int | None = Id
    stage: str = Field("", max_length=40)
    current: bool | None = Field(None, description="true: only the current spans")


@router.get("/stage-spans", response={200: StageSpanPage, **ERRORS})
@endpoint(VIEW)
def stage_spans_list(request, filters: Query[StageSpanFilters], paging: Query[PageQuery]):
    """Stage spans with their reasons, as this role may learn them (for a role that does not
    see support: the journey computed without the support evidence)."""
    qs = visibility.journeys(
        request.membership, StageSpan.objects.filter(household__in=_households(request))
    ).order_by("household_id", "start", "id")
    qs = filtered(
        qs, household_id=filters.household, stage=filters.stage, end__isnull=filters.current
    )
    definition = definition_for(request.association)
    lang = current_language()
    result = page(qs, paging, lambda s: s)
    activity_ids = {
        r["params"]["activity"]
        for s in result["items"]
        for r in s.reasons
        if r.get("params", {}).get("activity") is not None
    }
    from parcours.activities.models import Activity

    ctx = {
        "definition": definition,
        "activities": dict(Activity.objects.filter(id__in=activity_ids).values_list("id", "name")),
    }
    result["items"] = [
        {
            "id": s.pk,
            "household_id": s.household_id,
            "stage": s.stage,
            "stage_label": definition.stage_label(s.stage, lang),
            "start": s.start,
            "end": s.end,
            "predicted_end": s.predicted_end,
            "regression": s.regression,
            "skipped": [definition.stage_label(k, lang) for k in s.skipped],
            "sentence": render_placement(s.stage, s.reasons, **ctx),
            "reasons": render_reasons(s.reasons, **ctx),
            "reason_codes": [r.get("code", "") for r in s.reasons],
        }  # fmt: skip
        for s in result["items"]
    ]
    return result
