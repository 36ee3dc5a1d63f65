"""Simulated staff of one association, for locust (bench/load.py runs it; see bench/README.md).

Each simulated person signs in through the real forms (the password page, then for
coordinators and social workers the two-factor page with the code their authenticator app
would show, computed by pyotp from their own secret), then works:

- volunteers take attendance on a phone: open today's sessions and their session's sheet, tap
  marks (the htmx POST the sheet's script sends: household, status, a fresh mark_id, the
  version they saw, the tap's time, the CSRF token in X-CSRFToken), sometimes send a tap again
  as a phone does when its answer was lost (same mark_id), poll the sheet's rows as its script
  does (the sheet's version held, ``since``: the rows changed since come back), open
  household pages and search in the household picker;
- coordinators load the dashboard, search the family list, open household pages, use the
  picker and take attendance on their own session;
- social workers open household pages, search the family list and the picker, and look at the
  dashboard now and then.

The server runs with the production settings behind a TLS proxy: every request says
``X-Forwarded-Proto: https`` (as the proxy would), the client keeps the Secure cookies (its
cookie policy lets them go over the loopback's plain HTTP) and sends a same-origin https
Referer with its POSTs, as a browser behind the proxy does, so Django's CSRF checks run as in
production.

Every answered tap is written to LOAD_MARKS (one JSON line: session, household, status,
mark_id, outcome, version, HTTP status, acknowledged or not): bench/load_db.py checks them
against the database afterwards. The plan (LOAD_PLAN, written by the seeding) names the
accounts, sessions, households and search words; LOAD_USERS splits the simulated people 60 %
volunteers, 20 % coordinators, 20 % social workers.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from http.cookiejar import DefaultCookiePolicy

import pyotp
from locust import HttpUser, between, events, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as _f:
    PLAN = json.load(_f)
MARKS = open(os.environ["LOAD_MARKS"], "a", encoding="utf-8")  # noqa: SIM115 (whole run)
TIMES = open(os.environ["LOAD_TIMES"], "a", encoding="utf-8")  # noqa: SIM115
USERS = int(os.environ.get("LOAD_USERS", "50"))
_ACCOUNTS = {
    role: iter([p for p in PLAN["people"] if p["role"] == role])
    for role in ("volunteer", "coordinator", "social_worker")
}
_SEQ = itertools.count()

ROW = re.compile(r'data-household="(\d+)" data-version="(\d+)" data-status="(\w*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SINCE = re.compile(r'data-since="(\d+)"')
STATUSES = ("present", "present", "present", "absent", "excused")


@events.request.add_listener
def _timed(request_type, name, response_time, exception, **_kw) -> None:
    """Every request's time, for exact percentiles per kind and over the work requests."""
    ok = 0 if exception else 1
    TIMES.write(f"{request_type} {name}\t{response_time:.1f}\t{ok}\t{time.time():.3f}\n")


@events.quitting.add_listener
def _close(**_kw) -> None:
    TIMES.close()
    MARKS.close()


# Secure cookies go back over the loopback: TLS ends at the (simulated) proxy. Patched on the
# class: requests copies the session's cookies into a jar of the default policy per request.
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True  # type: ignore[method-assign]


def _split(total: int) -> tuple[int, int, int]:
    coordinators = max(1, round(total * 0.2))
    social = max(1, round(total * 0.2))
    return total - coordinators - social, coordinators, social


