"""The calendar of sessions (week, month, the iCal link a phone subscribes to) and the attendance
grid (several paper sheets keyed in at once), in the browser: French and English, phone and
desktop, axe-core clean, nothing scrolling sideways but the grid's own table."""

from __future__ import annotations

from datetime import date, time

import pytest
from icalendar import Calendar

from tests.e2e.conftest import (
    AXE_TAGS_STRICT,
    axe_violations,
    format_violations,
    horizontal_overflow,
    nav_click,
    screenshot,
    set_language,
)

pytestmark = pytest.mark.browser

MAY = [date(2026, 5, d) for d in (6, 13, 20, 27)]  # the café's Wednesdays keyed in from paper
JUNE = [date(2026, 6, 3), date(2026, 6, 10)]  # coming sessions (today is 1 June 2026)


def assert_page_ok(page) -> None:
    violations = axe_violations(page, AXE_TAGS_STRICT)
    assert not violations, format_violations(violations)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)


def suffix(lang, viewport) -> str:
    return f"{'-en' if lang == 'en' else ''}-{viewport}"


@pytest.fixture
def cafe(association):
    """The parents' café every Wednesday of May and June 2026, and one garden outing."""
    from django_scopes import scopes_disabled

    from parcours.activities import services
    from parcours.activities.models import Activity

    coordinator = association.users["coordinator"]
    with scopes_disabled():
        acts = {a.name: a for a in Activity.objects.filter(association=association.association)}
        cafe = acts["Café des parents"]
        services.activity_update(actor=coordinator, activity=cafe, place="Salle des Tilleuls")
        sessions = [
            services.session_create(
                actor=coordinator,
                activity=cafe,
                day=day,
                start_time=time(14, 0),
                end_time=time(16, 0),
            )  # fmt: skip
            for day in MAY + JUNE
        ]
        services.session_create(
            actor=coordinator, activity=acts["Sortie au jardin partagé"], day=date(2026, 6, 5),
            start_time=time(10, 0), place="Jardin des Lilas",
        )  # fmt: skip
    return cafe, sessions


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_calendar_shows_the_week_and_the_month_and_its_link_feeds_a_phone(
    fixed_today, page, cafe, login_as, viewport, lang
):
    login_as("volunteer")
    set_language(page, lang)
    page.goto("/")
    nav_click(page, "Calendrier" if lang == "fr" else "Calendar")
    assert page.url.endswith("/calendar/")
    # the week of Monday 1 June: two sessions, on Wednesday and Friday
    week = page.locator(".agenda-week")
    assert week.locator(".agenda-day").count() == 7
    assert week.locator(".agenda-session").count() == 2
    assert "Café des parents" in week.locator(".agenda-day").nth(2).inner_text()
    assert "Jardin des Lilas" in week.locator(".agenda-day").nth(4).inner_text()
    assert_page_ok(page)
    screenshot(page, f"calendar-week{suffix(lang, viewport)}")

    page.get_by_role("link", name="Mois" if lang == "fr" else "Month", exact=True).click()
    page.wait_for_load_state()
    assert "view=month" in page.url
    month = page.locator("table.agenda-month")
    assert month.locator("tbody tr").count() == 5  # 1 June is a Monday: five weeks
    assert month.locator("a.agenda-chip").count() == 3  # the café twice, the garden once
    # a chip opens the session's sheet
    chip = month.locator("a.agenda-chip", has_text="Café des parents").first
    assert "/activities/sessions/" in chip.get_attribute("href")
    assert_page_ok(page)
    if viewport == "desktop":  # on a phone the month is the same table, scrolled sideways
        screenshot(page, f"calendar-month{suffix(lang, viewport)}")

    # the private link a phone's calendar subscribes to: every session of the café
    page.get_by_role(
        "link", name="Dans l’agenda de mon téléphone" if lang == "fr" else "In my phone's calendar"
    ).click()
    page.wait_for_load_state()
    page.locator("#feed-activity").select_option(label=(
        "Toutes les séances de « Café des parents »" if lang == "fr"
        else "Every session of “Café des parents”"))  # fmt: skip
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    url = page.locator("#new-url").input_value()
    assert url.endswith(".ics")
    assert page.locator("a[href^='webcal://']").count() == 1
    assert_page_ok(page)
    response = page.request.get(url)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    events = sorted(
        (e.decoded("dtstart"), str(e.get("summary")), str(e.get("location")))
        for e in calendar.walk("VEVENT")
    )
    assert [e[0].date() for e in events] == MAY + JUNE
    assert {e[1] for e in events} == {"Café des parents"}
    assert {e[2] for e in events} == {"Salle des Tilleuls"}
    assert events[0][0].hour == 14 and str(events[0][0].tzinfo) == "Europe/Paris"
    # nothing about a family in the feed
    assert b"Famille" not in response.body()


