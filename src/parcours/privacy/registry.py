"""Where Parcours keeps data about a household or a person, found by introspection.

Every model with a foreign key to ``Household`` or ``Person`` is a *link*; so is a model whose
rows cascade from a linked one (a support case's follow-ups). The subject export and the
erasure walk these links, so a model added later is exported and erased without being listed
here. Two declarations refine the walk, each with its reason:

- ``REFERENCE_ONLY``: the row is somebody else's record that merely names the household (a
  session it led, a task about another family assigned to it). Its free text is about the
  other party: the export shows the fact without the text, the erasure keeps the row as it is
  (the household it points to is anonymised anyway).
- ``OUT_OF_SCOPE``: a link the export leaves out, with the reason. ``tests/privacy`` fails on
  a link that is neither exported nor declared here.

Free text is any ``CharField``/``TextField`` without choices and any ``JSONField``: the fields
that can hold an identifier. Fields with choices hold categories, dates and numbers hold
facts the figures are made of; both are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models

HOUSEHOLD = "households.household"
PERSON = "households.person"

# (model label, field name) -> why the row is another party's record that only names the subject
REFERENCE_ONLY: dict[tuple[str, str], str] = {
    ("activities.schedule", "facilitator_household"): "the weekly slot of an activity it leads",
    ("activities.session", "facilitator_household"): "a session of an activity it led",
    ("frontdesk.inforequest", "peer_household"): "another family's request it passed on",
    ("frontdesk.peercontact", "peer_household"): "another family that met it",
    ("worklists.task", "assignee_household"): "a task about another family, assigned to it",
    ("worklists.sponsormatch", "sponsor_household"): "another family's sponsor proposal",
    ("community.absentvisit", "visitor"): "its visit to another family",
}

# (model label, field name) -> why the subject export leaves the link out
OUT_OF_SCOPE: dict[tuple[str, str], str] = {
    ("accounts.membership", "household"): (
        "the peer family's login to Parcours: an account of the association's tool, not a "
        "record about the family; the erasure closes it (name, e-mail and password go)"
    ),
    ("worklists.taskcheck", "household"): (
        "an internal timer (the day the household's tasks are next recomputed): no information"
    ),
    ("directory.searchword", "household"): (
        "the pickers' search index: the household's name, neighbourhood, address and members' "
        "names cut into words, exported whole with the household and its members"
    ),
}

# Fields that hold a category or a machine code although they have no choices: kept.
KEPT_TEXT: dict[str, frozenset[str]] = {
    "journey.stagespan": frozenset({"stage", "definition_version"}),
    "journey.statusspan": frozenset({"status", "definition_version"}),
    "journey.manualplacement": frozenset({"stage"}),
    "journey.householdjourney": frozenset({"stage", "definition_version"}),
    "worklists.task": frozenset({"rule", "cause", "stage"}),
    "worklists.sponsormatch": frozenset({"proposed"}),
    "households.household": frozenset({"neighbourhood"}),  # kept on erasure: the figures use it
    "audit.auditevent": frozenset({"object_type"}),
    # derived: rebuilt from the anonymised names by the erasure itself (privacy.services._record)
    "directory.searchword": frozenset({"word"}),
}

# Who a household or a person is: never rewritten by the search for a name in other rows (another
# family may bear the same name); the erased subject's own rows are cleared field by field.
IDENTITY_FIELDS: dict[str, frozenset[str]] = {
    "households.household": frozenset({"name", "address", "phone"}),
    "households.person": frozenset({"first_name", "last_name"}),
}

# JSON fields emptied on erasure rather than filtered (their codes could still single someone out)
CLEARED_JSON = frozenset(
    {("households.household", "languages"), ("worklists.sponsorprofile", "languages")}
)

# Sensitive data (Capability.VIEW_SENSITIVE), exported only to a role holding it.
SENSITIVE_MODELS = frozenset({"support.supportcase", "support.followup"})
SENSITIVE_FIELDS: dict[str, frozenset[str]] = {
    "households.household": frozenset({"needs"}),
    "households.touchpoint": frozenset({"note"}),
    "frontdesk.intakevisit": frozenset({"listening_notes", "needs"}),
}
# A row whose values name one of these codes (a support touchpoint, the "in support" status, a
# stage span or a task whose reasons cite a support case) is sensitive as a whole.
SENSITIVE_CODES = ("support_", "in_support")


@dataclass(frozen=True)
class Link:
    """Rows of ``model`` whose ``path`` (an ORM lookup) leads to a household or a person."""

    model: type[models.Model]
    path: str  # e.g. "household", "case__household"
    target: str  # HOUSEHOLD or PERSON
    reference_only: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def key(self) -> tuple[str, str]:
        return (self.label, self.path.split("__")[0])


def _label(model) -> str:
    return model._meta.label_lower


@cache
def all_links() -> tuple[Link, ...]:
    """Every link to a household or a person, direct or through a cascading parent."""
    links: list[Link] = []
    direct: dict[type[models.Model], str] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            target = _label(field.related_model) if field.is_relation else None
            if target in (HOUSEHOLD, PERSON):
                key = (_label(model), field.name)
                links.append(Link(model, field.name, target, key in REFERENCE_ONLY))
                if target == HOUSEHOLD and key not in REFERENCE_ONLY:
                    direct.setdefault(model, field.name)
    for model in apps.get_models():
        if model in direct or _label(model) in (HOUSEHOLD, PERSON):
            continue
        for field in model._meta.concrete_fields:
            parent = field.related_model if field.is_relation else None
            if parent in direct and field.remote_field.on_delete is models.CASCADE:
                path = f"{field.name}__{direct[parent]}"
                links.append(Link(model, path, HOUSEHOLD))
    return tuple(links)


def exported_links() -> tuple[Link, ...]:
    return tuple(link for link in all_links() if link.key not in OUT_OF_SCOPE)


def is_free_text(field) -> bool:
    if isinstance(field, models.JSONField):
        return True
    return isinstance(field, models.CharField | models.TextField) and not field.choices


def free_text_fields(model) -> list:
    kept = KEPT_TEXT.get(_label(model), frozenset())
    return [
        f
        for f in model._meta.concrete_fields
        if is_free_text(f) and not f.is_relation and f.name not in kept
    ]


def is_sensitive(model, field_name: str | None = None) -> bool:
    label = _label(model)
    if label in SENSITIVE_MODELS:
        return True
    return field_name is not None and field_name in SENSITIVE_FIELDS.get(label, frozenset())
