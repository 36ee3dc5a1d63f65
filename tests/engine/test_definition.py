"""Loading and validating journey definitions and vocabularies."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from parcours.engine.definition import (
    journeys_dir,
    load_definition,
    loads_definition,
    parse_definition,
    shipped_definition,
    shipped_vocabularies,
)
from parcours.engine.errors import DefinitionError

RULES = journeys_dir() / "beneficiary.toml"


def rules() -> dict:
    return tomllib.loads(RULES.read_text(encoding="utf-8"))


def test_shipped_journey_has_the_ten_stages() -> None:
    d = shipped_definition()
    assert d.stage_keys == (
        "awareness",
        "research",
        "selection",
        "acquisition",
        "discovery",
        "usage",
        "maintenance",
        "loyalty",
        "recommendation",
        "engagement",
    )
    assert [s.sticky for s in d.stages] == [True] * 5 + [False] * 5
    assert [s.key for s in d.statuses] == ["active", "absent", "dormant", "in_support"]
    assert len(d.tasks) == 10  # worklist rules, evaluated by engine/worklists.py
    assert d.version.startswith("1.0+") and len(d.version) == len("1.0+") + 12


def test_vocabularies_change_words_only() -> None:
    assert shipped_vocabularies() == ("beneficiary", "customer")
    b, c = shipped_definition(vocabulary="beneficiary"), shipped_definition(vocabulary="customer")
    assert b.stages == c.stages and b.statuses == c.statuses and b.version == c.version
    assert b.stage_label("discovery", "fr") == "Découverte"
    assert c.stage_label("discovery", "en") == "Onboarding"
    assert c.stage_label("acquisition", "en") == "Purchase"
    assert c.stage_label("recommendation", "en") == "Advocacy"
    assert c.vocabulary is not None
    assert c.vocabulary.word("committee", "en") == "customer advisory board"
    assert c.vocabulary.word("support_case", "en") == "support ticket"
    assert c.vocabulary.word("activity", "en") == "product"


def test_default_vocabulary_is_the_journeys() -> None:
    d = shipped_definition()
    assert d.vocabulary is not None and d.vocabulary.key == "beneficiary"


def test_definition_is_immutable() -> None:
    d = shipped_definition()
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.vocabulary.words["fr"]["household"] = "x"  # type: ignore[index, union-attr]


def test_version_changes_with_any_number() -> None:
    data = rules()
    data["stages"][5]["condition"]["conditions"][0]["window_days"] = 61
    assert parse_definition(data).version != shipped_definition().version


def _mutate(path: str, value: object) -> dict:
    """Set (or delete with ...) a value at a dotted path like 'stages[5].mode'."""
    data = rules()
    node: object = data
    parts = path.replace("]", "").replace("[", ".").split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]  # type: ignore[index]
    last = parts[-1]
    key: object = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]  # type: ignore[attr-defined]
    else:
        node[key] = value  # type: ignore[index]
    return data


MALFORMED = [
    ("missing stage key", "stages[2].key", ..., "stages[2].key", "missing key"),
    ("missing mode", "stages[0].mode", ..., "stages[0].mode", "missing key"),
    ("bad mode", "stages[0].mode", "sometimes", "stages[0].mode", "must be one of"),
    ("order not int", "stages[1].order", "2", "stages[1].order", "must be an integer"),
    ("order not increasing", "stages[3].order", 1, "stages[3].order", "increasing"),
    ("duplicate key", "stages[3].key", "research", "stages[3].key", "duplicate"),
    (
        "unknown condition type",
        "stages[4].condition.type",
        "attendance_magic",
        "stages[4].condition.type",
        "unknown condition type",
    ),
    (
        "window as text",
        "stages[7].condition.window_days",
        "sixty",
        "stages[7].condition.window_days",
        "must be an integer >= 1",
    ),
    (
        "zero window",
        "stages[5].condition.conditions[0].window_days",
        0,
        "stages[5].condition.conditions[0].window_days",
        "must be an integer >= 1",
    ),
    (
        "negative grace",
        "stages[6].condition.closed_within_days",
        -1,
        "stages[6].condition.closed_within_days",
        ">= 0",
    ),
    (
        "unknown stage reference",
        "stages[6].condition.since_stage",
        "usages",
        "stages[6].condition.since_stage",
        "unknown stage key 'usages'",
    ),
    (
        "later stage reference",
        "stages[6].condition.since_stage",
        "loyalty",
        "stages[6].condition.since_stage",
        "must come before",
    ),
    (
        "unknown kind",
        "stages[0].condition.kinds",
        ["outreach"],
        "stages[0].condition.kinds[0]",
        "unknown touchpoint kind",
    ),
    (
        "typo key",
        "stages[7].condition.window_day",
        90,
        "stages[7].condition.window_day",
        "unknown key",
    ),
    (
        "empty any",
        "stages[5].condition.conditions",
        [],
        "stages[5].condition.conditions",
        "non-empty",
    ),
    ("condition not a table", "stages[1].condition", 3, "stages[1].condition", "must be a table"),
    (
        "min_stage unknown",
        "statuses[1].min_stage",
        "nowhere",
        "statuses[1].min_stage",
        "unknown stage",
    ),
    (
        "unless names an unknown status",
        "statuses[0].unless",
        ["absents"],
        "statuses[0].unless",
        "unknown status key 'absents'",
    ),
    ("unless itself", "statuses[0].unless", ["active"], "statuses[0].unless", "cannot exclude"),
    ("unless not a list", "statuses[0].unless", "absent", "statuses[0].unless", "array"),
    ("missing version", "journey.version", ..., "journey.version", "missing key"),
    ("bad format", "format", 2, "format", "must be 1"),
    ("task without key", "tasks", [{"when": "x"}], "tasks[0].key", "missing key"),
]


@pytest.mark.parametrize(("name", "path", "value", "named", "reason"), MALFORMED)
def test_malformed_definition_names_file_path_and_reason(
    name: str, path: str, value: object, named: str, reason: str
) -> None:
    with pytest.raises(DefinitionError) as err:
        parse_definition(_mutate(path, value), source="beneficiary.toml")
    assert err.value.source == "beneficiary.toml"
    assert err.value.path == named, name
    assert reason in err.value.reason, name
    assert str(err.value).startswith(f"beneficiary.toml: {named}: ")


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(DefinitionError, match=r"^mine\.toml: <root>: invalid TOML"):
        loads_definition("format = = 1", source="mine.toml")


def test_tasks_are_parsed_and_kept() -> None:
    data = rules()
    data["tasks"] = [
        {
            "key": "assign_sponsor",
            "type": "stage_for",
            "stage": "discovery",
            "after_days": 14,
            "assignee": "coordinator",
        }
    ]
    d = parse_definition(data)
    assert d.tasks[0].key == "assign_sponsor" and d.tasks[0].settings["after_days"] == 14
    assert d.tasks[0].type == "stage_for" and d.tasks[0].after_days == 14  # type: ignore[attr-defined]


def _copy_journey(tmp_path: Path, vocab_edit: str | None = None) -> Path:
    (tmp_path / "vocabularies").mkdir()
    (tmp_path / "j.toml").write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    text = (journeys_dir() / "vocabularies" / "customer.toml").read_text(encoding="utf-8")
    if vocab_edit is not None:
        text = text.replace(vocab_edit, "")
    (tmp_path / "vocabularies" / "customer.toml").write_text(text, encoding="utf-8")
    return tmp_path / "j.toml"


def test_load_from_files_by_vocabulary_name(tmp_path: Path) -> None:
    d = load_definition(_copy_journey(tmp_path), "customer")
    assert d.stage_label("acquisition", "fr") == "Achat"
    assert d.version == shipped_definition().version


def test_vocabulary_missing_a_label_names_it(tmp_path: Path) -> None:
    path = _copy_journey(tmp_path, vocab_edit='label = "Fidélisation"\n')
    with pytest.raises(DefinitionError) as err:
        load_definition(path, "customer")
    assert err.value.source == "vocabularies/customer.toml"
    assert err.value.path == "stages.loyalty.fr.label"


def test_missing_vocabulary_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read"):
        load_definition(_copy_journey(tmp_path), "klingon")


def test_task_titles_of_the_vocabulary_name_known_rules_in_every_language(tmp_path: Path) -> None:
    for sub in "abc":
        (tmp_path / sub).mkdir()
    journey = _copy_journey(tmp_path / "a")
    with (tmp_path / "a" / "vocabularies" / "customer.toml").open("a", encoding="utf-8") as f:
        f.write('\n[tasks.nope.fr]\ntitle = "x"\n[tasks.nope.en]\ntitle = "x"\n')
    with pytest.raises(DefinitionError) as err:
        load_definition(journey, "customer")
    assert err.value.path == "tasks.nope" and err.value.reason.startswith("unknown key")
    english = '[tasks.recontact.en]\ntitle = "Get back in touch during a local marketing action"'
    journey = _copy_journey(tmp_path / "b", english)
    with pytest.raises(DefinitionError) as err:
        load_definition(journey, "customer")
    assert err.value.path == "tasks.recontact.en"
    assert (
        load_definition(_copy_journey(tmp_path / "c"), "customer").task_title("recontact", "en")
        == "Get back in touch during a local marketing action"
    )
