"""The attendance sheet on a phone: one tap per person, a flaky connection, two people at once.

The database is checked after each step: the sheet must hold exactly the intended marks, each
present household with exactly one attendance touchpoint for the session.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.activities import filedb
from tests.e2e.conftest import (
    axe_violations,
    format_violations,
    horizontal_overflow,
    new_context,
    screenshot,
)
from tests.signin_helpers import pass_second_factor

pytestmark = pytest.mark.browser

N_REGULARS = 20


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated SQLite file and the collected static files, built once for this module."""
    directory = tmp_path_factory.mktemp("attendance-e2e")
    return directory, filedb.prepare(directory, static=True)


@contextmanager
def serve(template, target_dir):
    """Parcours served by gunicorn (2 processes x 4 threads) on its own SQLite file, as in
    production: WAL, IMMEDIATE transactions, one connection per thread. (The suite's
    in-memory database, shared by the live server's threads, cannot take concurrent writes.)"""
    directory, db_file = template
    db_file = filedb.copy_database(db_file, target_dir)
    seeded = filedb.seed(directory, db_file, regulars=N_REGULARS)
    with filedb.server(directory, db_file) as url:
        yield Served(url, db_file, seeded["session"], seeded["regulars"], directory)
    assert [e for e in filedb.server_errors(directory) if "locked" in e] == []


@pytest.fixture
def served(template, tmp_path):
    """A fresh database and server per test."""
    with serve(template, tmp_path) as served:
        yield served


@pytest.fixture(scope="module")
def served_for_pages(template, tmp_path_factory):
    """One server for the page walks, which only add marks on the sheet."""
    with serve(template, tmp_path_factory.mktemp("pages")) as served:
        yield served


@dataclass
class Served:
    url: str
    db_file: object
    session: int
    regulars: list[int]
    directory: object

    def marks(self) -> dict[int, str]:
        return filedb.marks(self.db_file, self.session)

    def touchpoints(self) -> dict[int, int]:
        return filedb.attendance_touchpoints(self.db_file, self.session)


def phone(browser, served):
    context = new_context(browser, "phone", served.url)
    page = context.new_page()
    page.on("pageerror", lambda e: print("PAGEERROR", e))
    return context, page


def login(page, role):
    page.goto("/login/")
    page.locator("#id_login").fill(filedb.USERNAMES[role])
    page.locator("#id_password").fill(filedb.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    pass_second_factor(page)


DUMP = """() => [document.getElementById('sheet').className,
    document.getElementById('sheet-status').textContent,
    ...[...document.querySelectorAll('.sheet-row')].map(r => [r.id, r.className,
        r.dataset.status, r.querySelector('.row-state').textContent].join(' '))]"""


def wait_all_saved(page, timeout=20_000):
    try:
        page.wait_for_function(
            "() => !document.getElementById('sheet').classList.contains('has-pending')"
            " && !document.querySelector('.sheet-row.state-saving, .sheet-row.state-queued')",
            timeout=timeout,
        )
    except Exception:
        print("SHEET", page.evaluate(DUMP))  # shown by pytest when the test fails
        raise


def row(page, household_id):
    return page.locator(f"#row-{household_id}")


def tap(page, household_id, status):
    row(page, household_id).locator(f"button.mark-{status}").click()


def open_sheet(page, session: int):
    page.goto("/activities/today/")
    page.locator(f"a[role=button][href='/activities/sessions/{session}/']").click()
    page.wait_for_url(f"**/activities/sessions/{session}/")
    page.wait_for_function("() => typeof htmx !== 'undefined'")


def test_a_volunteer_marks_twenty_people_through_a_flaky_connection(browser, served):
    context, page = phone(browser, served)
    login(page, "volunteer")
    open_sheet(page, served.session)
    ids = served.regulars
    assert page.locator("#sheet-rows .sheet-row").count() == N_REGULARS
    # the search of people already known gets the width of the phone, not a sliver
    search = page.locator("#sheet-q").bounding_box()
    assert search["width"] >= 0.6 * page.viewport_size["width"], search

    # 1. Twelve people, one tap each, online.
    for household_id in ids[:12]:
        tap(page, household_id, "present")
    wait_all_saved(page)
    assert served.marks() == {h: "present" for h in ids[:12]}

    # 2. The connection drops mid-save: the next requests reach the server but their answers
    #    are lost; the page must retry them without duplicating anything.
    lost = []

    def lose_the_answer(route):
        if route.request.method == "POST":
            route.fetch()  # the server applies it...
            lost.append(route.request.url)
            route.abort("internetdisconnected")  # ...the phone never hears back
        else:
            route.continue_()

    page.route("**/activities/sessions/*/*/", lose_the_answer)
    tap(page, ids[12], "present")
    tap(page, ids[13], "present")
    # A newcomer, quick-added while the answers are lost.
    page.locator("#newcomer-details summary").click()
    page.locator("#id_name").fill("Famille Nouvelle")
    hood = page.locator("#id_neighbourhood")  # a list once the association has neighbourhoods
    if hood.evaluate("e => e.tagName") == "SELECT":
        hood.select_option("Les Tilleuls")
    else:
        hood.fill("Les Tilleuls")
    page.locator("#id_purposes_0").check()  # follow-up
    page.locator("#newcomer-form button[type=submit]").click()
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('.sheet-row.state-queued').length >= 3"
        )
    except Exception:
        print("SHEET", lost, page.evaluate(DUMP))
        raise
    assert len(lost) >= 3  # and the retries meanwhile, lost as well

    # 3. Then no connection at all: the rest is queued on the phone, visibly not yet saved.
    context.set_offline(True)
    for household_id in ids[14:]:
        tap(page, household_id, "present")
    tap(page, ids[0], "absent")  # a correction, offline
    tap(page, ids[0], "present")  # and back: the last intent is what counts
    queued = page.locator(".sheet-row.state-queued")
    assert queued.count() == 3 + 6 + 1
    assert "Pas encore enregistré" in queued.first.inner_text()  # the phone is in French
    screenshot(page, "attendance-offline-phone")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    # On the server: the first twelve, and the three whose answers were lost (applied once).
    marks = served.marks()
    assert {h: s for h, s in marks.items() if h in ids} == {h: "present" for h in ids[:14]}
    assert len(marks) == 15

    # 4. The connection comes back: everything queued is sent, once.
    page.unroute("**/activities/sessions/*/*/")
    context.set_offline(False)
    wait_all_saved(page)
    marks = served.marks()
    newcomers = [h for h in marks if h not in ids]
    assert len(newcomers) == 1
    assert marks == {**{h: "present" for h in ids}, newcomers[0]: "present"}
    assert served.touchpoints() == {h: 1 for h in marks}
    count = "SELECT COUNT(*) FROM households_household WHERE name = ?"
    assert filedb.scalar(served.db_file, count, "Famille Nouvelle") == 1
    # Famille Benali led the session: one activity_led touchpoint.
    led = "SELECT COUNT(*) FROM households_touchpoint WHERE kind = 'activity_led'"
    assert filedb.scalar(served.db_file, led) == 1
    # the newcomer's row may come with the next poll of the sheet (every 5 s): the count is
    # read as the volunteer reads it, once the page settles (CI under load saw 20 first)
    expect(page.locator("#present-count")).to_have_text(str(N_REGULARS + 1), timeout=12_000)
    queue = page.evaluate(f"() => localStorage.getItem('parcours:attendance:{served.session}')")
    assert queue == '{"marks":{},"newcomers":{}}'  # nothing left to send

    # 5. A reload shows the same sheet, served by the server.
    page.reload()
    pressed = page.locator("#sheet-rows button.mark-present[aria-pressed=true]")
    assert pressed.count() == N_REGULARS + 1
    screenshot(page, "attendance-sheet-phone")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    context.close()


