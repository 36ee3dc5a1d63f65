"""Writes of the community app: keyword-only, atomic, audited; each writes its touchpoints
through touchpoint_record and keeps a link to them. Ending a membership, sponsorship or role
updates its row and writes the closing touchpoint (ref = the row's id)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.community.models import (
    AbsentVisit,
    ClosureReason,
    Communication,
    CommunicationKind,
    CommunicationRecipient,
    CommunityRole,
    Group,
    GroupMembership,
    ProjectProposal,
    Referral,
    RoleKind,
    Sponsorship,
    VisitOutcome,
)
from parcours.consent.selectors import withdrawn_purposes
from parcours.consent.services import (
    check_communication_allowed,
    check_sponsoring_allowed,
    refused_purposes,
)
from parcours.households.models import Channel, Household, TouchpointKind
from parcours.households.services import touchpoint_record
from parcours.outreach.shared import check_day, household_resolve

K = TouchpointKind
# Communications a family may refuse by withdrawing its consent to messages (a call is follow-up).
MESSAGE_KINDS = (CommunicationKind.MESSAGE, CommunicationKind.NEWSLETTER)
SPONSOR_ROLES = [Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.VOLUNTEER]


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _same_association(field: str, *objs) -> None:
    first = objs[0].association_id
    if any(o is not None and o.association_id != first for o in objs):
        raise ValidationError({field: _("This family was not found.")})


def _save(actor, obj, fields, action=AuditEvent.Action.CREATE):
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=action, obj=obj, fields=fields)
    return obj


def _check_start(value, model):
    check_day(value, field="start", label=_label(model, "start"))


def _check_end(value, row, model):
    if row.end is not None:
        raise ValidationError(_("This has already ended."))
    check_day(
        value, field="end", label=_label(model, "end"), not_before=row.start,
        not_before_label=_("the start date"),
    )  # fmt: skip


# Groups of families ----------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor, association, name: str, description: str = "", facilitator=None):
    if (
        facilitator is not None
        and not facilitator.memberships.filter(association=association).exists()
    ):
        raise ValidationError(
            {"facilitator": _("Facilitator: choose a member of the association.")}
        )
    group = Group(
        association=association, name=(name or "").strip(), description=description.strip(),
        facilitator=facilitator,
    )  # fmt: skip
    return _save(actor, group, ["name", "description", "facilitator"])


@transaction.atomic
def group_join(*, actor, group: Group, household: Household, start: date) -> GroupMembership:
    _same_association("household", group, household)
    _check_start(start, GroupMembership)
    if GroupMembership.objects.filter(group=group, household=household, end=None).exists():
        raise ValidationError(_("This household is already a member of this group."))
    membership = GroupMembership(
        association_id=group.association_id, group=group, household=household, start=start
    )
    _save(actor, membership, ["group", "household", "start"])
    membership.joined_touchpoint = touchpoint_record(
        actor=actor, household=household, day=start, kind=K.GROUP_JOINED, ref=group.pk,
        record=membership,
    )  # fmt: skip
    membership.save(update_fields=["joined_touchpoint"])
    return membership


@transaction.atomic
def group_leave(*, actor, membership: GroupMembership, end: date, end_reason: str = ""):
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    _check_end(end, membership, GroupMembership)
    membership.end, membership.end_reason = end, (end_reason or "").strip()
    membership.left_touchpoint = touchpoint_record(
        actor=actor, household=membership.household, day=end, kind=K.GROUP_LEFT,
        ref=membership.group_id, record=membership,
    )  # fmt: skip
    membership.full_clean()
    membership.save(update_fields=["end", "end_reason", "left_touchpoint"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, fields=["end", "end_reason"]
    )
    return membership


# Sponsorships ----------------------------------------------------------------------------------


def sponsor_candidates(*, association):
    """Users who may sponsor: the association's staff and volunteers (not board, not peers)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__association=association,
            memberships__role__in=SPONSOR_ROLES,
        )
        .order_by("username")
    )  # fmt: skip


