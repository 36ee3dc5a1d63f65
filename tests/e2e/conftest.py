"""Browser test harness: Debian's Chromium driven by Playwright against pytest-django's live server.

- One Chromium for the whole session (never a downloaded browser: /usr/bin/chromium).
- A fresh browser context per test, in one of two viewports: desktop and phone.
- `association`: a small, realistic association built through the services, one user per role.
- `login_as`: signs in through the real login form, with a pyotp code for the roles that
  require two-factor authentication (tests/signin_helpers.py).
- `axe_violations` / `assert_accessible`: run the vendored axe-core (WCAG 2.1 A and AA).
- Every browser context (`new_context`) listens for Content-Security-Policy violations (the
  `securitypolicyviolation` event and the console's "Refused to ..." errors) on every page it
  opens; a test during which one happens fails, with the violations in its message. The live
  server sends the production CSP header (same settings).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.basis import BASIS, COVERED
from tests.journal import log_touchpoint
from tests.signin_helpers import SECOND_FACTOR_ROLES, enrol, pass_second_factor

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
# with a running loop unless told that this is safe (it is: the test code is synchronous).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "src" / "parcours" / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"
_SCRATCH = Path(tempfile.gettempdir()) / "parcours-screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The foundation's own pages also pass axe's best practices (heading order, landmarks, regions).
AXE_TAGS_STRICT = [*AXE_TAGS, "best-practice"]
PASSWORD = "un-mot-de-passe-solide-2026"

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
}

USERNAMES = {
    "admin": "sophie.admin",
    "coordinator": "claire.dubois",
    "social_worker": "karim.haddad",
    "volunteer": "lucas.petit",
    "peer_family": "famille.benali",
    "board": "michel.garnier",
}


def pytest_collection_modifyitems(items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# --- browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


# --- Content-Security-Policy violations --------------------------------------------------

#: What the current test's pages logged: CSP violations, and every console message (for the
#: failure message). Reset before each test.
CSP_VIOLATIONS: list[str] = []
CONSOLE: list[str] = []
_CONTEXTS: list = []

_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__parcoursCspViolation({
    directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample, page: document.location.pathname,
  });
});
"""


def _watch_csp(context) -> None:
    def violation(_source, v: dict) -> None:
        CSP_VIOLATIONS.append(
            f"{v['page']}: {v['directive']} blocked {v['blocked'] or '(inline)'}"
            f" at {v['source']}:{v['line']} {v['sample'] or ''}".rstrip()
        )

    def console(message) -> None:
        text = f"[{message.type}] {message.text}"
        CONSOLE.append(text)
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"console: {message.text}")

    context.expose_binding("__parcoursCspViolation", violation)
    context.add_init_script(_CSP_LISTENER)
    context.on("console", console)
    _CONTEXTS.append(context)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    CSP_VIOLATIONS.clear()
    CONSOLE.clear()
    _CONTEXTS.clear()
    outcome = yield
    for context in _CONTEXTS:  # let the events already sent by the pages arrive
        for p in context.pages:
            with contextlib.suppress(Exception):  # a closed page has nothing more to say
                p.evaluate("0")
    if CSP_VIOLATIONS and outcome.excinfo is None:
        lines = "\n".join(f"- {v}" for v in dict.fromkeys(CSP_VIOLATIONS))
        console = "\n".join(CONSOLE[-20:])
        outcome.force_exception(
            AssertionError(f"Content-Security-Policy violations:\n{lines}\nConsole:\n{console}")
        )


def new_context(browser, viewport: str, base_url: str):
    # A French browser, as most of the association's users have.
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris", **VIEWPORTS[viewport]
    )
    context.set_default_timeout(10_000)
    _watch_csp(context)
    return context


@pytest.fixture
def page(browser, live_server, viewport):
    context = new_context(browser, viewport, live_server.url)
    page = context.new_page()
    yield page
    context.close()


# --- data ---------------------------------------------------------------------------------


@dataclass
class Association:
    association: object
    users: dict[str, object]
    households: dict[str, object] = field(default_factory=dict)

    def household(self, name: str):
        return self.households[name]


