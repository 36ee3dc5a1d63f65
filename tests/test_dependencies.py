"""The product runs on what `pip install .` installs: every third-party module imported anywhere
under src/ (at the top of a module or inside a function) belongs to a distribution named in
[project.dependencies], not only to the test or bench extras. `make demo` installs the runtime
dependencies alone, so a module that only an extra brings breaks the demo in a fresh clone
(pyarrow did: `parcours demo` imported the recomputation, which imported pyarrow)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _runtime_distributions() -> set[str]:
    """The project's runtime dependencies and, recursively, what they require (without extras)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [_name(r) for r in project["dependencies"]]
    # an extra asked for in the dependency list itself (psycopg[binary], allauth[mfa]) counts
    extras = {
        _name(r): set(re.findall(r"\[([^\]]+)\]", r)[0].split(","))
        for r in project["dependencies"] if "[" in r
    }  # fmt: skip
    seen: set[str] = set()
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            reqs = requires(dist) or []
        except PackageNotFoundError:  # not installed here: nothing of it can be imported either
            continue
        for text in reqs:
            req = Requirement(text)
            asked = extras.get(dist, set()) | {""}
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in asked):
                todo.append(_name(req.name))
    return seen


def _runtime_imports(tree: ast.AST):
    """The import nodes of a module, without those under ``if TYPE_CHECKING:`` (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in _runtime_imports_of(child))
            continue
        yield from _runtime_imports_of(node)


def _runtime_imports_of(node: ast.AST):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _runtime_imports(node)


def _imported_top_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_imports(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def test_every_module_the_product_imports_comes_with_its_runtime_dependencies():
    by_module = packages_distributions()
    runtime = _runtime_distributions()
    missing = []
    for module, path in sorted(_imported_top_modules().items()):
        if module == "parcours" or module in sys.stdlib_module_names:
            continue
        dists = {d.lower().replace("_", "-") for d in by_module.get(module, [])}
        assert dists, f"{module} (imported in {path.relative_to(ROOT)}) is not installed"
        if not dists & runtime:
            missing.append(f"{module} ({', '.join(sorted(dists))}) in {path.relative_to(ROOT)}")
    assert not missing, "imported by the product but not a runtime dependency: " + "; ".join(
        missing
    )
