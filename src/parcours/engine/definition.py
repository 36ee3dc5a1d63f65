"""Journey definitions: load a rules file (TOML) and a vocabulary, validate, freeze.

Rules file (``journeys/<journey>.toml``)::

    format = 1                                  # file format version
    tasks = []                                  # or [[tasks]] tables, each with a `key`
    [journey]   key, version (declared, str), default_vocabulary
    [[stages]]  key, order (int, strictly increasing), mode ("sticky" | "windowed"),
                condition (a table with `type`, see conditions.py)
    [[statuses]] key, condition, min_stage (optional stage key: only at or beyond it),
                unless (optional list of other status keys: this status does not hold
                while one of their conditions holds, so the two never show together)

Loading is a pure function returning an immutable :class:`JourneyDefinition`; any problem
raises :class:`DefinitionError` naming the file, the key path (``stages[5].condition.
window_days``) and the reason, and nothing is applied. ``version`` is the declared version
plus a hash of the rules, so spans can be stored with the exact rules that produced them;
the vocabulary is not part of it (words do not change spans).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from parcours.engine.conditions import Condition, ParseContext, parse_condition
from parcours.engine.errors import DefinitionError
from parcours.engine.task_kinds import parse_task
from parcours.engine.task_types import TaskParseContext, TaskType
from parcours.engine.vocabulary import Vocabulary, parse_vocabulary

FORMAT = 1
MODES = ("sticky", "windowed")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class StageRule:
    key: str
    order: int
    sticky: bool
    condition: Condition


@dataclass(frozen=True)
class StatusRule:
    key: str
    condition: Condition
    min_stage: str | None
    unless: tuple[str, ...] = ()


TaskRule = TaskType  # a validated [[tasks]] table (task_types.py); ``settings``: its table


@dataclass(frozen=True)
class JourneyDefinition:
    key: str
    declared_version: str
    version: str  # "<declared>+<12 hex of the rules hash>"
    source: str
    stages: tuple[StageRule, ...]
    statuses: tuple[StatusRule, ...]
    tasks: tuple[TaskType, ...]
    default_vocabulary: str
    vocabulary: Vocabulary | None

    @property
    def stage_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.stages)

    def stage_index(self, key: str) -> int:
        return self.stage_keys.index(key)

    def stage_label(self, key: str, language: str) -> str:
        if self.vocabulary is None:
            return key
        return self.vocabulary.stages[(key, language)].label

    def status_label(self, key: str, language: str) -> str:
        if self.vocabulary is None:
            return key
        return self.vocabulary.statuses[(key, language)]

    def task_title(self, key: str, language: str) -> str | None:
        """The task rule's title in the vocabulary (None when it gives none)."""
        if self.vocabulary is None:
            return None
        return self.vocabulary.tasks.get((key, language))


def _key(data: Mapping[str, object], path: str, ctx: ParseContext) -> str:
    value = data.get("key")
    if value is None:
        raise ctx.error(f"{path}.key", "missing key")
    if not isinstance(value, str) or not _KEY.match(value):
        raise ctx.error(f"{path}.key", f"must be a lowercase identifier, got {value!r}")
    return value


def _list(
    data: Mapping[str, object], key: str, ctx: ParseContext, *, required: bool
) -> list[object]:
    value = data.get(key)
    if value is None:
        if required:
            raise ctx.error(key, "missing key")
        return []
    if not isinstance(value, list):
        raise ctx.error(key, "must be an array of tables")
    return value


def _table(data: object, path: str, ctx: ParseContext) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise ctx.error(path, "missing table" if data is None else "must be a table")
    return data