HOUSEHOLDS = [
    # name, neighbourhood, address, phone, languages, composition, needs, heard_from
    ("Famille Benali", "Les Tilleuls", "12 rue des Acacias", "06 12 34 56 78", ["fr", "ar"],
     "single_parent", "Recherche d'un logement plus grand ; aide aux devoirs pour Yanis.",
     "outreach"),
    ("Famille Martin", "Les Tilleuls", "3 allée des Lilas", "06 98 76 54 32", ["fr"],
     "couple_children", "Dettes d'énergie.", "info_centre"),
    ("Famille Nguyen", "Le Port", "8 quai de la Loire", "07 11 22 33 44", ["fr", "other"],
     "couple_children", "", "peer"),
    ("Famille Diallo", "La Source", "45 avenue Jean-Jaurès", "06 55 44 33 22", ["fr", "wo"],
     "extended", "Démarches de titre de séjour.", "partner"),
    ("Famille Lefèvre", "Centre-ville", "", "", ["fr"], "single", "", "web"),
    ("Famille Moreau", "La Source", "21 rue Victor-Hugo", "06 01 02 03 04", ["fr"],
     "single_parent", "", "militant"),
]  # fmt: skip

PERSONS = {
    "Famille Benali": [("Samira", "Benali", 1988, "parent", True), ("Yanis", "Benali", 2014,
                       "child", False), ("Inès", "Benali", 2017, "child", False)],
    "Famille Martin": [("Julien", "Martin", 1982, "parent", True), ("Aurélie", "Martin", 1985,
                       "parent", False), ("Léa", "Martin", 2012, "child", False)],
    "Famille Nguyen": [("Thi Lan", "Nguyen", 1979, "parent", True), ("Minh", "Nguyen", 2009,
                       "child", False)],
    "Famille Diallo": [("Aminata", "Diallo", 1975, "parent", True), ("Mamadou", "Diallo",
                       1948, "grandparent", False), ("Fatou", "Diallo", 2011, "child", False)],
    "Famille Lefèvre": [("Gérard", "Lefèvre", 1956, "other", True)],
    "Famille Moreau": [("Nathalie", "Moreau", 1990, "parent", True), ("Enzo", "Moreau", 2019,
                       "child", False)],
}  # fmt: skip

TOUCHPOINTS = {
    "Famille Benali": [
        (date(2026, 3, 4), "outreach_contact", None, "Rencontrée au marché des Tilleuls."),
        (date(2026, 3, 18), "intake_visit", None, "Écoute : fatigue, isolement depuis le "
                                                  "déménagement."),
        (date(2026, 4, 2), "attendance", "Café des parents", ""),
        (date(2026, 4, 16), "attendance", "Café des parents", ""),
        (date(2026, 5, 6), "attendance", "Sortie au jardin partagé", ""),
        (date(2026, 5, 20), "communication", None, "Appel pour la fête de quartier."),
    ],
    "Famille Martin": [
        (date(2026, 2, 10), "info_request", None, ""),
        (date(2026, 2, 24), "appointment_booked", None, ""),
        (date(2026, 3, 3), "intake_visit", None, "Situation d'endettement à suivre."),
    ],
    "Famille Nguyen": [
        (date(2026, 1, 15), "peer_contact", None, ""),
        (date(2026, 2, 5), "attendance", "Atelier cuisine du monde", ""),
    ],
    "Famille Diallo": [
        (date(2026, 4, 8), "outreach_contact", None, ""),
        (date(2026, 4, 22), "intake_visit", None, "Orientée vers la permanence juridique."),
    ],
    "Famille Moreau": [(date(2026, 5, 12), "info_request", None, "")],
}  # fmt: skip

ACTIVITIES = [
    ("Café des parents", "sharing"),
    ("Sortie au jardin partagé", "activity"),
    ("Atelier cuisine du monde", "activity"),
]


