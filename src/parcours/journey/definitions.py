"""Which journey definition an association uses.

An association whose rules were never edited uses the shipped journey it was created with
(``Association.journey``, from ``PARCOURS_JOURNEY``). Once edited in the browser
(``parcours.journey_editor``), it uses its current ``JourneyVersion``: the highest number.

Parsed definitions are cached per process, keyed on the version's id, its rules' fingerprint
and the vocabulary: a save anywhere makes a new version, so every process (web workers, the
background worker) reads the new rules at its next request or task. Which version is current
is read once per request or task (and again after a save in this thread), not once per
household of a loop.
The fingerprint is in the key because a database may hand out an id again (SQLite reuses the
highest rowid after a rollback or a deletion): an id alone could name other rules.
"""

from __future__ import annotations

import threading
import tomllib
from functools import lru_cache

from parcours.engine import JourneyDefinition, parse_definition, shipped_definition
from parcours.engine.definition import journeys_dir

_current = threading.local()


def forget_current_versions(**_kwargs) -> None:
    """Read the current versions again (connected to request_started and task_started)."""
    _current.ids = {}


def _current_version_key(association) -> tuple[int, str] | None:
    from parcours.journey_editor.models import JourneyVersion

    ids = getattr(_current, "ids", None)
    if ids is None:
        ids = _current.ids = {}
    if association.pk not in ids:
        ids[association.pk] = (
            JourneyVersion.objects.with_scopes_disabled()
            .filter(association_id=association.pk)
            .order_by("-number")
            .values_list("id", "definition_version")
            .first()
        )
    return ids[association.pk]


@lru_cache(maxsize=16)
def _shipped(journey: str, vocabulary: str) -> JourneyDefinition:
    return shipped_definition(journey, vocabulary)


@lru_cache(maxsize=8)
def shipped_vocabulary(name: str) -> dict:
    path = journeys_dir() / "vocabularies" / f"{name}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def rules_source(journey: str) -> str:
    """The name the loader's messages give the rules: the shipped file's."""
    return f"{journey}.toml"


def definition_from_rules(journey: str, rules: dict, vocabulary: str) -> JourneyDefinition:
    """Validate rules (as read from TOML) into a definition, as the loader does the file."""
    return parse_definition(
        rules,
        source=rules_source(journey),
        vocabulary=shipped_vocabulary(vocabulary),
        vocabulary_source=f"vocabularies/{vocabulary}.toml",
    )


@lru_cache(maxsize=64)
def _version(version_id: int, fingerprint: str, vocabulary: str) -> JourneyDefinition:
    from parcours.journey_editor.models import JourneyVersion

    version = JourneyVersion.objects.with_scopes_disabled().get(pk=version_id)
    return definition_from_rules(version.journey, version.rules, vocabulary)


def definition_key(association) -> tuple:
    """What names the definition definition_for gives the association (its words and labels
    included): for what is kept of pages drawn with it."""
    return (association.journey, association.vocabulary, _current_version_key(association))


def definition_for(association) -> JourneyDefinition:
    key = _current_version_key(association)
    if key is None:
        return _shipped(association.journey, association.vocabulary)
    version_id, fingerprint = key
    return _version(version_id, fingerprint, association.vocabulary)
