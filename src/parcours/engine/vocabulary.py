"""Vocabularies: the words of a journey in each language. Words only, never behaviour.

A vocabulary file (``journeys/vocabularies/<key>.toml``) has::

    [vocabulary]            key = "customer"
    [words.<lang>]          household = "...", activity = "...", ... (same keys per language)
    [stages.<stage>.<lang>] label, description, association_does   (every stage, every language)
    [statuses.<key>.<lang>] label                                  (every status, every language)
    [tasks.<key>.<lang>]    title   (task rules of the journey; a rule given a title has
                                     one in every language, an unknown rule key is refused)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from parcours.engine.errors import DefinitionError

LANGUAGES: tuple[str, ...] = ("fr", "en")
STAGE_TEXTS: tuple[str, ...] = ("label", "description", "association_does")


@dataclass(frozen=True)
class StageText:
    label: str
    description: str
    association_does: str


@dataclass(frozen=True)
class Vocabulary:
    key: str
    source: str
    words: Mapping[str, Mapping[str, str]]  # language -> word key -> word
    stages: Mapping[tuple[str, str], StageText]  # (stage key, language) -> texts
    statuses: Mapping[tuple[str, str], str]  # (status key, language) -> label
    tasks: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (task, lang) -> title

    def word(self, key: str, language: str) -> str:
        return self.words[language][key]


def _table(data: object, source: str, path: str) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise DefinitionError(source, path, "missing table" if data is None else "must be a table")
    return data


def _text(data: Mapping[str, object], key: str, source: str, path: str) -> str:
    value = data.get(key)
    if value is None:
        raise DefinitionError(source, f"{path}.{key}", "missing key")
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(source, f"{path}.{key}", "must be a non-empty string")
    return value


def parse_vocabulary(
    data: Mapping[str, object],
    source: str,
    stage_keys: tuple[str, ...],
    status_keys: tuple[str, ...],
    task_keys: tuple[str, ...] = (),
) -> Vocabulary:
    """Validate a vocabulary against the journey's stage and status keys."""
    head = _table(data.get("vocabulary"), source, "vocabulary")
    key = _text(head, "key", source, "vocabulary")
    words_t = _table(data.get("words"), source, "words")
    words: dict[str, Mapping[str, str]] = {}
    for lang in LANGUAGES:
        table = _table(words_t.get(lang), source, f"words.{lang}")
        words[lang] = MappingProxyType({k: _text(table, k, source, f"words.{lang}") for k in table})
    first = set(words[LANGUAGES[0]])
    for lang in LANGUAGES[1:]:
        for k in first.symmetric_difference(words[lang]):
            raise DefinitionError(source, f"words.{lang}.{k}", "word keys differ between languages")
    stages: dict[tuple[str, str], StageText] = {}
    stages_t = _table(data.get("stages"), source, "stages")
    for k in stages_t:
        if k not in stage_keys:
            raise DefinitionError(source, f"stages.{k}", "unknown stage key")
    for stage in stage_keys:
        per_stage = _table(stages_t.get(stage), source, f"stages.{stage}")
        for lang in LANGUAGES:
            path = f"stages.{stage}.{lang}"
            t = _table(per_stage.get(lang), source, path)
            stages[(stage, lang)] = StageText(*(_text(t, f, source, path) for f in STAGE_TEXTS))
    statuses: dict[tuple[str, str], str] = {}
    statuses_t = _table(data.get("statuses"), source, "statuses")
    for k in statuses_t:
        if k not in status_keys:
            raise DefinitionError(source, f"statuses.{k}", "unknown status key")
    for status in status_keys:
        per_status = _table(statuses_t.get(status), source, f"statuses.{status}")
        for lang in LANGUAGES:
            path = f"statuses.{status}.{lang}"
            statuses[(status, lang)] = _text(
                _table(per_status.get(lang), source, path), "label", source, path
            )
    tasks: dict[tuple[str, str], str] = {}
    tasks_t = _table(data.get("tasks", {}), source, "tasks")
    for k in tasks_t:
        if k not in task_keys:
            allowed = ", ".join(task_keys)
            raise DefinitionError(source, f"tasks.{k}", f"unknown key (allowed: {allowed})")
        per_task = _table(tasks_t[k], source, f"tasks.{k}")
        for lang in LANGUAGES:
            path = f"tasks.{k}.{lang}"
            tasks[(k, lang)] = _text(
                _table(per_task.get(lang), source, path), "title", source, path
            )
    return Vocabulary(
        key=key,
        source=source,
        words=MappingProxyType(words),
        stages=MappingProxyType(stages),
        statuses=MappingProxyType(statuses),
        tasks=MappingProxyType(tasks),
    )
