"""What the board sees: small counts hidden, the others rounded down to a multiple of 5, shares
from the shown bands, hidden counts drawn as hidden (never as zero or as a missing bar)."""

from __future__ import annotations

import pytest

from parcours.analytics.measures import MEASURES, Period, Query, run
from parcours.analytics.measures.base import Filters
from parcours.analytics.panels import PRESENTERS
from parcours.analytics.privacy import BOARD, EXPORT, HIDDEN, STAFF, coarse_survival, rounded
from tests.analytics.test_small_cells import END, STARTS, demo, labels


@pytest.mark.parametrize(
    ("n", "board", "staff"),
    [
        (0, HIDDEN, 0),
        (4, HIDDEN, 4),
        (5, 5, 5),
        (9, 5, 9),
        (10, 10, 10),
        (14, 10, 14),
        (15, 15, 15),
    ],
)
def test_counts_are_hidden_under_five_and_rounded_down_above(n, board, staff):
    assert BOARD.count(n) == board and EXPORT.count(n) == board
    assert STAFF.count(n) == staff
    if n >= 5:
        assert rounded(n) == board


def test_shares_come_from_the_middles_of_the_shown_bands():
    assert STAFF.ratio(6, 12) == 0.5
    assert BOARD.ratio(6, 12) == pytest.approx((5 + 2) / (10 + 2))
    assert BOARD.ratio(6, 13) == BOARD.ratio(9, 14)  # same bands, same share
    assert BOARD.ratio(3, 12) is None and BOARD.ratio(6, 4) is None
    assert STAFF.ratio(0, 0) is None


def test_coarse_survival_steps_only_after_five_exits_on_a_weekly_grid():
    curve = [(1, 0.9), (2, 0.8), (3, 0.7), (9, 0.6), (10, 0.5), (30, 0.4)]
    exits = [1, 1, 1, 1, 1, 2]
    assert coarse_survival(curve, exits) == [(0, 1.0), (14, 0.5)]  # the last 2 exits not drawn
    assert coarse_survival(curve, [5, 0, 0, 0, 0, 5]) == [(0, 1.0), (7, 0.7), (35, 0.4)]


def _board_panels(filters=None):
    data = demo()
    query = Query(1, Period(STARTS[0], END), filters or Filters())
    return {
        kind: PRESENTERS[kind](run(kind, data, query), labels(data), BOARD) for kind in MEASURES
    }


def _neighbourhood():
    """The neighbourhood of the demo with the fewest households (a filtered view where most
    of the board's counts fall under 5)."""
    data = demo()
    hoods = [n for n in data.neighbourhood.tolist() if n]
    return min(set(hoods), key=hoods.count)


@pytest.mark.parametrize("filtered", [False, True], ids=["whole", "one-neighbourhood"])
def test_no_board_chart_draws_a_hidden_count_as_zero_or_leaves_it_out(filtered):
    markers = 0
    filters = Filters(neighbourhood=_neighbourhood()) if filtered else None
    for kind, panel in _board_panels(filters).items():
        for series in panel.chart.get("series", []):
            if series["type"] == "bar":
                for item in series["data"]:
                    assert item not in (None, 0), (kind, series["name"])
                    if isinstance(item, dict):
                        assert item["hidden"] and item["label"]["formatter"] == HIDDEN
                        assert abs(item["value"]) == 5  # a box up to the threshold
                        markers += 1
                    else:
                        assert abs(item) % 5 == 0, (kind, item)
                assert ("hiddenLabel" in series) == any(isinstance(i, dict) for i in series["data"])
            if series["type"] in ("sankey", "graph"):
                for link in series["links"]:
                    if link.get("hidden"):
                        markers += 1
                        assert series["hiddenLabel"] == HIDDEN
    assert markers >= 10


def test_every_board_table_cell_is_hidden_or_a_band():
    panels = _board_panels()
    funnel = panels["funnel"]
    for row in funnel.rows:
        for cell in (row[1], row[7]):
            assert cell == HIDDEN or (isinstance(cell, int) and cell % 5 == 0)
    for row in panels["distribution"].rows:
        assert row[2] == HIDDEN or row[2] % 5 == 0
    for row in panels["lifecycle"].rows:
        assert all(c == HIDDEN or c % 5 == 0 for c in row[1:])


def test_the_board_home_page_rounds_like_the_dashboard(world, client):
    from parcours.accounts.roles import Role

    client.force_login(world.user(Role.BOARD))
    body = client.get("/").content.decode()
    assert "&lt; 5" in body  # one household in association A
    assert "arrondis au multiple de 5 inférieur" in body


def test_whole_months_widen_a_period_and_stop_at_today():
    from datetime import date

    from parcours.analytics.forms import whole_months

    today = date(2026, 6, 10)
    p = whole_months(Period(date(2026, 1, 15), date(2026, 3, 10)), today)
    assert (p.start, p.end) == (date(2026, 1, 1), date(2026, 3, 31))
    p = whole_months(Period(date(2025, 12, 31), date(2026, 6, 2)), today)
    assert (p.start, p.end) == (date(2025, 12, 1), today)
    p = whole_months(Period(date(2026, 2, 3), date(2026, 2, 3)), today)
    assert (p.start, p.end) == (date(2026, 2, 1), date(2026, 2, 28))


def test_the_board_sees_whole_months_and_staff_the_days_they_chose(world, client):
    from datetime import date

    from parcours.accounts.roles import Role

    url = "/analytics/?start=2026-01-15&end=2026-03-10"
    client.force_login(world.user(Role.BOARD))
    response = client.get(url)
    assert response.context["period"] == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert response.context["form"]["start"].value() == "2026-01-01"
    export = client.get("/analytics/export/?start=2026-01-15&end=2026-03-10&measure=funnel")
    assert "Période : 01/01/2026 – 31/03/2026" in export.content.decode("utf-8-sig")
    client.force_login(world.user(Role.COORDINATOR))
    assert client.get(url).context["period"] == Period(date(2026, 1, 15), date(2026, 3, 10))
