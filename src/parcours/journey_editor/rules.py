"""The numbers of a journey's rules that the editor lets an association change.

Every threshold and window of a stage, status or task rule is an integer setting of the rules
(``min_count``, ``window_days``...). :func:`parameters` lists them with the loader's key path
(``stages[5].condition.conditions[0].min_count``); :func:`with_values` returns the rules with
new values; :func:`validate` runs the definition loader on them, then the task rules'
validation, exactly as loading the file does: any problem raises the loader's
``DefinitionError`` naming the key path.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from parcours.engine import DefinitionError, JourneyDefinition
from parcours.engine.worklists import task_rules
from parcours.journey.definitions import definition_from_rules

# The integer settings that are thresholds or windows (never structure, like a stage's order).
NUMBERS = (
    "min_count",
    "min_distinct",
    "window_days",
    "closed_within_days",
    "within_days",
    "after_days",
    "due_days",
)
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Parameter:
    path: str  # the loader's key path
    key: str  # one of NUMBERS
    value: object  # an int in valid rules; whatever was typed in an edit
    section: str  # "stages" | "statuses" | "tasks"
    index: int  # the rule's position in its section
    rule: str  # the rule's key ("usage", "absent", "recontact")
    condition: str  # the condition (or task rule) type holding the number

    @property
    def name(self) -> str:
        return field_name(self.path)


def field_name(path: str) -> str:
    """A form field's name for a key path: ``stages-5-condition-conditions-0-min_count``."""
    return _INDEX.sub(r".\1", path).replace(".", "-")


def _walk(node: object, path: str, kind: str) -> Iterator[tuple[str, str, object, str]]:
    if not isinstance(node, Mapping):
        return
    own = str(node.get("type", kind))
    for key, value in node.items():
        here = f"{path}.{key}"
        if key in NUMBERS:
            yield here, key, value, own
        elif key == "condition":
            yield from _walk(value, here, own)
        elif key == "conditions" and isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk(item, f"{here}[{i}]", own)


def parameters(rules: Mapping[str, object]) -> list[Parameter]:
    out = []
    for section in ("stages", "statuses", "tasks"):
        items = rules.get(section) or []
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            key = str(item.get("key", ""))
            for path, name, value, condition in _walk(item, f"{section}[{i}]", ""):
                out.append(Parameter(path, name, value, section, i, key, condition))
    return out


def _tokens(path: str) -> list[str | int]:
    return [int(t) if t.isdigit() else t for t in _INDEX.sub(r".\1", path).split(".")]


def with_values(rules: Mapping[str, object], values: Mapping[str, object]) -> dict:
    """A copy of ``rules`` with the values at the given key paths (which must exist)."""
    out = copy.deepcopy(dict(rules))
    for path, value in values.items():
        *head, last = _tokens(path)
        node: object = out
        for token in head:
            node = node[token]  # type: ignore[index]
        node[last] = value  # type: ignore[index]
    return out


def validate(journey: str, rules: Mapping[str, object], vocabulary: str) -> JourneyDefinition:
    """The loader's validation of the rules, task rules included (raises DefinitionError)."""
    definition = definition_from_rules(journey, dict(rules), vocabulary)
    task_rules(definition)
    return definition


def fingerprint(rules: Mapping[str, object]) -> str:
    """What a preview was computed for: the save must carry the same."""
    text = json.dumps(rules, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


__all__ = [
    "NUMBERS",
    "DefinitionError",
    "Parameter",
    "field_name",
    "fingerprint",
    "parameters",
    "validate",
    "with_values",
]
