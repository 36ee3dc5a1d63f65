"""The leak crawler's markers, read through the REST API: every role of both associations,
with its own token, reads every list (every page) and every planted household; a marker the
reader may not learn appears in no answer."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from tests.api.conftest import token_for
from tests.conftest import ROLES
from tests.security.planting import forbidden, plant
from tests.security.test_leaks import _leaks

pytestmark = pytest.mark.django_db
LISTS = (
    "households", "persons", "touchpoints", "stage-spans", "activities", "sessions",
    "attendance", "tasks", "measures",
)  # fmt: skip


def _pages(client, path, headers):
    offset = 0
    while True:
        response = client.get(f"/api/v1/{path}?limit=200&offset={offset}", **headers)
        yield response
        body = response.json() if response.status_code == 200 else {}
        if not isinstance(body, dict) or offset + 200 >= body.get("count", 0):
            return
        offset += 200


def test_no_role_reads_a_marker_it_may_not_learn_through_the_api(world, client, settings):
    settings.PARCOURS_API_RATE_LIMIT = 100_000
    objects, markers = plant(world)
    from parcours.analytics.measures import MEASURES

    leaks, tried, read = [], 0, {}
    households = [h.pk for which in ("a", "b") for h in objects[which].get("pk", [])]
    for which in ("a", "b"):
        for role in ROLES:
            user = world.user(role, which)
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
            hidden = forbidden(markers, user, world)
            responses = [r for path in LISTS for r in _pages(client, path, headers)]
            responses += [client.get(f"/api/v1/measures/{k}", **headers) for k in MEASURES]
            responses += [client.get(f"/api/v1/households/{pk}", **headers) for pk in households]
            for response in responses:
                tried += 1
                read.setdefault(f"{role}-{which}", set()).update(
                    _leaks(response.content.decode(), markers)
                )
                assert response.status_code < 500
                for text in _leaks(response.content.decode(), hidden):
                    leaks.append((f"{role}-{which}", response.request["PATH_INFO"], text))
    assert tried > 100 and django_settings.PARCOURS_API_RATE_LIMIT == 100_000
    assert not leaks, "\n".join(map(str, leaks))
    # not blind: the coordinator reads through the API what the volunteer may not
    volunteer_hidden = {m.text for m in forbidden(markers, world.user("volunteer"), world)}
    assert read["coordinator-a"] & volunteer_hidden