class Staff(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    role = ""

    def on_start(self) -> None:
        self.account = next(_ACCOUNTS[self.role])
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        # As the proxy talks to gunicorn: one connection a request (nginx's default upstream
        # HTTP/1.0, no keep-alive). Kept alive, a connection gunicorn closes after its 2 s
        # keep-alive is reused by a person who waited longer: "connection reset" on the client.
        self.client.headers.update({"X-Forwarded-Proto": "https", "Connection": "close"})
        self.rng = random.Random(next(_SEQ))
        self.sign_in()
        self.rows: dict[int, tuple[int, str]] = {}
        self.csrf = ""
        self.since = ""
        if "session" in self.account:
            self.open_sheet()

    # -- sign-in ---------------------------------------------------------------------------

    def _post(self, path: str, data: dict, name: str, **kw):
        headers = {"Referer": self.origin + path, **kw.pop("headers", {})}
        return self.client.post(path, data=data, headers=headers, name=name, **kw)

    def sign_in(self) -> None:
        page = self.client.get("/login/", name="sign-in: page")
        token = CSRF.search(page.text).group(1)
        data = {"login": self.account["username"], "password": PLAN["password"]}
        r = self._post("/login/", {**data, "csrfmiddlewaretoken": token}, "sign-in: password")
        for _attempt in range(2):
            if not r.url.endswith("/2fa/authenticate/"):
                break
            token = CSRF.search(r.text).group(1)
            code = pyotp.TOTP(self.account["totp"]).now()
            r = self._post(
                "/2fa/authenticate/",
                {"code": code, "csrfmiddlewaretoken": token},
                "sign-in: two-factor code",
            )
            if r.url.endswith("/2fa/authenticate/"):  # a code is accepted once: the next one
                time.sleep(30.5 - time.time() % 30)
        if r.url.endswith(("/login/", "/2fa/authenticate/")):
            raise RuntimeError(f"{self.account['username']} could not sign in")

    # -- attendance ------------------------------------------------------------------------

    def open_sheet(self) -> None:
        self.client.get("/activities/today/", name="today's sessions")
        r = self.client.get(f"/activities/sessions/{self.account['session']}/", name="sheet page")
        self._read_rows(r.text)
        m = CSRF.search(r.text)
        if m:
            self.csrf = m.group(1)
        m = SINCE.search(r.text)
        if m:
            self.since = m.group(1)

    def _read_rows(self, html: str) -> None:
        for household, version, status in ROW.findall(html):
            self.rows[int(household)] = (int(version), status)

    def poll_rows(self) -> None:
        r = self.client.get(
            f"/activities/sessions/{self.account['session']}/marks/",
            params={"since": self.since} if self.since else None,
            headers={"HX-Request": "true"},
            name="sheet rows (poll)",
        )
        self._read_rows(r.text)
        self.since = r.headers.get("X-Sheet-Since", self.since)

    def tap(self) -> None:
        if not self.rows:  # an empty sheet: anyone of the association can be marked
            for pk in self.rng.sample(PLAN["household_ids"], 20):
                self.rows[pk] = (0, "")
        household = self.rng.choice(list(self.rows))
        version, current = self.rows[household]
        button = self.rng.choice(STATUSES)
        status = "unmarked" if button == current else button  # tapping the lit button clears
        data = {
            "household": household, "status": status, "mark_id": uuid.uuid4().hex,
            "base_version": version, "intent_at": int(time.time() * 1000),
        }  # fmt: skip
        first = self._send(data, retry=False)
        if self.rng.random() < 0.1:  # the answer was lost on the way: the phone sends it again
            self._send(data, retry=True, first=first)

    def _send(self, data: dict, *, retry: bool, first: str = "") -> str:
        """Send one tap; its outcome ("" when not acknowledged)."""
        session = self.account["session"]
        path = f"/activities/sessions/{session}/marks/"
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf,
                   "Referer": f"{self.origin}/activities/sessions/{session}/"}  # fmt: skip
        name = "attendance tap (retry)" if retry else "attendance tap"
        with self.client.post(
            path, data=data, headers=headers, name=name, catch_response=True
        ) as r:
            outcome = r.headers.get("X-Mark-Outcome", "")
            m = ROW.search(r.text or "")
            ok = r.status_code == 200 and bool(outcome) and m is not None
            entry = {
                "user": self.account["username"], "session": session,
                "household": data["household"], "status": data["status"],
                "mark_id": data["mark_id"], "http": r.status_code, "outcome": outcome,
                "version": int(m.group(2)) if m else None, "acknowledged": ok, "retry": retry,
            }  # fmt: skip
            MARKS.write(json.dumps(entry) + "\n")
            MARKS.flush()
            if not ok:
                r.failure(f"tap not acknowledged: HTTP {r.status_code}, outcome {outcome!r}")
                return ""
            # a retry of a tap the server answered is recognised; one whose first sending
            # failed is the first to arrive, and applies
            if retry and first and outcome != "duplicate":
                r.failure(f"a retried tap was {outcome}, not recognised as a duplicate")
            self.rows[int(m.group(1))] = (int(m.group(2)), m.group(3))
            return outcome

    # -- reading ---------------------------------------------------------------------------

    def household_page(self) -> None:
        pk = self.rng.choice(PLAN["household_ids"])
        self.client.get(f"/households/{pk}/", name="household page")

    def picker(self) -> None:
        word = self.rng.choice(PLAN["search_words"])
        self.client.get(
            "/households/picker/",
            params={"field": "household", "household_search": word},
            headers={"HX-Request": "true"},
            name="household picker search",
        )

    def family_list_search(self) -> None:
        word = self.rng.choice(PLAN["search_words"])
        self.client.get("/households/", params={"q": word}, name="family list search")

    def dashboard(self) -> None:
        self.client.get("/analytics/", name="dashboard")


class Volunteer(Staff):
    role = "volunteer"
    fixed_count = _split(USERS)[0]

    @task(12)
    def t_tap(self) -> None:
        self.tap()

    @task(2)
    def t_poll(self) -> None:
        self.poll_rows()

    @task(3)
    def t_household(self) -> None:
        self.household_page()

    @task(3)
    def t_picker(self) -> None:
        self.picker()

    @task(1)
    def t_sheet(self) -> None:
        self.open_sheet()


class Coordinator(Staff):
    role = "coordinator"
    fixed_count = _split(USERS)[1]

    @task(2)
    def t_dashboard(self) -> None:
        self.dashboard()

    @task(3)
    def t_search(self) -> None:
        self.family_list_search()

    @task(4)
    def t_household(self) -> None:
        self.household_page()

    @task(2)
    def t_picker(self) -> None:
        self.picker()

    @task(3)
    def t_tap(self) -> None:
        self.tap()


class SocialWorker(Staff):
    role = "social_worker"
    fixed_count = _split(USERS)[2]

    @task(5)
    def t_household(self) -> None:
        self.household_page()

    @task(3)
    def t_search(self) -> None:
        self.family_list_search()

    @task(2)
    def t_picker(self) -> None:
        self.picker()

    @task(1)
    def t_dashboard(self) -> None:
        self.dashboard()
