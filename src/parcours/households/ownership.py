"""Which touchpoint kinds belong to a record, and who alone may write them.

A touchpoint of an *owned* kind is the trace of a domain record: a support case opened, a role
started, a present mark on an attendance sheet... The journey reads it as evidence, so it must
never exist without its record. OWNERS is the one registry of them: for each kind, the record's
model, the record's field that links the touchpoint, the record's field naming the household
the touchpoint is about, and the module whose services write both.

`households.services.touchpoint_record` refuses an owned kind (OwnedKindError) unless

- it is called directly from the owner's service module (read from the call stack, so a view
  or another app cannot write it, whatever is posted), and
- it is given the saved record (`record=`) of the owner's model, whose household is the
  touchpoint's household.

Every other kind is *generic*: the "record a touchpoint" form offers those, to the roles given
in GENERIC_KINDS, and touchpoint_record takes them without a record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.accounts.roles import Capability, role_can
from parcours.households.models import TouchpointKind

K = TouchpointKind


@dataclass(frozen=True)
class Owner:
    kind: str
    model: str  # app_label.ModelName of the record
    link: str  # the record's field pointing to the touchpoint
    household: str  # the record's field naming the touchpoint's household
    service: str  # the only module whose code may write this kind
    record_label: Promise  # what the user records instead, for messages

    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)


_SUPPORT, _COMMUNITY = "parcours.support.services", "parcours.community.services"
_FRONTDESK, _ACTIVITIES = "parcours.frontdesk.services", "parcours.activities.services"
_CASE, _ROLE, _MEMBER = _("a support case"), _("a role"), _("a group membership")
_SPONSOR, _SHEET = _("a sponsorship"), _("an attendance sheet")
# fmt: off
# kind: record model, its field linking the touchpoint, its household field, writer, label
OWNERS: dict[str, Owner] = {row[0]: Owner(*row) for row in (
    (K.SUPPORT_OPENED, "support.SupportCase", "opened_touchpoint", "household", _SUPPORT, _CASE),
    (K.SUPPORT_CLOSED, "support.SupportCase", "closed_touchpoint", "household", _SUPPORT, _CASE),
    (K.ROLE_STARTED, "community.CommunityRole", "started_touchpoint", "household", _COMMUNITY,
     _ROLE),
    (K.ROLE_ENDED, "community.CommunityRole", "ended_touchpoint", "household", _COMMUNITY, _ROLE),
    (K.GROUP_JOINED, "community.GroupMembership", "joined_touchpoint", "household", _COMMUNITY,
     _MEMBER),
    (K.GROUP_LEFT, "community.GroupMembership", "left_touchpoint", "household", _COMMUNITY,
     _MEMBER),
    (K.SPONSOR_ASSIGNED, "community.Sponsorship", "started_touchpoint", "household", _COMMUNITY,
     _SPONSOR),
    (K.SPONSOR_ENDED, "community.Sponsorship", "ended_touchpoint", "household", _COMMUNITY,
     _SPONSOR),
    (K.REFERRAL_MADE, "community.Referral", "referrer_touchpoint", "referrer", _COMMUNITY,
     _("a referral")),
    (K.ABSENT_VISIT, "community.AbsentVisit", "touchpoint", "visitor", _COMMUNITY,
     _("a visit to an absent family")),
    (K.PROJECT_PROPOSED, "community.ProjectProposal", "touchpoint", "household", _COMMUNITY,
     _("a project")),
    (K.INTAKE_VISIT, "frontdesk.IntakeVisit", "touchpoint", "household", _FRONTDESK,
     _("a welcome visit")),
    (K.ATTENDANCE, "activities.Attendance", "touchpoint", "household", _ACTIVITIES, _SHEET),
    (K.ACTIVITY_LED, "activities.Session", "led_touchpoint", "facilitator_household", _ACTIVITIES,
     _SHEET),
)}
# fmt: on

# Kinds with no owning record, and the capability a role needs to record each by hand.
GENERIC_KINDS: dict[str, str] = {
    K.OUTREACH_CONTACT: Capability.RECORD_TOUCHPOINTS,
    K.INFO_REQUEST: Capability.RECORD_TOUCHPOINTS,
    K.PEER_CONTACT: Capability.RECORD_TOUCHPOINTS,
    K.APPOINTMENT_BOOKED: Capability.RECORD_TOUCHPOINTS,
    K.COMMUNICATION: Capability.RECORD_TOUCHPOINTS,
}


class OwnedKindError(ValidationError):
    """An owned kind was written without its record, or by code that does not own it."""


def is_owned(kind: str) -> bool:
    return kind in OWNERS


def generic_kinds_for(role: str | None) -> list[tuple[str, str]]:
    """(kind, label) a role may record by hand, in the order of TouchpointKind."""
    return [
        (value, label)
        for value, label in K.choices
        if value in GENERIC_KINDS and role_can(role, GENERIC_KINDS[value])
    ]


def check_write(*, kind: str, household, record, caller: str | None, pending: bool = False) -> None:
    """Raise OwnedKindError unless this write of `kind` may happen (see the module docstring).

    ``pending``: the owner's service saves `record` (unsaved yet) right after, in the same
    transaction, already linked to the touchpoint (one insert instead of insert then update).
    """
    owner = OWNERS.get(kind)
    if owner is None:
        if record is not None:
            raise TypeError(f"{kind!r} has no owning record: do not pass record=")
        return
    label = dict(K.choices).get(kind, kind)
    refused = OwnedKindError(
        {
            "kind": gettext(
                "Kind: « %(kind)s » is recorded with %(record)s, on its own page, not by hand."
            )
            % {"kind": label, "record": owner.record_label}
        },
        code="owned_kind",
    )
    if caller != owner.service:
        raise refused
    model = owner.model_class()
    if not isinstance(record, model) or (record.pk is None and not pending):
        raise refused
    if getattr(record, f"{owner.household}_id") != household.pk:
        raise OwnedKindError(
            {"kind": gettext("Kind: this touchpoint is not about the household of its record.")},
            code="owned_kind_household",
        )


def check_bulk_write(*, kind: str, caller: str | None) -> None:
    """The bulk path (households.bulk.touchpoint_rows_write): an owned kind only from its owner's
    services module or its sibling `bulk` module, which writes the records with them."""
    owner = OWNERS.get(kind)
    if owner is None:
        return
    allowed = {owner.service, owner.service.rsplit(".", 1)[0] + ".bulk"}
    if caller not in allowed:
        label = dict(K.choices).get(kind, kind)
        raise OwnedKindError(
            {
                "kind": gettext(
                    "Kind: « %(kind)s » is recorded with %(record)s, on its own page, not by hand."
                )
                % {"kind": label, "record": owner.record_label}
            },
            code="owned_kind",
        )


@dataclass(frozen=True)
class Orphan:
    """A touchpoint of an owned kind with no record behind it, or whose record is about
    another household."""

    association_id: int
    kind: str
    household_id: int
    day: object
    touchpoint_id: int
    problem: str  # "no record" or "record of another household"


def orphan_touchpoints(*, association=None) -> list[Orphan]:
    """Every owned-kind touchpoint not linked from its record (scopes are the caller's)."""
    from django.db.models import F

    from parcours.households.models import Touchpoint

    found: list[Orphan] = []
    for owner in OWNERS.values():
        records = owner.model_class().objects.filter(**{f"{owner.link}__isnull": False})
        touchpoints = Touchpoint.objects.filter(kind=owner.kind)
        if association is not None:
            records = records.filter(association=association)
            touchpoints = touchpoints.filter(association=association)
        elsewhere = records.exclude(**{f"{owner.household}_id": F(f"{owner.link}__household_id")})
        for problem, rows in (
            ("no record", touchpoints.exclude(pk__in=records.values(owner.link))),
            (
                "record of another household",
                touchpoints.filter(pk__in=elsewhere.values(owner.link)),
            ),
        ):
            found += [
                Orphan(a, owner.kind, h, d, pk, problem)
                for pk, a, h, d in rows.order_by(
                    "association_id", "household_id", "day", "pk"
                ).values_list("pk", "association_id", "household_id", "day")
            ]
    return sorted(found, key=lambda o: (o.association_id, o.kind, o.household_id, o.day))
