"""Unique markers planted in every sensitive field and every name, address and phone of two
associations, and who may read each of them (the rules of parcours.accounts.visibility)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.accounts.roles import Capability, Role, role_can
from tests.accounts.test_access import URL_KWARGS
from tests.basis import BASIS
from tests.conftest import ROLES

# model -> fields whose content only roles with VIEW_SENSITIVE may read
SENSITIVE = {
    "households.Household": ("needs",),
    "households.Touchpoint": ("note",),
    "support.SupportCase": ("reason", "outcome_note"),
    "support.FollowUp": ("note",),
    "frontdesk.IntakeVisit": ("listening_notes", "needs"),
}
# model -> fields that name or reach a family: never for the board; for a peer family only
# its own household's
IDENTITY = {
    "households.Household": ("name", "address", "phone"),
    "households.Person": ("first_name", "last_name"),
}
# how to find the household a row is about
HOUSEHOLD_OF = {"households.Household": "pk", "support.FollowUp": "case__household_id"}


@dataclass(frozen=True)
class Marker:
    text: str
    which: str  # association "a" or "b"
    sensitive: bool
    household_id: int


def _objects(world, which):
    """Every object the URL conf names, built for association ``which`` (per role when the
    factory takes one: tasks given to each role)."""
    built = {}
    for key, factory in URL_KWARGS.items():
        if "role" in inspect.signature(factory).parameters:
            built[key] = [factory(world, which, role=r) for r in ROLES]
        else:
            built[key] = [factory(world, which)]
    return built


def _support_history(world, which) -> None:
    """A follow-up and a closed past case beside the open one the factories made."""
    from parcours.households import services as hs
    from parcours.support import services as support

    case = URL_KWARGS["case_pk"](world, which)
    today = timezone.localdate()
    support.support_followup_add(actor=None, case=case, day=today, note="follow-up")
    assoc = world.a if which == "a" else world.b
    past = hs.household_create(
        lawful_basis=BASIS,
        allow_duplicate=True,
        actor=None,
        association=assoc,
        name="Past case",
        neighbourhood="N",
    )
    old = support.support_case_open(
        actor=None, household=past, opened_on=today - timedelta(days=200), reason="old case"
    )
    support.support_case_close(
        actor=None, case=old, closed_on=today - timedelta(days=100), outcome="resolved",
        outcome_note="closed",
    )  # fmt: skip


def plant(world) -> tuple[dict, list[Marker]]:
    """Build every routed object of both associations, then overwrite each planted field with a
    unique marker. Returns (objects by association and URL key, markers)."""
    markers: list[Marker] = []
    objects = {}
    with scopes_disabled():
        for which in ("a", "b"):
            _support_history(world, which)
            objects[which] = _objects(world, which)
        for which, assoc in (("a", world.a), ("b", world.b)):
            for label, fields, sensitive in [
                *((m, f, True) for m, f in SENSITIVE.items()),
                *((m, f, False) for m, f in IDENTITY.items()),
            ]:
                model = apps.get_model(label)
                of = HOUSEHOLD_OF.get(label, "household_id")
                for row in model.objects.filter(association=assoc).values("pk", of):
                    values = {}
                    for f in fields:
                        text = f"qx{which}{f.replace('_', '')}{row['pk']}z"
                        values[f] = text
                        markers.append(Marker(text, which, sensitive, row[of]))
                    model.objects.filter(pk=row["pk"]).update(**values)
    return objects, markers


def forbidden(markers: list[Marker], user, world) -> list[Marker]:
    """The markers ``user`` (None: anonymous) must never read."""
    if user is None:
        return list(markers)
    with scopes_disabled():
        m = Membership.objects.get(user=user)
    which = "a" if m.association_id == world.a.pk else "b"
    sees_sensitive = role_can(m.role, Capability.VIEW_SENSITIVE)
    known = _known_to_peer_family(m) if m.role == Role.PEER_FAMILY else set()

    def hidden(mk: Marker) -> bool:
        if mk.which != which:
            return True
        if mk.sensitive:
            return not sees_sensitive
        if m.role == Role.BOARD:
            return True
        if m.role == Role.PEER_FAMILY:
            return mk.household_id not in known
        return False

    return [mk for mk in markers if hidden(mk)]


def _known_to_peer_family(m) -> set[int]:
    """A peer family's own household, the families it is asked to see (its tasks), and its
    sponsor and the families it sponsors (they know each other)."""
    from django.db.models import Q

    from parcours.community.models import Sponsorship
    from parcours.worklists.models import Task

    with scopes_disabled():
        mine = Q(assignee_user=m.user)
        own = {m.household_id} if m.household_id else set()
        if m.household_id:
            mine |= Q(assignee_household_id=m.household_id)
            for a, b in Sponsorship.objects.filter(
                Q(household_id=m.household_id) | Q(sponsor_household_id=m.household_id),
                end__isnull=True,
            ).values_list("household_id", "sponsor_household_id"):
                own |= {a, b}
        tasks = Task.objects.filter(mine, state__in=("open", "snoozed"))
        return own | set(tasks.values_list("household_id", flat=True))


def digest_for_everyone(world) -> None:
    """Every member asks for the daily email of their tasks."""
    from parcours.worklists.models import DigestPreference

    with scopes_disabled():
        for (which, role), user in world.users.items():
            user.email = f"{role}-{which}@example.org"
            user.save(update_fields=["email"])
            assoc = world.a if which == "a" else world.b
            DigestPreference.objects.update_or_create(
                user=user, association=assoc, defaults={"daily_digest": True, "language": "fr"}
            )
