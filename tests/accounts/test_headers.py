"""Security headers: the Content-Security-Policy on every page, ``Cache-Control: no-store`` on
every response to a signed-in user (every route, every role), and templates free of inline
script, inline event handlers and style attributes (the CSP would block them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from parcours.accounts.roles import Role
from tests.accounts.test_access import EXPECTED, _url, all_routes

SRC = Path(settings.PACKAGE_DIR)


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_csp_on_the_login_page_forbids_inline_script_and_framing(client):
    response = client.get("/login/")
    assert response.status_code == 200
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VOLUNTEER, Role.BOARD, Role.PEER_FAMILY])
@pytest.mark.parametrize("name", all_routes())
def test_every_response_to_a_signed_in_user_is_no_store(name, role, world, client):
    if name == "accounts:logout":
        pytest.skip("signs the user out: the response goes to an anonymous visitor")
    client.force_login(world.user(role))
    url = _url(name, world, "a", role)
    for response in (client.get(url), client.get(url, headers={"HX-Request": "true"})):
        cache = response.get("Cache-Control", "")
        assert "no-store" in cache, (name, role, response.status_code, cache)
        assert "private" in cache
        assert "Content-Security-Policy" in response


def test_household_page_with_listening_notes_and_csv_export_are_no_store(world, client):
    client.force_login(world.user(Role.SOCIAL_WORKER))
    page = client.get(f"/households/{world.household_a.pk}/")
    assert page.status_code == 200
    assert "Confidential listening note" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    client.force_login(world.user(Role.BOARD))
    export = client.get("/analytics/export/?measure=funnel")
    assert export.status_code == 200
    assert "no-store" in export["Cache-Control"]


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.html") if "vendor" not in p.parts)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\s on[a-z]+\s*=", re.I | re.X)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HTMX_EVAL = re.compile(r"hx-on|hx-vars|js:|javascript:", re.I)


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_nor_inline_style(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not EVENT_HANDLER.search(text), "inline event handler: use a static script"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class (CSP style-src)"
    assert not HTMX_EVAL.search(text), "evaluated htmx attribute: the CSP forbids eval"


def test_every_route_is_covered_by_the_no_store_walk():
    assert set(all_routes()) == set(EXPECTED)
