"""What each role may learn: the one place that decides.

Every read of households, touchpoints, stored journeys (stage and status spans, the current
placement) and tasks goes through a function of this module, given the reader's membership.

Support is invisible to roles without ``Capability.VIEW_SENSITIVE`` (volunteers, peer families,
the board): for them a household with a support case, open or past, is indistinguishable from
the same household without one. Their journey is not the full journey with parts blanked out
(a blank would itself tell), it is the journey the engine computes from the evidence they may
see, i.e. without the support touchpoints. The journey app stores it beside the full one,
marked by an *audience*:

- ``all``: valid for every role (a household that never had a support touchpoint);
- ``sensitive``: the full journey of a household with support evidence;
- ``public``: the same household computed without its support evidence.

Tasks carry the same mark: a task the journey proposes from both views is ``all``; one that
only the full view proposes (a support follow-up, the lapse of Maintenance) is ``sensitive``
and goes to, and is seen by, sensitive roles only; one that only the public view proposes
(e.g. inviting to a group a household the full view places in Maintenance) is ``public``.

Households: the board sees none (aggregates only); a peer family sees its own household, and
only the absent families whose visit is assigned to it; the other roles see the association's
households, except archived ones for non-administrators (``Household.archived_at``, once the
retention app adds it).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from parcours.accounts.roles import Capability, Role, role_can

# Touchpoint kinds whose very existence is sensitive (a support case is a breakdown).
SUPPORT_KINDS = ("support_opened", "support_closed")


class Audience:
    ALL = "all"
    SENSITIVE = "sensitive"
    PUBLIC = "public"
    CHOICES = ((ALL, "all"), (SENSITIVE, "sensitive"), (PUBLIC, "public"))


ALL = Audience.ALL
FULL_VIEW = (Audience.ALL, Audience.SENSITIVE)
PUBLIC_VIEW = (Audience.ALL, Audience.PUBLIC)


def _role(membership) -> str | None:
    return getattr(membership, "role", None)


def sees_support(membership) -> bool:
    """Whether the member may learn that a household is (or was) in personalised support."""
    return role_can(_role(membership), Capability.VIEW_SENSITIVE)


def audiences(membership) -> tuple[str, ...]:
    """The stored journeys and tasks this member reads."""
    return FULL_VIEW if sees_support(membership) else PUBLIC_VIEW


def has_support_evidence(kinds) -> bool:
    """Whether a household's touchpoint kinds include support: it then gets two journeys."""
    return any(k in SUPPORT_KINDS for k in kinds)


def public_evidence(rows, kind_index: int = 1) -> list:
    """Touchpoint rows (tuples) without the support ones: what the public journey reads."""
    return [r for r in rows if r[kind_index] not in SUPPORT_KINDS]


# --- households -----------------------------------------------------------------------------


def households(membership, qs: QuerySet | None = None) -> QuerySet:
    """The households this member may see by name (lists, search, pages, forms)."""
    from parcours.households.models import Household

    qs = Household.objects.all() if qs is None else qs
    role = _role(membership)
    if role is None or role == Role.BOARD:
        return qs.none()
    if role == Role.PEER_FAMILY:
        if not membership.household_id:
            return qs.none()
        return qs.filter(Q(pk=membership.household_id) | Q(pk__in=_assigned_visits(membership)))
    return unarchived(membership, qs)


def _archives() -> bool:
    from parcours.households.models import Household

    return any(f.name == "archived_at" for f in Household._meta.get_fields())


def unarchived(membership, qs: QuerySet) -> QuerySet:
    """The intermediate archive (parcours.compliance) is in no list, search or picker: an
    administrator reads an archived household through the archive, with a reason."""
    if not _archives():
        return qs
    return qs.filter(archived_at__isnull=True)


def is_archived_for(membership, household) -> bool:
    return _archives() and getattr(household, "archived_at", None) is not None


def can_open_household(membership, household) -> bool:
    """The household page: the roles that see households, and a peer family its own."""
    role = _role(membership)
    if is_archived_for(membership, household):
        return False
    if role == Role.PEER_FAMILY:
        return household.pk == membership.household_id
    return role_can(role, Capability.VIEW_HOUSEHOLDS)


def absent_families(membership, qs: QuerySet) -> QuerySet:
    """Of ``qs`` (absent households), those this member may be asked to visit.

    A peer family: only the families whose visit task is assigned to its household.
    """
    if _role(membership) == Role.PEER_FAMILY:
        return qs.filter(pk__in=_assigned_visits(membership)).exclude(pk=membership.household_id)
    return households(membership, qs)


def _assigned_visits(membership):
    from parcours.worklists.models import Task

    return Task.objects.filter(
        assignee_household_id=membership.household_id,
        rule__in=("find_absent", "peer_visit"),
        state__in=(Task.State.OPEN, Task.State.SNOOZED),
        audience__in=PUBLIC_VIEW,
    ).values("household_id")


# --- touchpoints and journeys ---------------------------------------------------------------


def touchpoints(membership, qs: QuerySet | None = None) -> QuerySet:
    """Touchpoints this member may learn of: support ones only for sensitive roles."""
    from parcours.households.models import Touchpoint

    qs = Touchpoint.objects.all() if qs is None else qs
    if not sees_support(membership):
        qs = qs.exclude(kind__in=SUPPORT_KINDS)
    return qs


def journeys(membership, qs: QuerySet) -> QuerySet:
    """Stored stage spans, status spans or placements (HouseholdJourney) of the member's view."""
    return qs.filter(audience__in=audiences(membership))


def full_view(qs: QuerySet) -> QuerySet:
    """The full journey, for the association's own decisions (nobody reads it out)."""
    return qs.filter(audience__in=FULL_VIEW)


def support_stages(definition) -> frozenset[str]:
    """Stages whose condition reads support evidence (Maintenance in the shipped journey)."""
    return frozenset(
        s.key for s in definition.stages if any(k in repr(s.condition) for k in SUPPORT_KINDS)
    )


def support_statuses(definition) -> frozenset[str]:
    """Statuses whose condition reads support evidence (Receiving support in the shipped journey):
    a role without access to support neither sees them nor filters on them."""
    return frozenset(
        s.key for s in definition.statuses if any(k in repr(s.condition) for k in SUPPORT_KINDS)
    )


def statuses_for(membership, definition) -> tuple[str, ...]:
    """The status keys this member may see and filter on, in the definition's order."""
    hidden = frozenset() if sees_support(membership) else support_statuses(definition)
    return tuple(s.key for s in definition.statuses if s.key not in hidden)


def manual_placement(membership, placement, definition):
    """A placement by hand at a support stage tells of support: sensitive roles only."""
    if placement is None or sees_support(membership):
        return placement
    return None if placement.stage in support_stages(definition) else placement


# --- tasks ----------------------------------------------------------------------------------


def tasks(membership, qs: QuerySet) -> QuerySet:
    """Tasks of the member's view; the board gets none (names are never shown to it)."""
    if not role_can(_role(membership), Capability.WORK_ON_TASKS):
        return qs.none()
    return qs.filter(audience__in=audiences(membership))


def may_be_assigned(membership, task) -> bool:
    """Whether a member may be given a task: one who works on tasks and may read it."""
    return role_can(_role(membership), Capability.WORK_ON_TASKS) and (
        task.audience in audiences(membership)
    )


def family_may_be_assigned(task) -> bool:
    """A peer family is never given a task that tells of support."""
    return task.audience in PUBLIC_VIEW
