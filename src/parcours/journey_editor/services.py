"""Writes of the journey editor: save a new version of the rules, restore an older one; and the
preview of what a change would do to the households' stages.

Saving validates the rules with the definition loader (nothing is written when it refuses),
adds a version (who, when, why), audits it, and starts the recomputation of every household's
journey in the background (``parcours.background``), in the same transaction.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import visibility
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.engine import recompute_journeys
from parcours.engine.columns import KIND_CODE, TouchpointColumns
from parcours.engine.definition import journeys_dir
from parcours.journey import definitions
from parcours.journey_editor import rules as journey_rules
from parcours.journey_editor.models import JourneyVersion


def shipped_rules(journey: str) -> dict:
    path = journeys_dir() / f"{journey}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def current_version(association) -> JourneyVersion | None:
    return (
        JourneyVersion.objects.with_scopes_disabled()
        .filter(association_id=association.pk)
        .order_by("-number")
        .first()
    )


def current_rules(association) -> dict:
    """The rules the association uses now: its current version's, or the shipped journey's."""
    version = current_version(association)
    return dict(version.rules) if version else shipped_rules(association.journey)


# --- preview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageChange:
    household_id: int
    name: str
    before: str  # stage key, "" for none
    after: str


@dataclass(frozen=True)
class Preview:
    households: int  # households whose journey was computed
    changes: list[StageChange]  # those whose current stage would change (the member's view)
    fingerprint: str  # of the rules previewed


def _without_support(columns: TouchpointColumns) -> TouchpointColumns:
    keep = ~np.isin(columns.kind, [KIND_CODE[k] for k in visibility.SUPPORT_KINDS])
    return TouchpointColumns(
        **{f: np.ascontiguousarray(getattr(columns, f)[keep]) for f in columns.__dataclass_fields__}
    )


def journey_preview(*, membership, rules: dict, as_of: date | None = None) -> Preview:
    """Which households' current stage the rules would change, as this member sees them.

    The batch engine computes every household's journey of the association with the new rules
    from its stored touchpoints; the stages are compared with the stored ones (what the
    household pages show now). Raises DefinitionError as the loader does; writes nothing.
    """
    from parcours.households.models import Household
    from parcours.journey.models import HouseholdJourney
    from parcours.journey.recompute import HORIZON_DAYS, touchpoint_columns

    association = membership.association
    definition = journey_rules.validate(association.journey, rules, association.vocabulary)
    as_of = as_of or timezone.localdate()
    columns = touchpoint_columns(association)
    if not visibility.sees_support(membership):
        columns = _without_support(columns)
    journeys = recompute_journeys(columns, definition, as_of, horizon_days=HORIZON_DAYS)
    keys = definition.stage_keys
    after = {
        h: (keys[s] if s >= 0 else "")
        for h, s in zip(journeys.households.tolist(), journeys.stage.tolist(), strict=True)
    }
    shown = visibility.households(membership).order_by("name", "pk")
    names = dict(shown.values_list("pk", "name"))
    before = dict(
        visibility.journeys(
            membership, HouseholdJourney.objects.filter(household_id__in=names)
        ).values_list("household_id", "stage")
    )
    changes = [
        StageChange(hid, name, before.get(hid, ""), after.get(hid, ""))
        for hid, name in names.items()
        if before.get(hid, "") != after.get(hid, "")
    ]
    total = Household.objects.filter(association=association, pk__in=names).count()
    return Preview(total, changes, journey_rules.fingerprint(rules))


# --- versions ------------------------------------------------------------------------------


def _why(why: str) -> str:
    why = (why or "").strip()
    if not why:
        raise ValidationError({"why": _("Why: write why the rules change.")})
    return why


def _add(association, *, rules: dict, origin: str, actor, why: str, restored_from=None):
    from parcours.accounts.models import Association

    definition = journey_rules.validate(association.journey, rules, association.vocabulary)
    # Two saves at once number their versions one after the other.
    Association.objects.select_for_update().filter(pk=association.pk).first()
    last = (
        JourneyVersion.objects.with_scopes_disabled()
        .filter(association_id=association.pk)
        .aggregate(n=Max("number"))["n"]
    )
    version = JourneyVersion(
        association=association,
        number=(last or 0) + 1,
        journey=association.journey,
        rules=rules,
        definition_version=definition.version,
        origin=origin,
        restored_from=restored_from,
        actor=actor if getattr(actor, "pk", None) else None,
        why=why,
    )
    version.full_clean()
    version.save()
    return version


def _recompute(actor, association, version):
    from parcours.background.services import job_start
    from parcours.journey_editor.tasks import KIND, recompute_after_version

    definitions.forget_current_versions()  # this thread reads the new version from now on
    job = job_start(
        actor=actor,
        association=association,
        kind=KIND.key,
        task=recompute_after_version,
        kwargs={"association_id": association.pk, "version_id": version.pk},
    )
    version.recompute_job = job
    version.save(update_fields=["recompute_job"])
    return job


@transaction.atomic
def journey_version_save(*, actor, association, rules: dict, why: str):
    """A new version of the association's rules, then their recomputation in the background.

    Raises DefinitionError (the loader's) or ValidationError; nothing is written then.
    Returns (version, job).
    """
    why = _why(why)
    journey_rules.validate(association.journey, rules, association.vocabulary)
    if current_version(association) is None:  # the shipped rules stay readable as version 1
        _add(
            association,
            rules=shipped_rules(association.journey),
            origin=JourneyVersion.Origin.SHIPPED,
            actor=None,
            why="",
        )
    version = _add(
        association, rules=rules, origin=JourneyVersion.Origin.EDITED, actor=actor, why=why
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=version, fields=["rules", "why"])
    return version, _recompute(actor, association, version)


@transaction.atomic
def journey_version_restore(*, actor, version: JourneyVersion, why: str):
    """Roll back: a new version equal to ``version``, then the recomputation. (version, job)"""
    why = _why(why)
    association = version.association
    restored = _add(
        association,
        rules=dict(version.rules),
        origin=JourneyVersion.Origin.RESTORED,
        actor=actor,
        why=why,
        restored_from=version,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=restored,
        fields=["rules", "restored_from", "why"],
    )
    return restored, _recompute(actor, association, restored)
