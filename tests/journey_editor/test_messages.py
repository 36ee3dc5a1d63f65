"""Every reason the definition loader can give has its French translation in the editor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from parcours.engine import DefinitionError
from parcours.journey_editor.messages import error_text, reason_text

ENGINE = Path(__file__).resolve().parents[2] / "src" / "parcours" / "engine"


def _samples(node: ast.AST) -> list[str]:
    """The texts a reason expression can produce, each placeholder given the value 1."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [
            "".join(part.value if isinstance(part, ast.Constant) else "1" for part in node.values)
        ]
    if isinstance(node, ast.IfExp):
        return _samples(node.body) + _samples(node.orelse)
    return []


def engine_reasons() -> list[str]:
    out = []
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name == "error" and len(node.args) == 2:
                out += _samples(node.args[1])
            elif name == "DefinitionError" and len(node.args) == 3:
                out += _samples(node.args[2])
    return sorted(set(out))


def test_the_engine_gives_reasons():
    assert len(engine_reasons()) > 25


@pytest.mark.parametrize("reason", engine_reasons())
def test_every_loader_reason_reads_in_french(reason):
    with translation.override("fr"):
        assert reason_text(reason) != reason, reason


def test_the_message_keeps_the_loaders_form():
    error = DefinitionError("beneficiary.toml", "stages[5].condition.window_days", "missing key")
    with translation.override("en"):
        assert error_text(error) == str(error)
    with translation.override("fr"):
        assert (
            error_text(error)
            == "beneficiary.toml : stages[5].condition.window_days : clé manquante"
        )
