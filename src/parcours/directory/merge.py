"""Merge two records of one family: everything of the duplicate moves to the kept household.

Every row that points at a household moves, found from the models themselves
(Household._meta.related_objects), so a model added later moves too: touchpoints, members,
support cases, roles, group memberships, sponsorships, referrals, visits, projects,
attendance, consents, tasks, audit events... Then the journey is recomputed, the merge is
audited and recorded (HouseholdMerge, on the kept household's timeline), and the duplicate is
deleted. One transaction: a refusal or an error leaves both households as they were.

Refused (ValidationError naming the records) when the two records cannot both stay open on
one household (two open support cases, two current sponsorships, twice in the same group),
or when the two households are linked to each other (a referral, a sponsorship or a visit
between them says they are two families). Rows that would be exact twins (both marked at
the same session, both recipients of one communication, both reached by one action, the
same task) keep the kept household's row.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.directory.models import HouseholdMerge, SearchWord
from parcours.directory.search import index_households
from parcours.households import hooks
from parcours.households.models import Household, Person, Touchpoint, TouchpointKind

# Derived from the touchpoints: deleted with the duplicate, recomputed for the kept household.
RECOMPUTED = {
    "journey.stagespan",
    "journey.statusspan",
    "journey.householdjourney",
    "worklists.taskcheck",
}
SKIPPED = RECOMPUTED | {SearchWord._meta.label_lower}
# Twins of these keep the kept household's row (the duplicate's is the same fact, twice).
TWINS_DROPPED = {
    "activities.attendance",
    "community.recipient",
    "outreach.contact",
    "worklists.task",
    "worklists.sponsormatch",
}
# Touchpoints whose `ref` names another household (the one brought, met or visited).
REF_IS_HOUSEHOLD = (
    TouchpointKind.REFERRAL_MADE,
    TouchpointKind.PEER_CONTACT,
    TouchpointKind.ABSENT_VISIT,
)
FILLED_FIELDS = ("neighbourhood", "address", "phone", "composition", "heard_from")


def household_links() -> list[models.ForeignKey]:
    """Every foreign key to Household, hidden ones (related_name="+") included."""
    return [
        rel.field
        for rel in Household._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
    ]


def _links() -> list[models.ForeignKey]:
    """The foreign keys a merge moves: all but the derived ones."""
    return [f for f in household_links() if f.model._meta.label_lower not in SKIPPED]


def _manager(model):
    return getattr(model.objects, "with_scopes_disabled", lambda: model._default_manager)()


def _key(row, names) -> tuple:
    return tuple(getattr(row, row._meta.get_field(n).attname) for n in names)


def _twins(field, kept, merged) -> list[tuple[object, str]]:
    """(row of the duplicate, constraint name) for rows that would break a unique constraint
    once moved (conditional constraints: only rows inside the condition)."""
    model = field.model
    found = []
    if field.unique and _manager(model).filter(**{field.name: kept}).exists():  # one-to-one
        found += [(r, field.name) for r in _manager(model).filter(**{field.name: merged})]
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        names = list(constraint.fields)
        if field.name not in names:
            continue
        others = [n for n in names if n != field.name]
        rows = _manager(model).filter(**{field.name: merged})
        theirs = _manager(model).filter(**{field.name: kept})
        if constraint.condition is not None:
            rows, theirs = rows.filter(constraint.condition), theirs.filter(constraint.condition)
        taken = {_key(r, others) for r in theirs}
        found += [(r, constraint.name) for r in rows if _key(r, others) in taken]
    return found


def _linked_to_each_other(kept, merged) -> list[str]:
    """Records between the two households (a model with two links to Household)."""
    by_model: dict[type, list[models.ForeignKey]] = {}
    for field in _links():
        by_model.setdefault(field.model, []).append(field)
    found = []
    for model, fields in by_model.items():
        for a in fields:
            for b in fields:
                if a is not b and _manager(model).filter(**{a.name: kept, b.name: merged}).exists():
                    found.append(str(model._meta.verbose_name))
    return sorted(set(found))


def merge_problems(*, kept: Household, merged: Household) -> list[str]:
    """Why these two cannot be merged (empty: they can)."""
    if kept.pk == merged.pk:
        return [_("Choose two different households.")]
    if kept.association_id != merged.association_id:
        return [_("Choose a household of your association.")]
    if kept.archived_at or merged.archived_at:
        return [_("An archived household cannot be merged: restore it first.")]
    problems = []
    linked = _linked_to_each_other(kept, merged)
    if linked:
        problems.append(
            _("The two households are linked to each other (%(records)s): they are two families.")
            % {"records": ", ".join(linked)}
        )
    for field in _links():
        if field.model._meta.label_lower in TWINS_DROPPED:
            continue
        for row, _name in _twins(field, kept, merged):
            problems.append(
                _("Both households have an open %(record)s (%(row)s): close one first.")
                % {"record": field.model._meta.verbose_name, "row": row}
            )
    return problems


def _drop_twins(field, kept, merged, moved: Counter) -> None:
    for row, _name in _twins(field, kept, merged):
        touchpoint_id = getattr(row, "touchpoint_id", None)
        row.delete()
        if touchpoint_id:  # the mark's own touchpoint goes with it (ownership: no orphan)
            Touchpoint.objects.with_scopes_disabled().filter(pk=touchpoint_id).delete()
        moved[f"{field.model._meta.label_lower}:twins"] += 1


@transaction.atomic
def household_merge(*, actor, kept: Household, merged: Household) -> HouseholdMerge:
    """Move everything of `merged` to `kept`, recompute the journey, delete `merged`."""
    locked = Household.objects.with_scopes_disabled().select_for_update()
    kept, merged = locked.get(pk=kept.pk), locked.get(pk=merged.pk)
    problems = merge_problems(kept=kept, merged=merged)
    if problems:
        raise ValidationError(problems, code="merge_refused")
    moved: Counter = Counter()
    # The duplicate's reference person becomes a member like the others (one per household).
    if Person.objects.with_scopes_disabled().filter(household=kept, relation="reference").exists():
        Person.objects.with_scopes_disabled().filter(household=merged, relation="reference").update(
            relation=Person.Relation.OTHER
        )
    for field in _links():
        if field.model._meta.label_lower in TWINS_DROPPED:
            _drop_twins(field, kept, merged, moved)
        count = _manager(field.model).filter(**{field.name: merged}).update(**{field.name: kept})
        if count:
            moved[field.model._meta.label_lower] += count
    Touchpoint.objects.with_scopes_disabled().filter(
        association_id=kept.association_id, kind__in=REF_IS_HOUSEHOLD, ref=merged.pk
    ).update(ref=kept.pk)
    filled = [f for f in FILLED_FIELDS if not getattr(kept, f) and getattr(merged, f)]
    for name in filled:
        setattr(kept, name, getattr(merged, name))
    kept.languages = sorted(set(kept.languages or []) | set(merged.languages or []))
    kept.save()
    record = HouseholdMerge.objects.create(
        association_id=kept.association_id, household=kept, merged_id=merged.pk,
        merged_name=merged.name, day=timezone.localdate(),
        actor=actor if getattr(actor, "pk", None) else None, moved=dict(sorted(moved.items())),
    )  # fmt: skip
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=kept,
                 fields=["merged_from", *filled])  # fmt: skip
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=merged, fields=["merged_into"])
    merged.delete()
    index_households([kept.pk])
    hooks.touchpoints_changed(kept)
    return record
