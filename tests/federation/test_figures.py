"""The federation's SQL figures equal the association dashboard's own measures (numpy over
the same spans, as the board reads them), association by association, for several periods;
stored figures are used until the association's spans change."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from parcours.analytics.measures import Period, Query, run
from parcours.federation import dashboard, figures, store
from parcours.journey.definitions import definition_for
from tests.federation.spans import plant_journeys

pytestmark = pytest.mark.django_db

END = date(2026, 6, 30)
PERIODS = [(3, END), (12, END), (24, END), (12, date(2025, 12, 31))]


def _board_data(association, stage_keys):
    from parcours.accounts.models import Membership
    from parcours.analytics.selectors import journey_data

    board = Membership.objects.get(association=association, role="board")
    return journey_data(association=association, stage_keys=stage_keys, membership=board)


@pytest.fixture
def planted(network, world):
    with scopes_disabled():
        keys = tuple(definition_for(world.a).stage_keys)
        plant_journeys(world.a, 160, seed=1, end=END, stage_keys=keys)
        plant_journeys(world.b, 90, seed=2, end=END, stage_keys=keys)
    return keys


def test_sql_figures_equal_the_dashboard_measures(planted, world):
    keys = planted
    with scopes_disabled():
        datas = {a.pk: _board_data(a, keys) for a in (world.a, world.b)}
        checked = 0
        for months, last in PERIODS:
            first, last = dashboard.period(last, months)
            got = figures.compute([world.a.pk, world.b.pk], first=first, last=last,
                                  stage_keys=keys)  # fmt: skip
            for a, data in datas.items():
                q = Query(a, Period(first, last))
                dist = run("distribution", data, q)
                assert got[a].stages == dist.stages
                funnel = run("funnel", data, q)
                assert got[a].entries == funnel.households
                assert got[a].reached == [s.reached for s in funnel.steps]
                tis = run("time_in_stage", data, q)
                for s in tis.stages:
                    t = got[a].time[s.stage]
                    assert (t.households, t.exits, t.median_days) == (
                        s.households, s.events, s.median_days,
                    ), (a, months, s.stage)  # fmt: skip
                    checked += s.median_days is not None
                assert sum(got[a].stages.values()) > 20 and got[a].entries > 5
    assert checked > 20  # medians were compared, not only Nones


def test_stored_figures_serve_until_the_spans_change(planted, world):
    keys = planted
    first, last = dashboard.period(END, 12)
    ids = [world.a.pk, world.b.pk]
    with scopes_disabled():
        once, computed = store.figures_for(ids, first=first, last=last, stage_keys=keys)
        assert computed == 2
        again, computed = store.figures_for(ids, first=first, last=last, stage_keys=keys)
        assert computed == 0 and again == once
        # a touchpoint in B: its journey is refreshed (spans rewritten), B's figures recomputed
        from tests.journal import log_touchpoint

        log_touchpoint(actor=None, household=world.household_b, day=END, kind="intake_visit")
        after, computed = store.figures_for(ids, first=first, last=last, stage_keys=keys)
        # PostgreSQL stamps each association; SQLite's one stamp recomputes them all
        assert computed == (1 if connection.vendor == "postgresql" else 2)
        assert after[world.a.pk] == once[world.a.pk]
        assert after == figures.compute(ids, first=first, last=last, stage_keys=keys)
        # spans deleted (an erasure): the stamp changes too
        from parcours.journey.models import StageSpan

        StageSpan.objects.filter(association=world.a).order_by("id")[:1].get().delete()
        _, computed = store.figures_for(ids, first=first, last=last, stage_keys=keys)
        assert computed == (1 if connection.vendor == "postgresql" else 2)
        # a span updated in place (the touchpoint pipeline closes a span by an UPDATE): same
        # number of spans, same highest id, yet other figures: they are computed again
        span = StageSpan.objects.filter(
            association=world.a, end__isnull=True, start__lt=last
        ).order_by("id")[0]
        StageSpan.objects.filter(pk=span.pk).update(end=last)
        got, computed = store.figures_for(ids, first=first, last=last, stage_keys=keys)
        assert computed >= 1
        assert got == figures.compute(ids, first=first, last=last, stage_keys=keys)


def test_the_daily_run_computes_the_days_figures(planted, world, capsys):
    from django.core.management import call_command
    from django.utils import timezone

    from parcours.federation.models import StoredFigures

    call_command("daily", "--no-digests")
    assert "federations: figures of 2 associations computed for today" in capsys.readouterr().out
    first, last = dashboard.period(timezone.localdate(), dashboard.DEFAULT_MONTHS)
    assert StoredFigures.objects.filter(first=first, last=last).count() == 2
    call_command("daily", "--no-digests")
    assert "federations: figures of 0 associations" in capsys.readouterr().out
