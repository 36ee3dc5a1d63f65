"""The French catalogues are complete: every entry translated and not fuzzy, and every string
of the code and templates present in the catalogue that owns it.

Who owns what: an app with its own `src/parcours/<app>/locale/` owns the strings under its
directory; the project catalogue `src/parcours/locale/` owns everything else (the shared
templates in `src/parcours/templates/`, the apps without a catalogue, the settings).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "parcours"
CATALOGUE = Path("locale") / "fr" / "LC_MESSAGES" / "django.po"


def owners() -> list[Path]:
    """Directories that own a French catalogue: the package itself and apps with a locale/."""
    apps = sorted(p.parent for p in PACKAGE.glob("*/locale") if p.is_dir())
    return [PACKAGE, *apps]


def catalogues() -> list[Path]:
    return [d / CATALOGUE for d in owners() if (d / CATALOGUE).exists()]


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def test_the_project_has_a_french_catalogue():
    assert (PACKAGE / CATALOGUE).exists()


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_entry_is_translated_and_not_fuzzy(po_path: Path):
    po = polib.pofile(str(po_path))
    assert po.metadata.get("Plural-Forms"), f"{po_path}: no Plural-Forms in the header"
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{po_path.relative_to(PACKAGE)}:{entry.linenum} {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where} is fuzzy")
        if entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                problems.append(f"{where} has an empty plural translation")
        elif not entry.msgstr.strip():
            problems.append(f"{where} is not translated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_compiled_catalogue_is_up_to_date(po_path: Path):
    """The committed .mo holds the same translations as the .po (compilemessages was run)."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    mo = {_key(e): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path)) if e.msgid}
    po = {
        _key(e): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(po_path))
        if not e.obsolete and "fuzzy" not in e.flags and e.msgid
    }
    stale = sorted(str(k[1]) for k in po if mo.get(k) != po[k])
    assert not stale, f"{mo_path} differs from its .po for {stale[:10]}: run compilemessages"


def _extract(owner: Path, tmp_path: Path) -> polib.POFile:
    """Run makemessages for French on a copy of `owner`; return the catalogue it builds."""
    copy = tmp_path / owner.name
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "vendor")
    shutil.copytree(owner, copy, ignore=ignore)
    # Start from an empty catalogue so that only what the code says is in it.
    (copy / CATALOGUE).unlink(missing_ok=True)
    (copy / CATALOGUE).parent.mkdir(parents=True, exist_ok=True)
    # -P: the copy's modules (selectors.py...) must not shadow the standard library's.
    command = [sys.executable, "-P", "-m", "django", "makemessages", "-l", "fr", "--no-obsolete"]
    if owner == PACKAGE:  # the apps with their own catalogue are not the project's
        for app in owners()[1:]:
            command += ["--ignore", app.name]
        command += ["--ignore", "static"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parcours.config.settings_test"}
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(copy / CATALOGUE))


@pytest.mark.parametrize("owner", owners(), ids=lambda p: p.name)
def test_no_string_is_missing_from_its_catalogue(owner: Path, tmp_path: Path):
    committed_path = owner / CATALOGUE
    assert committed_path.exists(), f"{committed_path} is missing: run makemessages -l fr"
    committed = {_key(e) for e in polib.pofile(str(committed_path)) if not e.obsolete}
    extracted = _extract(owner, tmp_path)
    missing = [
        f"{e.msgid!r} ({', '.join(f'{f}:{n}' for f, n in e.occurrences[:2])})"
        for e in extracted
        if _key(e) not in committed
    ]
    assert not missing, (
        f"{len(missing)} string(s) of {owner.relative_to(PACKAGE.parent)} are missing from "
        f"{committed_path.relative_to(PACKAGE.parent)}; run makemessages -l fr there, "
        "translate, compilemessages:\n" + "\n".join(missing)
    )
