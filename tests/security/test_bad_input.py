"""Bad input, over every route of the URL conf: hostile query parameters on every GET, hostile
values in every field of every form a role allowed to post finds on the page. 0 answers 500.

Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://...). With -s, each route prints how
many requests it sent; `BAD_INPUT_REPORT=path` appends them as TSV lines (route, GET, POST).
"""

from __future__ import annotations

import os
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.db import transaction
from django.utils import timezone

from tests.accounts.test_access import EXPECTED, PUBLIC, _url

MEGABYTE = "x" * 1_000_000
# One value of each kind of trouble: NUL bytes, dates out of range or impossible, numbers
# that do not fit, text too long, invisible and control characters, wrong types, markup.
HOSTILE = [
    "\x00", "Ab\x00cd", "0001-01-01", "1899-12-31", "9999-12-31", "99999-01-01", "2026-02-30",
    "2026-01-01T25:61", "-1", "0", "2147483648", "99999999999999999999", "1e309", "NaN",
    "abc", MEGABYTE, "Mar\u200btin", "\u202eesrever", "bell\x07", "two\nlines", " ",
    "<script>alert(1)</script>", "' OR '1'='1", "../../etc/passwd", "%00", "１２",
]  # fmt: skip
# Query parameters the pages read, and a few they do not.
PARAMS = [
    "q", "page", "day", "start", "end", "status", "stage", "channel", "neighbourhood",
    "household", "group", "show", "filtered", "measure", "by", "cohort", "activity", "next",
    "referred", "session", "kind",
]  # fmt: skip


class _Forms(HTMLParser):
    """The POST forms of a page: action, fields with their current values, submit buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post" or a.get("hx-post"):
                self._form = {"action": a.get("action") or a.get("hx-post") or "", "fields": {},
                              "buttons": [], "text": set()}  # fmt: skip
                self.forms.append(self._form)
            return
        f = self._form
        if f is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                f["buttons"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a or name not in f["fields"]:
                    f["fields"][name] = a.get("value", "on")
            else:
                f["fields"][name] = a.get("value") or _plausible(kind)
                if kind in ("text", "search", "tel", "email", "url"):
                    f["text"].add(name)
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            f["buttons"].append((name, a.get("value", "")))
        elif tag == "select":
            self._select = name
            f["fields"].setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not f["fields"][self._select]:
                f["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            f["fields"][name] = "Texte"
            f["text"].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _plausible(kind: str) -> str:
    today = timezone.localdate()
    return {
        "date": (today - timedelta(days=1)).isoformat(),
        "datetime-local": f"{today + timedelta(days=2)}T10:00",
        "time": "14:00",
        "number": "1",
        "tel": "0601020304",
        "email": "test@example.org",
        "hidden": "",
    }.get(kind, "Valeur")


def _forms(html: str, page: str) -> list[tuple[str, dict, set]]:
    parser = _Forms()
    parser.feed(html)
    found, seen = [], set()
    for form in parser.forms:
        action = urlsplit(urljoin(page, form["action"] or page)).path
        # the one-time token would turn every request after the first write into a replay
        fields = {k: v for k, v in form["fields"].items()
                  if k not in ("csrfmiddlewaretoken", "submission")}  # fmt: skip
        for button in form["buttons"] or [None]:
            data = dict(fields)
            if button:
                data[button[0]] = button[1]
            key = (action, tuple(sorted(data)), button)
            if key not in seen:
                seen.add(key)
                found.append((action, data, form["text"]))
    return found


def _who(name: str) -> str | None:
    return None if EXPECTED[name] == PUBLIC else "admin"


class Tally:
    def __init__(self, client):
        self.client, self.get, self.post, self.failures = client, 0, 0, []

    def send(self, method: str, url: str, data=None, label=""):
        setattr(self, method, getattr(self, method) + 1)
        try:
            with transaction.atomic():  # a database error must not poison the next request
                response = getattr(self.client, method)(url, data or {})
        except Exception as exc:  # noqa: BLE001 (the test reports every crash)
            self.failures.append(
                f"{method.upper()} {url} {label}: {type(exc).__name__}: {exc}"[:300]
            )
            return None
        if response.status_code >= 500:
            self.failures.append(f"{method.upper()} {url} {label}: {response.status_code}")
        return response


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_hostile_input_gives_a_server_error(name, world, client):
    who = _who(name)
    if who:
        client.force_login(world.user(who))
    url = _url(name, world, role=who)
    tally = Tally(client)
    for value in HOSTILE:
        params = {"q": value} if value is MEGABYTE else {p: value for p in PARAMS}
        tally.send("get", f"{url}?{urlencode(params)}", label=repr(value[:20]))
    tally.send("get", f"{url}?{urlencode([(p, v) for p in PARAMS for v in ('1', 'x')])}")
    page = client.get(url)
    forms = _forms(page.content.decode(errors="replace"), url) if page.status_code == 200 else []
    if name != "accounts:logout":
        tally.send("post", url, {}, label="empty")
    for action, base, text in forms:
        if action.startswith("/logout") or action.startswith("/i18n"):
            continue
        tally.send("post", action, {}, label="empty")
        tally.send("post", action, base, label="as shown")
        for value in HOSTILE[:4] + ["f" * 32, ["a" * 32, "b" * 32]]:
            tally.send("post", action, {**base, "submission": value}, label="token")
        for field in base:
            missing = {k: v for k, v in base.items() if k != field}
            tally.send("post", action, missing, label=f"without {field}")
            tally.send("post", action, {**base, field: ["1", "2", "x"]}, label=f"{field} as a list")
            for value in HOSTILE:
                if value is MEGABYTE and field not in text:
                    continue  # a megabyte goes into text fields; the rest get the other values
                data = {**base, field: value}
                tally.send("post", action, data, label=f"{field}={value[:20]!r}")
    print(f"\n{name}\tGET {tally.get}\tPOST {tally.post}\tforms {len(forms)}")
    if os.environ.get("BAD_INPUT_REPORT"):
        with open(os.environ["BAD_INPUT_REPORT"], "a") as out:
            out.write(f"{name}\t{tally.get}\t{tally.post}\t{len(forms)}\n")
    assert not tally.failures, "\n".join(tally.failures[:40])