@pytest.fixture
def association(transactional_db) -> Association:
    """« Les Lucioles »: six households with members and touchpoints, one user per role."""
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Association as AssociationModel
    from parcours.accounts.models import Membership
    from parcours.activities.models import Activity
    from parcours.households import services

    user_model = get_user_model()
    with scopes_disabled():
        assoc = AssociationModel.objects.create(name="Les Lucioles", slug="lucioles")
        other = AssociationModel.objects.create(name="Le Relais du Port", slug="relais")
        users = {}
        for role, username in USERNAMES.items():
            user = user_model.objects.create_user(username, password=PASSWORD)
            Membership.objects.create(user=user, association=assoc, role=role)
            if role in SECOND_FACTOR_ROLES:
                enrol(user)  # their role requires an authenticator app
            users[role] = user
        coordinator = users["coordinator"]
        activities = {
            name: Activity.objects.create(association=assoc, name=name, category=category)
            for name, category in ACTIVITIES
        }
        result = Association(assoc, users)
        for name, hood, address, phone, langs, composition, needs, heard in HOUSEHOLDS:
            household = services.household_create(
                actor=coordinator, association=assoc, name=name, neighbourhood=hood,
                address=address, phone=phone, languages=langs, composition=composition,
                needs=needs, heard_from=heard, lawful_basis=BASIS,
            )  # fmt: skip
            for first, last, year, relation, contact in PERSONS[name]:
                services.person_add(
                    actor=coordinator, household=household, first_name=first, last_name=last,
                    birth_year=year, relation=relation, is_contact=contact, lawful_basis=COVERED,
                )  # fmt: skip
            for day, kind, activity, note in TOUCHPOINTS.get(name, []):
                log_touchpoint(
                    actor=coordinator, household=household, day=day, kind=kind,
                    activity=activities[activity] if activity else None, note=note,
                )  # fmt: skip
            result.households[name] = household
        # A household of another association: never visible to the users above.
        result.households["other"] = services.household_create(
            lawful_basis=BASIS,
            actor=None,
            association=other,
            name="Famille Durand",
            neighbourhood="Le Port",
        )
        peer = Membership.objects.get(user=users["peer_family"])
        peer.household = result.households["Famille Benali"]
        peer.save()
    return result


@pytest.fixture
def fixed_today():
    """The whole process (test and live server) on 1 June 2026, clock ticking: pages that count
    "the last 30 days" or date their tasks look the same on every run (screenshots)."""
    import time_machine

    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))):
        yield


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def login_as(page, association):
    """Sign in through the login form as the user holding `role`, with an authenticator code
    from pyotp when the role requires one; returns the page."""
    from django.core.cache import cache

    def _login(role: str, *, password: str = PASSWORD, target=page):
        cache.clear()  # the live server's rate limits and used codes: each test starts afresh
        target.goto("/login/")
        target.locator("#id_login").fill(USERNAMES[role])
        target.locator("#id_password").fill(password)
        target.locator("main form button[type=submit]").click()
        target.wait_for_load_state()
        pass_second_factor(target)
        return target

    return _login


def open_menu(page) -> None:
    """Open the header menu if it is folded (on a phone it is a "Menu" button)."""
    menu = page.locator("#nav-menu")
    if menu.count() and not menu.evaluate("m => m.open"):
        menu.locator(":scope > summary").click()


def nav_click(page, name: str) -> None:
    """Follow the main menu's link `name` as a user would: open the "Menu" on a phone, then,
    on a desktop, the moment (dropdown) that holds the link."""
    open_menu(page)
    nav = page.locator("header nav")
    group = nav.locator("details.nav-group").filter(has=page.locator(f'a:text-is("{name}")'))
    if group.count() and not group.evaluate("g => g.open"):
        group.locator("summary").click()
    nav.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def log_out(page) -> None:
    open_menu(page)
    button = page.locator("header form[action$='/logout/'] button")
    account = page.locator("header details.nav-account")
    if not button.is_visible() and account.count():  # in "My account" on a desktop
        account.locator(":scope > summary").click()
    button.click()
    page.wait_for_load_state()


def set_language(page, lang: str) -> None:
    """Choose the language as the switch in the header does (Django's language cookie)."""
    current = page.locator("html").get_attribute("lang")
    if current != lang:
        open_menu(page)
        page.locator(f"header button[name=language][value={lang}]").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang


def axe_violations(page, tags: list[str] = AXE_TAGS) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1, levels A and AA by default) on the page; its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern (an
        # inline <script> copy would be refused; a static URL fails when the phone is offline).
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          summary: n.failureSummary})),
            }));
        }""",
        tags,
    )
    return result


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def horizontal_overflow(page) -> str | None:
    """None if the page fits the viewport's width; otherwise the widest elements."""
    return page.evaluate(
        """() => {
            const doc = document.documentElement;
            if (doc.scrollWidth <= window.innerWidth) return null;
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                          + (e.className && typeof e.className === 'string'
                             ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                          + ' right=' + Math.round(e.getBoundingClientRect().right));
            return `scrollWidth ${doc.scrollWidth} > innerWidth ${window.innerWidth}: `
                   + wide.join(', ');
        }"""
    )


def screenshot(page, name: str) -> Path:
    """Take a full-page screenshot, to look at. It goes to docs/screenshots only when
    PARCOURS_UPDATE_SCREENSHOTS=1 (to refresh the README's pictures on purpose); otherwise to a
    scratch folder, so that a test run leaves `git status` clean."""
    folder = SCREENSHOTS if os.environ.get("PARCOURS_UPDATE_SCREENSHOTS") == "1" else _SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path
