"""Writes of consent: the basis recorded at creation, consent given later, withdrawal and its
consequences (in the same transaction), and the association's policy. Each row is audited with
field names only."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.consent import selectors
from parcours.consent.basis import Basis, basis_check, day_problem
from parcours.consent.models import (
    OTHER_BASES,
    ConsentPolicy,
    ConsentRecord,
    LawfulBasis,
    Purpose,
)

RECORD_FIELDS = ["household", "person", "purpose", "basis", "action", "day", "collected_by"]


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _write(*, actor, household, person, purpose, basis, action, day, name="") -> ConsentRecord:
    row = ConsentRecord(
        association_id=household.association_id, household=household, person=person,
        purpose=purpose, basis=basis, action=action, day=day, collected_by=_user(actor),
        collected_by_name=name,
    )  # fmt: skip
    row.full_clean(exclude=["association", "household", "person", "collected_by"])
    row.save()
    fields = RECORD_FIELDS + (["collected_by_name"] if name else [])
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=row, fields=fields)
    return row


def _check_person(household, person) -> None:
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("Person: choose a member of this household.")})


@transaction.atomic
def basis_record(*, actor, household, lawful_basis: Basis, person=None) -> list[ConsentRecord]:
    """Record the basis a new household (or person) was created on: follow-up on the basis,
    and consent for each other purpose the family agreed to."""
    checked = basis_check(association=household.association, lawful_basis=lawful_basis)
    _check_person(household, person)
    rows = [
        _write(
            actor=actor,
            household=household,
            person=person,
            purpose=Purpose.FOLLOW_UP,
            basis=checked.basis,
            action=ConsentRecord.Action.GIVEN,
            day=checked.day,
            name=checked.collected_by_name,
        )  # fmt: skip
    ]
    for purpose in Purpose.values:
        if purpose != Purpose.FOLLOW_UP and purpose in checked.purposes:
            rows.append(
                _write(
                    actor=actor,
                    household=household,
                    person=person,
                    purpose=purpose,
                    basis=LawfulBasis.CONSENT,
                    action=ConsentRecord.Action.GIVEN,
                    day=checked.day,
                    name=checked.collected_by_name,
                )  # fmt: skip
            )
    return rows


def _check_purposes(purposes) -> list[str]:
    chosen = [p for p in Purpose.values if p in set(purposes or ())]
    if not chosen or len(chosen) != len(set(purposes)):
        raise ValidationError({"purposes": _("Purposes: tick at least one of the purposes.")})
    return chosen


def _check_day(day: date | None) -> None:
    problem = day_problem(day)
    if problem:
        raise ValidationError({"consent_day": problem})


@transaction.atomic
def consent_give(
    *, actor, household, purposes, day: date, person=None, collected_by_name: str = ""
) -> list[ConsentRecord]:
    """The family (or one member) consents now to more purposes, or again after withdrawing."""
    chosen = _check_purposes(purposes)
    _check_day(day)
    _check_person(household, person)
    name = " ".join((collected_by_name or "").split())
    if len(name) > 200:
        raise ValidationError({"collected_by_name": _("Collected by: at most 200 characters.")})
    state = selectors.current(household)
    new = [p for p in chosen if not _given_in_scope(state, p, person)]
    if not new:
        raise ValidationError({"purposes": _("Purposes: this consent is already recorded.")})
    return [
        _write(
            actor=actor,
            household=household,
            person=person,
            purpose=p,
            basis=LawfulBasis.CONSENT,
            action=ConsentRecord.Action.GIVEN,
            day=day,
            name=name,
        )  # fmt: skip
        for p in new
    ]


def _given_in_scope(state, purpose, person) -> bool:
    row = state.get((person.pk if person else None, purpose))
    return row is not None and row.action == ConsentRecord.Action.GIVEN


@transaction.atomic
def consent_withdraw(
    *, actor, household, purposes=None, day: date | None = None, person=None
) -> list[ConsentRecord]:
    """Withdraw consent (or object, for another basis) for the purposes given, all when None.

    For the whole household, members' own consents to those purposes go too. Consequences in
    the same transaction: sponsoring withdrawn ends the household's active sponsorships (as
    sponsored or as sponsor family) and its "assign a sponsor" task closes; messages are refused
    from now on by the communications service; photos withdrawn flag the household; follow-up
    withdrawn closes every task about the household and no new one is proposed.
    """
    chosen = Purpose.values if purposes is None else _check_purposes(purposes)
    day = day or timezone.localdate()
    _check_day(day)
    _check_person(household, person)
    state = selectors.current(household)
    # The whole household: its own rows and each member's own rows. One person: their
    # current state, their own record or the household's they inherit.
    scopes = [person] if person is not None else [None, *_members_with_rows(state)]
    rows = []
    for who in scopes:
        for purpose in chosen:
            if person is not None:
                last = _effective(state, purpose, person)
            else:
                last = state.get((who.pk if who else None, purpose))
            if last is None or last.action != ConsentRecord.Action.GIVEN:
                continue
            rows.append(
                _write(
                    actor=actor,
                    household=household,
                    person=who,
                    purpose=purpose,
                    basis=last.basis,
                    action=ConsentRecord.Action.WITHDRAWN,
                    day=day,
                )  # fmt: skip
            )
    if not rows:
        raise ValidationError(
            {"purposes": _("Purposes: nothing to withdraw, no consent is current for these.")}
        )
    if person is None and Purpose.SPONSORING in chosen:
        _end_sponsorships(actor=actor, household=household, day=day)
    if person is None and {Purpose.SPONSORING, Purpose.FOLLOW_UP} & set(chosen):
        from parcours.worklists.regenerate import tasks_regenerate

        # no more "assign a sponsor" task; without follow-up, no task at all
        tasks_regenerate(household)
    return rows


def _members_with_rows(state) -> list:
    members = {row.person_id: row.person for (pid, _p), row in state.items() if pid is not None}
    return [members[pk] for pk in sorted(members)]


def _effective(state, purpose, person):
    if person is None:
        return state.get((None, purpose))
    return state.get((person.pk, purpose)) or state.get((None, purpose))


def _end_sponsorships(*, actor, household, day: date) -> None:
    from django.db.models import Q

    from parcours.community.models import ClosureReason, Sponsorship
    from parcours.community.services import sponsorship_end

    active = Sponsorship.objects.filter(
        Q(household=household) | Q(sponsor_household=household), end=None
    )
    for sponsorship in active:
        sponsorship_end(
            actor=actor, sponsorship=sponsorship, end=max(day, sponsorship.start),
            closure_reason=ClosureReason.CONSENT_WITHDRAWN,
        )  # fmt: skip


def refused_purposes(*, message: bool) -> list[str]:
    """The purposes whose withdrawal stops a communication: follow-up always (a call is
    follow-up), messages too for a message or a newsletter."""
    return [Purpose.FOLLOW_UP, Purpose.MESSAGES] if message else [Purpose.FOLLOW_UP]


def check_communication_allowed(household, *, message: bool) -> None:
    """Raise ValidationError when the household withdrew what this communication needs."""
    withdrawn = selectors.withdrawn_purposes([household.pk], refused_purposes(message=message))
    refused = withdrawn.get(household.pk, set())
    if Purpose.FOLLOW_UP in refused:
        text = _("Household: %(name)s withdrew its consent to follow-up; nothing was recorded.")
    elif refused:
        text = _("Household: %(name)s withdrew its consent to messages; nothing was sent.")
    else:
        return
    raise ValidationError({"household": text % {"name": household.name}})


def check_sponsoring_allowed(household, field: str = "household") -> None:
    """Raise ValidationError when the household withdrew its consent to sponsoring."""
    if selectors.withdrawal(household, Purpose.SPONSORING) is not None:
        raise ValidationError(
            {
                field: _(
                    "Sponsoring: %(name)s withdrew its consent to sponsoring; nothing was saved."
                )
                % {"name": household.name}
            }
        )


@transaction.atomic
def policy_set(*, actor, association, other_bases, justification: str = "") -> ConsentPolicy:
    chosen = [b for b in OTHER_BASES if b in set(other_bases or ())]
    if len(chosen) != len(set(other_bases or ())):
        raise ValidationError({"other_bases": _("Other bases: choose among the proposed ones.")})
    justification = (justification or "").strip()
    if chosen and not justification:
        raise ValidationError(
            {
                "justification": _(
                    "Justification: explain why the association may rely on these bases "
                    "(its balancing test, or the reference of its public mandate)."
                )
            }
        )
    policy, _created = ConsentPolicy.objects.with_scopes_disabled().get_or_create(
        association=association
    )
    policy.other_bases = chosen
    policy.justification = justification
    policy.full_clean(exclude=["association"])
    policy.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=policy,
        fields=["other_bases", "justification"],
    )  # fmt: skip
    return policy