@transaction.atomic
def sponsorship_start(
    *, actor, household: Household, start: date, sponsor_user=None,
    sponsor_household: Household | None = None,
) -> Sponsorship:  # fmt: skip
    if (sponsor_user is None) == (sponsor_household is None):
        raise ValidationError(
            {"sponsor_user": _("Sponsor: choose either a volunteer or a sponsor family.")}
        )
    if sponsor_household is not None:
        _same_association("sponsor_household", household, sponsor_household)
        if sponsor_household.pk == household.pk:
            raise ValidationError(
                {"sponsor_household": _("Sponsor family: a family cannot sponsor itself.")}
            )
    if (
        sponsor_user is not None
        and not sponsor_candidates(association=household.association)
        .filter(pk=sponsor_user.pk)
        .exists()
    ):
        raise ValidationError({"sponsor_user": _("Sponsoring volunteer: not found.")})
    _check_start(start, Sponsorship)
    check_sponsoring_allowed(household)
    if sponsor_household is not None:
        check_sponsoring_allowed(sponsor_household, field="sponsor_household")
    if Sponsorship.objects.select_for_update().filter(household=household, end=None).exists():
        raise ValidationError(
            _("This household already has a sponsor: end that sponsorship first.")
        )
    sponsorship = Sponsorship(
        association_id=household.association_id, household=household, start=start,
        sponsor_user=sponsor_user, sponsor_household=sponsor_household,
    )  # fmt: skip
    _save(actor, sponsorship, ["household", "start", "sponsor_user", "sponsor_household"])
    sponsorship.started_touchpoint = touchpoint_record(
        actor=actor, household=household, day=start, kind=K.SPONSOR_ASSIGNED, ref=sponsorship.pk,
        record=sponsorship,
    )  # fmt: skip
    sponsorship.save(update_fields=["started_touchpoint"])
    return sponsorship


@transaction.atomic
def sponsorship_end(
    *, actor, sponsorship: Sponsorship, end: date, closure_reason: str, closure_note: str = ""
) -> Sponsorship:
    sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    _check_end(end, sponsorship, Sponsorship)
    if closure_reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": _("Closure reason: choose one of the reasons.")})
    sponsorship.end, sponsorship.closure_reason = end, closure_reason
    sponsorship.closure_note = (closure_note or "").strip()
    sponsorship.ended_touchpoint = touchpoint_record(
        actor=actor, household=sponsorship.household, day=end, kind=K.SPONSOR_ENDED,
        ref=sponsorship.pk, record=sponsorship,
    )  # fmt: skip
    sponsorship.full_clean()
    sponsorship.save(update_fields=["end", "closure_reason", "closure_note", "ended_touchpoint"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=sponsorship,
        fields=["end", "closure_reason", "closure_note"],
    )  # fmt: skip
    return sponsorship


# Referrals and visits to absent families ----------------------------------------------------


@transaction.atomic
def referral_record(
    *, actor, referrer: Household, day: date, referred: Household | None = None,
    new_household: dict | None = None, allow_duplicate: bool = False, note: str = "",
) -> Referral:  # fmt: skip
    """`referrer` brought `referred` (or a new household): referral_made on the referrer
    (ref = referred id), peer_contact on the referred (ref = referrer id)."""
    check_day(day, field="day", label=_label(Referral, "day"))
    referred = household_resolve(
        actor=actor, association=referrer.association, household=referred,
        new_household=new_household, heard_from=Channel.PEER, allow_duplicate=allow_duplicate,
    )  # fmt: skip
    if referred.pk == referrer.pk:
        raise ValidationError({"referred": _("Family brought: a family cannot bring itself.")})
    if Referral.objects.filter(referrer=referrer, referred=referred).exists():
        raise ValidationError({"referred": _("Family brought: this referral is already recorded.")})
    referral = Referral(
        association_id=referrer.association_id, referrer=referrer, referred=referred, day=day,
        note=(note or "").strip(),
    )  # fmt: skip
    _save(actor, referral, ["referrer", "referred", "day", "note"])
    referral.referrer_touchpoint = touchpoint_record(
        actor=actor, household=referrer, day=day, kind=K.REFERRAL_MADE, ref=referred.pk,
        record=referral,
    )  # fmt: skip
    referral.referred_touchpoint = touchpoint_record(
        actor=actor, household=referred, day=day, kind=K.PEER_CONTACT, ref=referrer.pk
    )
    referral.save(update_fields=["referrer_touchpoint", "referred_touchpoint"])
    return referral


@transaction.atomic
def absent_visit_record(
    *, actor, visitor: Household, visited: Household, day: date, outcome: str
) -> AbsentVisit:
    """absent_visit on the visiting household, ref = the visited household's id."""
    _same_association("visited", visitor, visited)
    if visitor.pk == visited.pk:
        raise ValidationError({"visited": _("Family visited: choose another family.")})
    check_day(day, field="day", label=_label(AbsentVisit, "day"))
    if outcome not in VisitOutcome.values:
        raise ValidationError({"outcome": _("Outcome: choose one of the proposed outcomes.")})
    visit = AbsentVisit(
        association_id=visitor.association_id, visitor=visitor, visited=visited, day=day,
        outcome=outcome, recorded_by=_user(actor),
    )  # fmt: skip
    _save(actor, visit, ["visitor", "visited", "day", "outcome"])
    visit.touchpoint = touchpoint_record(
        actor=actor, household=visitor, day=day, kind=K.ABSENT_VISIT, ref=visited.pk,
        record=visit,
    )  # fmt: skip
    visit.save(update_fields=["touchpoint"])
    return visit


# Roles and projects ----------------------------------------------------------------------------


@transaction.atomic
def role_start(
    *, actor, household: Household, kind: str, start: date, person=None
) -> CommunityRole:
    if kind not in RoleKind.values:
        raise ValidationError({"kind": _("Role: choose one of the roles.")})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("Member of the household: choose one of its members.")})
    _check_start(start, CommunityRole)
    role = CommunityRole(
        association_id=household.association_id, household=household, person=person, kind=kind,
        start=start,
    )  # fmt: skip
    _save(actor, role, ["household", "person", "kind", "start"])
    role.started_touchpoint = touchpoint_record(
        actor=actor, household=household, day=start, kind=K.ROLE_STARTED, ref=role.pk,
        record=role,
    )  # fmt: skip
    role.save(update_fields=["started_touchpoint"])
    return role


