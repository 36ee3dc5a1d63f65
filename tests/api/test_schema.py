"""schemathesis over /api/v1/openapi.json: requests generated from the schema (valid and
invalid), each answered without a server error and as the schema says (status code, content
type, body). It runs with the suite, so CI runs it on SQLite and on PostgreSQL (.ci/run).
Bounded: a few examples per operation, no shrinking, so it stays a matter of seconds."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parcours.accounts.roles import Role
from parcours.config.wsgi import application
from tests.api.conftest import token_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_headers(world, settings):
    """An administrator's token. The requests go to the WSGI application itself: as Django's
    test client does, keep the end of a request from closing the database connection (that
    would end the test's transaction on PostgreSQL)."""
    settings.PARCOURS_API_RATE_LIMIT = 100_000  # the rate limit has its own test
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {token_for(world.user(Role.ADMIN))}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_to_its_schema(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=CHECKS)


def test_answers_about_a_real_household_keep_to_the_schema(world, api_headers):
    """Generated ids rarely name a household: the success answers of the operations on one
    are validated here, the placement after a POST included."""
    pk = {"pk": world.household_a.pk}
    detail = schema["/api/v1/households/{pk}"]["GET"].Case(path_parameters=pk)
    assert detail.call_and_validate(headers=api_headers, checks=CHECKS).status_code == 200
    post = schema["/api/v1/households/{pk}/touchpoints"]["POST"].Case(
        path_parameters=pk,
        body={"day": "2026-02-01", "kind": "appointment_booked", "note": "Rendez-vous"},
        media_type="application/json",
    )
    response = post.call_and_validate(headers=api_headers, checks=CHECKS)
    assert response.status_code == 201, response.text
    assert response.json()["stage"]
