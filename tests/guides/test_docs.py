"""The product stands alone: README.md and docs/ name no file outside the repository, and the
per-role guides are reachable from the application's help link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parcours.accounts.roles import Role
from parcours.guides.content import LANGUAGES, _path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

# A path that leaves the repository: ../ at the start of a link or a path, an absolute path to
# a home, a work tree, a temporary folder, or a file URL. (Deployment examples name the server's
# own folders, /srv/parcours or /var/log/parcours: they are where the reader installs it.)
OUTSIDE = re.compile(
    r"(?<![\w.])\.\./"  # ../shared/..., ../../x
    r"|(?<![\w/])/(?:work|home|root|tmp|Users|mnt)/"  # /work/shared/...
    r"|file://"
    r"|~/"
)


def _outside_paths(text: str) -> list[str]:
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in OUTSIDE.finditer(text)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_path_outside_the_repository(document):
    assert _outside_paths(document.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_stay_inside_the_repository(document):
    text = document.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto
        assert (document.parent / target).resolve().is_relative_to(ROOT), target


def test_the_check_finds_what_it_looks_for():
    for bad in ("see ../shared/docs/journey.md", "(/work/shared/x.md)", "file:///etc", "~/notes"):
        assert _outside_paths(bad), bad
    for good in ("docs/journey.md", "src/parcours/journeys/", "http://127.0.0.1:8000/x"):
        assert not _outside_paths(good), good


def test_the_journey_is_documented():
    text = (ROOT / "docs" / "journey.md").read_text(encoding="utf-8")
    from parcours.engine.definition import shipped_definition

    d = shipped_definition("beneficiary", "beneficiary")
    for key in d.stage_keys:
        assert f"`{key}`" in text, key
        assert d.stage_label(key, "en") in text
    for word in ("absent", "dormant", "in_support"):
        assert f"`{word}`" in text


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_role_has_a_guide(role, language):
    text = _path(language, role).read_text(encoding="utf-8")
    assert text.startswith("# ") and len(text) > 800


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_guide_follows_the_menu_of_its_role(role, language):
    """Each moment and page of the role's menu (parcours.core.navigation) is named in its guide,
    in the guide's language: a page renamed or moved in the menu is renamed in the guides."""
    from django.utils import translation

    from parcours.accounts.roles import ROLE_CAPABILITIES
    from parcours.core.navigation import menu_for

    def plain(text: str) -> str:
        return text.replace("\u2019", "'")

    text = plain(_path(language, role).read_text(encoding="utf-8"))
    with translation.override(language):
        menu = menu_for(ROLE_CAPABILITIES[role])
        names = [str(g.label) for g in menu] + [str(link.label) for g in menu for link in g.links]
    assert menu, role
    missing = [name for name in names if plain(name) not in text]
    assert not missing, f"{language}/{role}.md does not name {missing}"
