"""The API from a person's account, in the browser: a volunteer creates a token (shown once),
and the API's documentation page draws Swagger UI from the app's own files, under the same
Content-Security-Policy as every page (the harness fails on a violation), fetching nothing
from another host; with the token, the API answers."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import AXE_TAGS, axe_violations, format_violations

pytestmark = pytest.mark.browser


def test_a_token_from_the_account_and_the_documentation_page(login_as, page, live_server):
    page = login_as("volunteer")
    page.goto("/account/api-tokens/")
    assert page.get_by_role("heading", name="Jetons d’API").is_visible()
    page.get_by_label("Nom").fill("Tableur de la fédération")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_test_id("api-secret").inner_text()
    assert re.fullmatch(r"pc_[\w-]{40,}", secret)
    violations = axe_violations(page, AXE_TAGS)
    assert not violations, format_violations(violations)
    page.goto("/account/api-tokens/")  # shown once
    assert page.get_by_test_id("api-secret").count() == 0
    assert page.get_by_role("cell", name="Tableur de la fédération").is_visible()

    elsewhere = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else elsewhere.append(r.url),
    )
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Parcours" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/households").first.wait_for()
    assert elsewhere == []

    answer = page.request.get(
        f"{live_server.url}/api/v1/households", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200 and answer.json()["count"] >= 1