def _parse_stages(data: Mapping[str, object], ctx: ParseContext) -> tuple[StageRule, ...]:
    raw = _list(data, "stages", ctx, required=True)
    if not raw:
        raise ctx.error("stages", "needs at least one stage")
    tables = [_table(t, f"stages[{i}]", ctx) for i, t in enumerate(raw)]
    keys = [_key(t, f"stages[{i}]", ctx) for i, t in enumerate(tables)]
    for i, k in enumerate(keys):
        if k in keys[:i]:
            raise ctx.error(f"stages[{i}].key", f"duplicate stage key {k!r}")
    if len(keys) > 15:
        raise ctx.error("stages", "at most 15 stages")
    out: list[StageRule] = []
    last_order: int | None = None
    for i, t in enumerate(tables):
        path = f"stages[{i}]"
        for k in t:
            if k not in {"key", "order", "mode", "condition"}:
                raise ctx.error(f"{path}.{k}", "unknown key (allowed: condition, key, mode, order)")
        order = t.get("order")
        if order is None:
            raise ctx.error(f"{path}.order", "missing key")
        if isinstance(order, bool) or not isinstance(order, int):
            raise ctx.error(f"{path}.order", f"must be an integer, got {order!r}")
        if last_order is not None and order <= last_order:
            raise ctx.error(f"{path}.order", "stages must be listed in strictly increasing order")
        last_order = order
        mode = t.get("mode")
        if mode is None:
            raise ctx.error(f"{path}.mode", "missing key")
        if mode not in MODES:
            raise ctx.error(f"{path}.mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
        if "condition" not in t:
            raise ctx.error(f"{path}.condition", "missing key")
        sctx = ParseContext(ctx.source, tuple(keys[:i]), tuple(keys))
        cond = parse_condition(t["condition"], f"{path}.condition", sctx)
        out.append(StageRule(keys[i], order, mode == "sticky", cond))
    return tuple(out)


def _parse_statuses(
    data: Mapping[str, object], stage_keys: tuple[str, ...], ctx: ParseContext
) -> tuple[StatusRule, ...]:
    out: list[StatusRule] = []
    sctx = ParseContext(ctx.source, stage_keys, stage_keys)
    for i, raw in enumerate(_list(data, "statuses", ctx, required=False)):
        path = f"statuses[{i}]"
        t = _table(raw, path, ctx)
        key = _key(t, path, ctx)
        if key in (s.key for s in out):
            raise ctx.error(f"{path}.key", f"duplicate status key {key!r}")
        for k in t:
            if k not in {"key", "condition", "min_stage", "unless"}:
                raise ctx.error(
                    f"{path}.{k}", "unknown key (allowed: condition, key, min_stage, unless)"
                )
        min_stage = t.get("min_stage")
        if min_stage is not None and (
            not isinstance(min_stage, str) or min_stage not in stage_keys
        ):
            raise ctx.error(f"{path}.min_stage", f"unknown stage key {min_stage!r}")
        if "condition" not in t:
            raise ctx.error(f"{path}.condition", "missing key")
        cond = parse_condition(t["condition"], f"{path}.condition", sctx)
        unless = t.get("unless", [])
        if not isinstance(unless, list) or not all(isinstance(u, str) for u in unless):
            raise ctx.error(f"{path}.unless", "must be an array of status keys")
        if key in unless:
            raise ctx.error(f"{path}.unless", f"a status cannot exclude itself ({key!r})")
        out.append(StatusRule(key, cond, min_stage, tuple(unless)))
    keys = {s.key for s in out}
    for i, status in enumerate(out):
        for other in status.unless:
            if other not in keys:
                raise ctx.error(f"statuses[{i}].unless", f"unknown status key {other!r}")
    return tuple(out)


def _parse_tasks(
    data: Mapping[str, object],
    ctx: ParseContext,
    stages: tuple[StageRule, ...],
    statuses: tuple[StatusRule, ...],
) -> tuple[TaskType, ...]:
    """The task rules, each read by its registered type (task_types.py)."""
    tctx = TaskParseContext(
        ctx.source,
        tuple(s.key for s in stages),
        frozenset(s.key for s in stages if not s.sticky),
        tuple(s.key for s in statuses),
    )
    out: list[TaskType] = []
    for i, raw in enumerate(_list(data, "tasks", ctx, required=False)):
        path = f"tasks[{i}]"
        t = _table(raw, path, ctx)
        key = _key(t, path, ctx)
        if key in (r.key for r in out):
            raise ctx.error(f"{path}.key", f"duplicate task key {key!r}")
        settings = MappingProxyType({k: v for k, v in t.items() if k != "key"})
        out.append(parse_task(key, settings, path, tctx))
    return tuple(out)


def _loads(text: str, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(source, "", f"invalid TOML: {exc}") from None


def parse_definition(
    data: Mapping[str, object],
    *,
    source: str = "<string>",
    vocabulary: Mapping[str, object] | None = None,
    vocabulary_source: str = "<string>",
) -> JourneyDefinition:
    """Validate parsed rules (and optionally a parsed vocabulary) into a definition."""
    ctx = ParseContext(source)
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ctx.error("format", f"must be {FORMAT}, got {fmt!r}")
    for k in data:
        if k not in {"format", "journey", "stages", "statuses", "tasks"}:
            raise ctx.error(k, "unknown key (allowed: format, journey, stages, statuses, tasks)")
    head = _table(data.get("journey"), "journey", ctx)
    key = _key(head, "journey", ctx)
    declared = head.get("version")
    if not isinstance(declared, str) or not declared:
        raise ctx.error(
            "journey.version", "missing key" if declared is None else "must be a string"
        )
    default_vocabulary = head.get("default_vocabulary", key)
    if not isinstance(default_vocabulary, str):
        raise ctx.error("journey.default_vocabulary", "must be a string")
    stages = _parse_stages(data, ctx)
    stage_keys = tuple(s.key for s in stages)
    statuses = _parse_statuses(data, stage_keys, ctx)
    tasks = _parse_tasks(data, ctx, stages, statuses)
    vocab = None
    if vocabulary is not None:
        vocab = parse_vocabulary(
            vocabulary,
            vocabulary_source,
            stage_keys,
            tuple(s.key for s in statuses),
            tuple(t.key for t in tasks),
        )
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return JourneyDefinition(
        key=key,
        declared_version=declared,
        version=f"{declared}+{digest}",
        source=source,
        stages=stages,
        statuses=statuses,
        tasks=tasks,
        default_vocabulary=default_vocabulary,
        vocabulary=vocab,
    )


def loads_definition(
    rules: str,
    *,
    source: str = "<string>",
    vocabulary: str | None = None,
    vocabulary_source: str = "<string>",
) -> JourneyDefinition:
    """Load rules (and optionally a vocabulary) from TOML text."""
    vocab = None if vocabulary is None else _loads(vocabulary, vocabulary_source)
    return parse_definition(
        _loads(rules, source), source=source, vocabulary=vocab, vocabulary_source=vocabulary_source
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(str(path), "", f"cannot read: {exc.strerror}") from None


def load_definition(path: str | Path, vocabulary: str | Path | None = None) -> JourneyDefinition:
    """Load a rules file and a vocabulary.

    ``vocabulary`` is a path, or a name looked up as ``<rules dir>/vocabularies/<name>.toml``;
    None takes the journey's ``default_vocabulary``.
    """
    path = Path(path)
    rules_text = _read(path)
    rules = _loads(rules_text, path.name)
    if vocabulary is None:
        head = rules.get("journey")
        name = head.get("default_vocabulary") if isinstance(head, Mapping) else None
        vocabulary = name if isinstance(name, str) else path.stem
    vpath = (
        Path(vocabulary)
        if isinstance(vocabulary, Path) or vocabulary.endswith(".toml")
        else (path.parent / "vocabularies" / f"{vocabulary}.toml")
    )
    vsource = f"vocabularies/{vpath.name}" if vpath.parent.name == "vocabularies" else vpath.name
    return parse_definition(
        rules,
        source=path.name,
        vocabulary=_loads(_read(vpath), vsource),
        vocabulary_source=vsource,
    )


def journeys_dir() -> Path:
    return Path(str(resources.files("parcours.journeys")))


def shipped_definition(
    journey: str = "beneficiary", vocabulary: str | None = None
) -> JourneyDefinition:
    """A shipped journey (``journeys/<journey>.toml``) in a shipped vocabulary."""
    return load_definition(journeys_dir() / f"{journey}.toml", vocabulary)


def shipped_vocabularies() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (journeys_dir() / "vocabularies").glob("*.toml")))