def _stage(household):
    from django_scopes import scopes_disabled

    from parcours.journey.models import HouseholdJourney

    with scopes_disabled():
        return HouseholdJourney.objects.get(household=household).stage


def _marks(sessions) -> dict[tuple[str, date], str]:
    from django_scopes import scopes_disabled

    from parcours.activities.models import Attendance

    with scopes_disabled():
        return {
            (a.household.name, a.session.day): a.status
            for a in Attendance.objects.filter(session__in=sessions).select_related(
                "household", "session"
            )
        }


def _add_family(page, search: str, name: str, lang: str) -> None:
    page.locator("#id_household").fill(search)
    option = page.locator("#id_household-results label.picker-option", has_text=name)
    option.locator("input[type=radio]").check()
    page.get_by_role(
        "button", name="Ajouter cette famille à la grille" if lang == "fr"
        else "Add this family to the grid",
    ).click()  # fmt: skip
    page.wait_for_load_state()


def _box(page, household, session):
    return page.locator(f"input[name='c-{household.pk}-{session.pk}']")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_attendance_grid_keys_in_two_sheets_at_once(
    fixed_today, page, association, cafe, login_as, viewport, lang
):
    activity, sessions = cafe
    benali, martin, nguyen = (association.household(f"Famille {n}")
                              for n in ("Benali", "Martin", "Nguyen"))  # fmt: skip
    may13, may20 = sessions[1], sessions[2]
    martin_before = _stage(martin)
    login_as("volunteer")
    set_language(page, lang)
    # from today's sessions, as a volunteer finds it
    page.goto("/activities/today/?day=2026-06-03")
    page.locator(f"a[href='/activities/{activity.pk}/grid/?month=2026-06']").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Mois précédent" if lang == "fr" else "Previous month").click()
    page.wait_for_load_state()
    assert "month=2026-05" in page.url
    grid = page.locator("table.attendance-grid")
    assert grid.locator("thead th").count() == 1 + len(MAY)
    # the café's regular (April) is expected; the others are added with the picker
    assert grid.locator("tbody tr").count() == 1
    assert "Famille Benali" in grid.locator("tbody th").first.inner_text()
    _box(page, benali, may13).check()  # ticked before adding rows: kept
    _add_family(page, "Mart", "Famille Martin", lang)
    _add_family(page, "Nguy", "Famille Nguyen", lang)
    assert grid.locator("tbody tr").count() == 3
    assert _box(page, benali, may13).is_checked()
    for household, session in [(benali, may20), (martin, may13), (martin, may20),
                               (nguyen, may20)]:  # fmt: skip
        _box(page, household, session).check()
    if viewport == "phone":
        # the table scrolls sideways inside its box; the families' names stay in view
        scroller = page.locator(".grid-scroll")
        scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        name = grid.locator("tbody th").first.bounding_box()
        assert abs(name["x"] - scroller.bounding_box()["x"]) <= 2, name
        scroller.evaluate("e => { e.scrollLeft = 0; }")
    assert_page_ok(page)
    page.locator("#grid-save").click()
    page.wait_for_load_state()
    screenshot(page, f"attendance-grid{suffix(lang, viewport)}")
    assert ("Grille enregistrée" if lang == "fr" else "Grid saved") in page.locator(
        "main"
    ).inner_text()
    expected = {
        ("Famille Benali", may13.day): "present", ("Famille Benali", may20.day): "present",
        ("Famille Martin", may13.day): "present", ("Famille Martin", may20.day): "present",
        ("Famille Nguyen", may20.day): "present",
    }  # fmt: skip
    assert _marks(sessions) == expected
    assert grid.locator("tfoot td").all_inner_texts() == ["0", "2", "3", "0"]
    # two attendances at the café move Famille Martin on along her journey
    assert _stage(martin) != martin_before
    # the saved grid shows the marks; sent again as it is, it writes nothing
    assert _box(page, martin, may20).is_checked()
    page.locator("#grid-save").click()
    page.wait_for_load_state()
    assert "Nothing to save" in page.locator("main").inner_text() or (
        "Rien à enregistrer" in page.locator("main").inner_text()
    )
    assert _marks(sessions) == expected
    # unticking removes the mark (through the same service)
    _box(page, nguyen, may20).uncheck()
    page.locator("#grid-save").click()
    page.wait_for_load_state()
    assert _marks(sessions) == {**expected, ("Famille Nguyen", may20.day): "unmarked"}
    assert_page_ok(page)