def test_two_people_marking_the_same_sheet_lose_nothing(browser, served):
    ids = served.regulars
    first_context, first = phone(browser, served)
    second_context, second = phone(browser, served)
    try:
        login(first, "volunteer")
        login(second, "coordinator")
        open_sheet(first, served.session)
        open_sheet(second, served.session)
        evens, odds = ids[0::2], ids[1::2]
        click_all = """([ids, status]) => ids.forEach(
            id => document.querySelector(`#row-${id} button.mark-${status}`).click())"""
        # Both fire their taps at once: the requests overlap on the server.
        first.evaluate(click_all, [evens, "present"])
        second.evaluate(click_all, [odds, "excused"])
        wait_all_saved(first)
        wait_all_saved(second)
        # The same person marked by both, one after the other: the later tap wins.
        tap(first, ids[1], "present")
        wait_all_saved(first)
        tap(second, ids[1], "absent")
        wait_all_saved(second)
        expected = {**{h: "present" for h in evens}, **{h: "excused" for h in odds}}
        expected[ids[1]] = "absent"
        assert served.marks() == expected
        assert served.touchpoints() == {h: 1 for h in evens}

        # Each sheet shows the other's marks after its next refresh (polling or focus).
        for page in (first, second):
            page.evaluate("() => window.dispatchEvent(new Event('focus'))")
            page.wait_for_function(
                """(expected) => Object.entries(expected).every(([id, status]) =>
                    document.querySelector(`#row-${id}`)?.dataset.status === status)""",
                arg={str(k): v for k, v in expected.items()},
                timeout=15_000,
            )
            assert page.locator("#present-count").inner_text() == str(len(evens))
    finally:
        first_context.close()
        second_context.close()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_activity_pages_are_accessible(browser, served_for_pages, viewport, lang):
    """Every page of the activities, as a coordinator: axe finds nothing, no sideways scroll."""
    served = served_for_pages
    context = new_context(browser, viewport, served.url)
    page = context.new_page()
    try:
        # The language switch's cookie (the header's menu differs between phone and desktop).
        context.add_cookies([{"name": "django_language", "value": lang, "url": served.url}])
        login(page, "coordinator")
        activity = filedb.scalar(
            served.db_file, "SELECT activity_id FROM activities_session WHERE id = ?",
            served.session,
        )  # fmt: skip
        pages = {
            "list": "/activities/",
            "today": "/activities/today/",
            "detail": f"/activities/{activity}/",
            "activity-form": "/activities/new/",
            "schedule-form": f"/activities/{activity}/schedules/new/",
            "session-form": f"/activities/{activity}/sessions/new/",
            "session-edit": f"/activities/sessions/{served.session}/edit/",
            "sheet": f"/activities/sessions/{served.session}/",
            "newcomer": f"/activities/sessions/{served.session}/newcomer/",
        }
        problems = []
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            assert page.locator("html").get_attribute("lang") == lang
            if name == "sheet":
                tap(page, served.regulars[0], "present")
                tap(page, served.regulars[1], "excused")
                wait_all_saved(page)
                page.locator("#sheet-q").fill("Benali")  # someone known, not a regular
                page.locator("#search-results .sheet-row").first.wait_for()
                page.locator("#newcomer-details summary").click()
            if name.endswith("-form"):  # the form with its errors, as after a bad entry
                page.locator("main form button[type=submit]").click()
                page.wait_for_load_state()
                assert page.locator("main .error").count() > 0, name
            violations = axe_violations(page)
            if violations:
                problems.append(f"{name}: {format_violations(violations)}")
            if viewport == "phone" and (overflow := horizontal_overflow(page)):
                problems.append(f"{name}: scrolls sideways: {overflow}")
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
