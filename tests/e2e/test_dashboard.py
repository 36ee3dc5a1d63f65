"""The journey dashboard in the browser: French and English, filters that change the charts and
the URL, the board's view (no small counts, no names), accessibility, phone and desktop."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.basis import BASIS
from tests.e2e.conftest import (
    HOUSEHOLDS,
    axe_violations,
    format_violations,
    screenshot,
    set_language,
)
from tests.journal import log_touchpoint

pytestmark = pytest.mark.browser

NEIGHBOURS = ["Les Tilleuls", "La Source", "Le Port"]


@pytest.fixture
def busy(association):
    """Eighteen more families so that some counts reach 5 and the charts have something to show."""
    from django_scopes import scopes_disabled

    from parcours.activities.models import Activity
    from parcours.households import services

    coordinator = association.users["coordinator"]
    with scopes_disabled():
        cafe = Activity.objects.get(association=association.association, name="Café des parents")
        for i in range(18):
            h = services.household_create(
                actor=coordinator, association=association.association, lawful_basis=BASIS,
                name=f"Famille Exemple {i:02d}", neighbourhood=NEIGHBOURS[i % 3],
                heard_from=["outreach", "peer", "info_centre"][i % 3],
            )  # fmt: skip
            month = 1 + i % 6
            steps = [(date(2026, month, 2), "outreach_contact", None)]
            if i % 4:
                steps.append((date(2026, month, 9), "intake_visit", None))
            if i % 4 > 1:
                steps += [(date(2026, month, d), "attendance", cafe) for d in (12, 19, 26)]
            for day, kind, activity in steps:
                log_touchpoint(
                    actor=coordinator, household=h, day=day, kind=kind, activity=activity
                )
    return association


def chart_data(page, kind: str) -> str:
    """The chart's data as the page carries it (json_script), as readable text."""
    return json.dumps(json.loads(page.locator(f"#chart-data-{kind}").text_content()),
                      ensure_ascii=False)  # fmt: skip


def main_overflow(page) -> list[str]:
    """Elements of the page's main content wider than the viewport (the shared header is
    checked by the layout's own tests)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => !e.closest('.table-scroll')
                         && e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )


def wait_for_charts(page) -> None:
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-chart]')].every(
               el => window.echarts && echarts.getInstanceByDom(el))"""
    )


def test_dashboard_in_french_then_english_with_filters(page, viewport, busy, login_as):
    login_as("coordinator")
    page.goto("/analytics/")
    wait_for_charts(page)
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert "Découverte" in chart_data(page, "funnel")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    assert main_overflow(page) == []
    screenshot(page, f"dashboard-{viewport}")

    before = chart_data(page, "funnel")
    page.locator("#id_neighbourhood").select_option("La Source")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/analytics/?*neighbourhood=La+Source*")
    wait_for_charts(page)
    assert chart_data(page, "funnel") != before
    assert page.locator("#id_neighbourhood").input_value() == "La Source"

    set_language(page, "en")
    assert "neighbourhood=La+Source" in page.url  # the language switch keeps the view
    wait_for_charts(page)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert "Discovery" in chart_data(page, "funnel")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_board_sees_small_counts_hidden_and_no_names(page, busy, login_as):
    login_as("board")
    page.goto("/analytics/")
    wait_for_charts(page)
    main = page.locator("main").inner_text()
    assert "< 5" in main
    names = [h[0] for h in HOUSEHOLDS] + [f"Famille Exemple {i:02d}" for i in range(18)]
    html = page.content()
    assert not [n for n in names if n in html]
    assert page.locator("main a[href*='/households/']").count() == 0
    # Hidden counts are drawn as hidden "< 5" boxes, never as zero; their tooltips say "< 5".
    funnel = json.loads(page.locator("#chart-data-funnel").text_content())["series"][0]
    hidden = [i for i, d in enumerate(funnel["data"]) if isinstance(d, dict) and d.get("hidden")]
    assert hidden and None not in funnel["data"] and 0 not in funnel["data"]
    tips = page.evaluate(
        """(hidden) => {
            const el = document.querySelector("[data-chart='chart-data-funnel']");
            const chart = echarts.getInstanceByDom(el);
            const format = chart.getOption().series[0].tooltip.valueFormatter;
            return [format(5, hidden[0]), chart.getOption().tooltip[0].renderMode];
        }""",
        hidden,
    )
    assert tips == ["< 5", "richText"]
    page.locator("#funnel details summary").first.click()
    assert page.locator("#funnel table").is_visible()
    # Every count in the board's tables is "< 5" or a multiple of 5 (rounded down).
    counts = page.locator("#funnel tbody td:nth-child(2)").all_inner_texts()
    assert counts and all(c == "< 5" or int(c) % 5 == 0 for c in counts), counts
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_staff_open_the_households_behind_a_bar(page, busy, login_as):
    login_as("coordinator")
    page.goto("/analytics/")
    page.locator("#funnel details.dropouts summary").click()
    from django_scopes import scopes_disabled

    from parcours.households.models import Household

    with scopes_disabled():
        pk = Household.objects.get(name="Famille Exemple 00").pk
    link = page.locator("#funnel details.dropouts a", has_text="Famille Exemple 00")
    assert link.is_visible() and link.get_attribute("href") == f"/households/{pk}/"


def test_the_boards_filtered_dashboard_draws_hidden_cells_as_hidden(page, viewport, busy, login_as):
    """Filtered to one neighbourhood, most of the board's counts are under 5: every one of them
    is drawn as a dashed "< 5" marker, never as a zero bar; on a phone the heatmap, the moves
    and the survival curves give way to their tables."""
    login_as("board")
    page.goto("/analytics/?neighbourhood=La+Source")
    wait_for_charts(page)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('[data-chart]')].map(el => {
            const option = echarts.getInstanceByDom(el).getOption();
            return option.series.map(s => ({
                type: s.type,
                zeros: (s.data || []).filter(d => d === 0 || (d && d.value === 0)).length,
                hidden: (s.data || []).filter(d => d && d.hidden).length,
                labels: (s.data || []).filter(d => d && d.hidden)
                                       .map(d => d.label && d.label.formatter),
            }));
        })"""
    )
    bars = [s for chart in drawn for s in chart if s["type"] == "bar"]
    assert bars and not [s for s in bars if s["zeros"]], bars
    hidden = [label for s in bars for label in s["labels"]]
    assert hidden and set(hidden) == {"< 5"}
    if viewport == "phone":
        for kind in ("cohorts", "time_in_stage", "process_map", "flows"):
            assert page.locator(f"#{kind} details.figures").evaluate("d => d.open"), kind
            assert not page.locator(f"#{kind} .chart").is_visible(), kind
        assert page.locator("#funnel .chart").is_visible()
    else:
        assert page.locator("#process_map .chart").is_visible()
    assert main_overflow(page) == []
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, f"dashboard-board-filtered-{viewport}")
