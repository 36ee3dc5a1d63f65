"""The dashboard's panels as drawn (analytics.drawn), shared by the workers: another worker,
with nothing computed in its memory, takes them without reading a journey row; a label that
changes without the data stamp (a household's name) has them drawn again."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.analytics import cache
from parcours.households.models import Household
from tests.analytics.test_cache import PERIOD, URL, write_new_household

pytestmark = pytest.mark.django_db(transaction=True)  # each request its own transaction


@pytest.fixture
def filled(world):
    from tests.analytics.test_cache import filled as fill

    return fill.__wrapped__(world)


def _journey_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "journey_stagespan" in q["sql"]]


def _another_worker() -> None:
    cache.STORE.clear()
    cache.LATEST.clear()


def test_another_worker_takes_the_panels_as_drawn(filled, client, settings):
    settings.ANALYTICS_MAX_AGE = 60
    client.force_login(filled.user(Role.COORDINATOR))
    first = client.get(URL + PERIOD)
    assert "panels" in first.context  # drawn by this request
    _another_worker()
    with CaptureQueriesContext(connection) as queries:
        other = client.get(URL + PERIOD)
    assert _journey_queries(queries.captured_queries) == []
    assert "panels" not in other.context
    assert other.context["panels_html"] == first.context["panels_html"]
    assert other.context["as_of"] is None  # the current data's figures
    write_new_household(filled)
    _another_worker()
    older = client.get(URL + PERIOD)  # within ANALYTICS_MAX_AGE: the last drawn, said so
    assert "panels" not in older.context and older.context["as_of"] is not None
    assert older.context["panels_html"] == first.context["panels_html"]
    settings.ANALYTICS_MAX_AGE = 0  # the current data's figures only: drawn again
    newer = client.get(URL + PERIOD)
    assert "panels" in newer.context
    assert newer.context["panels_html"] != first.context["panels_html"]


def _cached_values() -> list[str]:
    """What the shared cache holds, as text (the tests' cache is Django's local memory)."""
    import pickle

    from django.core.cache import cache as shared

    return [repr(pickle.loads(v)) for v in shared._cache.values()]  # noqa: S301 (ours)


def test_a_renamed_household_shows_its_new_name_and_the_cache_keeps_none(filled, client, settings):
    settings.ANALYTICS_MAX_AGE = 60
    client.force_login(filled.user(Role.COORDINATOR))
    first = str(client.get(URL + PERIOD).context["panels_html"])
    named = re.findall(r'<a href="/households/(\d+)/">([^<]+)</a>', first)
    assert named, "the drop-outs name households for the team"
    pk, name = named[0]
    # the page drawn and shared holds marks, not the families' names (files on disk)
    assert "<!--household:" not in first
    held = "\n".join(_cached_values())
    assert f"<!--household:{pk}-->" in held
    for _pk, each in named:
        assert each not in held
    with scopes_disabled():  # the name is no figure: the data stamp stays
        Household.objects.filter(pk=pk).update(name="Famille <Renommée>")
    _another_worker()
    again = client.get(URL + PERIOD)
    assert "panels" not in again.context  # served as drawn, the name filled in now
    html = str(again.context["panels_html"])
    assert f'<a href="/households/{pk}/">Famille &lt;Renommée&gt;</a>' in html
    assert "Famille <Renommée>" not in html


def test_the_board_gets_no_name_and_no_mark(filled, client, settings):
    settings.ANALYTICS_MAX_AGE = 60
    client.force_login(filled.user(Role.BOARD))
    html = str(client.get(URL + PERIOD).context["panels_html"])
    assert "<!--household:" not in html and 'href="/households/' not in html