@transaction.atomic
def role_end(*, actor, role: CommunityRole, end: date) -> CommunityRole:
    role = CommunityRole.objects.select_for_update().get(pk=role.pk)
    _check_end(end, role, CommunityRole)
    role.end = end
    role.ended_touchpoint = touchpoint_record(
        actor=actor, household=role.household, day=end, kind=K.ROLE_ENDED, ref=role.pk,
        record=role,
    )  # fmt: skip
    role.full_clean()
    role.save(update_fields=["end", "ended_touchpoint"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=role, fields=["end"])
    return role


@transaction.atomic
def project_propose(
    *, actor, household: Household, day: date, title: str, description: str = ""
) -> ProjectProposal:
    check_day(day, field="day", label=_label(ProjectProposal, "day"))
    project = ProjectProposal(
        association_id=household.association_id, household=household, day=day,
        title=(title or "").strip(), description=(description or "").strip(),
    )  # fmt: skip
    _save(actor, project, ["household", "day", "title", "description"])
    project.touchpoint = touchpoint_record(
        actor=actor, household=household, day=day, kind=K.PROJECT_PROPOSED, ref=project.pk,
        record=project,
    )  # fmt: skip
    project.save(update_fields=["touchpoint"])
    return project


# Communications --------------------------------------------------------------------------------


@transaction.atomic
def communication_record(
    *, actor, association, day: date, kind: str, subject: str,
    household: Household | None = None, group: Group | None = None,
) -> Communication:  # fmt: skip
    """One communication; a `communication` touchpoint (ref = its id) for the household, or for
    every household that is a member of the group on that day. A household that withdrew its
    consent to messages (for a message or a newsletter) or to follow-up is refused (one
    household) or left out (a group)."""
    if (household is None) == (group is None):
        raise ValidationError(_("Send it either to one household or to one group of families."))
    target = household or group
    if target.association_id != association.pk:
        raise ValidationError({"household" if household else "group": _("Not found.")})
    check_day(day, field="day", label=_label(Communication, "day"))
    if household is not None:
        check_communication_allowed(household, message=kind in MESSAGE_KINDS)
    comm = Communication(
        association=association, day=day, kind=kind, household=household, group=group,
        subject=(subject or "").strip(), sent_by=_user(actor),
    )  # fmt: skip
    _save(actor, comm, ["day", "kind", "household", "group", "subject"])
    if household is not None:
        recipients = [household]
    else:
        memberships = GroupMembership.objects.filter(group=group, start__lte=day).exclude(
            end__lt=day
        )
        recipients = [m.household for m in memberships.select_related("household")]
        refused = withdrawn_purposes(
            [h.pk for h in recipients], refused_purposes(message=kind in MESSAGE_KINDS)
        )
        recipients = [h for h in recipients if h.pk not in refused]
    for h in {h.pk: h for h in recipients}.values():
        tp = touchpoint_record(actor=actor, household=h, day=day, kind=K.COMMUNICATION, ref=comm.pk)
        CommunicationRecipient.objects.create(
            association=association, communication=comm, household=h, touchpoint=tp
        )
    return comm
