"""Bad input, over every route of the URL conf: hostile query parameters on every GET, hostile
values in every field of every form a role allowed to post finds on the page. 0 answers 500.

To stay fast without losing a class: each hostile value goes into every field of a form at once
(and into its text fields alone, the others as shown); the errors that stop a whole form (a
missing field) and the values a field may accept as valid (extreme dates and numbers, a
megabyte of text) are sent field by field. A page that reads no query parameter gets only the
values the request guard refuses. One world is built per module, each test in a savepoint.

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
from tests.conftest import build_world
from tests.responses import body

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
                              "buttons": [], "text": set(), "kinds": {}}  # fmt: skip
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
                f["kinds"][name] = kind
                if "checked" in a or name not in f["fields"]:
                    f["fields"][name] = a.get("value", "on")
            else:
                f["kinds"][name] = kind
                f["fields"][name] = a.get("value") or _plausible(kind)
                if kind in ("text", "search", "tel", "email", "url"):
                    f["text"].add(name)
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            f["buttons"].append((name, a.get("value", "")))
        elif tag == "select":
            self._select = name
            f["kinds"][name] = "select"
            f["fields"].setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not f["fields"][self._select]:
                f["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            f["fields"][name] = "Texte"
            f["text"].add(name)
            f["kinds"][name] = "textarea"

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


def _forms(html: str, page: str) -> list[tuple[str, dict, set, dict]]:
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
                found.append((action, data, form["text"], form["kinds"]))
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


# Values a field may accept as valid, so that the request goes on to the service and the
# database: each is sent alone in each field of its kind, the other fields as shown, since an
# error elsewhere in the form would stop it before the code it could break.
ACCEPTABLE = {
    "date": ["0001-01-01", "1899-12-31", "9999-12-31"],
    "number": ["-1", "0", "2147483648", "99999999999999999999", "1e309", "NaN"],
}
# (A select, radio or checkbox accepts only its options: a hostile value fails in the field's
# own cleaning, which runs whatever the other fields hold, so the all-fields POST reaches it.)
KIND_GROUP = {"date": "date", "datetime-local": "date", "number": "number", "hidden": "number"}
# What the request guard refuses in any query parameter before the view runs (NUL bytes,
# invisible and control characters, oversized text): one request per value proves it on each
# route; the view itself only sees the other values.
REFUSED_BY_GUARD = {"\x00", "Ab\x00cd", MEGABYTE, "Mar\u200btin", "\u202eesrever", "bell\x07",
                    "two\nlines"}  # fmt: skip


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for the whole module, rolled back at its end: each test runs in its own savepoint
    inside it (the `db` fixture), so no test sees another's writes."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def query_reads(monkeypatch):
    """The query parameters the request reads (view, forms, templates, middleware), the request
    guard's own scan (`lists()`) excepted: a page that reads none cannot depend on their values."""
    from django.http import QueryDict

    reads: list[str] = []
    for method in ("__getitem__", "get", "getlist", "__contains__", "__len__", "__iter__",
                   "copy", "dict", "items", "keys", "values", "urlencode"):  # fmt: skip
        original = getattr(QueryDict, method)

        def spy(self, *args, _original=original, _method=method, **kwargs):
            if not self._mutable and "kind" in dict.keys(self):  # the probe's request.GET, built
                reads.append(_method)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, spy)
    return reads


def _posts(base: dict, text: set, kinds: dict):
    """(label, data) of one form's hostile POSTs: every field gets every value at least once."""
    yield "empty", {}
    yield "as shown", base
    for value in HOSTILE[:4] + ["f" * 32, ["a" * 32, "b" * 32]]:
        yield "token", {**base, "submission": value}
    for value in HOSTILE:  # the value in every field at once (a megabyte: below, field by field)
        if value is not MEGABYTE:
            yield f"all={value[:20]!r}", {k: value for k in base}
        if value not in REFUSED_BY_GUARD and text and len(text) < len(base):
            yield f"text={value[:20]!r}", {**base, **{k: value for k in text if k in base}}
    yield "all as lists", {k: ["1", "2", "x"] for k in base}
    for field in base:  # errors that stop the whole form, one field at a time
        yield f"without {field}", {k: v for k, v in base.items() if k != field}
        group = KIND_GROUP.get(kinds.get(field, ""))
        for value in ACCEPTABLE.get(group, []):
            yield f"{field}={value!r}", {**base, field: value}
        if field in text:  # several at once would pass the request size limit
            yield f"{field}=megabyte", {**base, field: MEGABYTE}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_hostile_input_gives_a_server_error(name, shared_world, db, client, query_reads):
    world = shared_world
    world.__dict__.pop("_objects", None)  # the factories' objects of an earlier, rolled back test
    who = _who(name)
    if who:
        client.force_login(world.user(who))
    url = _url(name, world, role=who)
    tally = Tally(client)
    tally.send("get", f"{url}?{urlencode([(p, v) for p in PARAMS for v in ('1', 'x')])}")
    reads_params = bool(query_reads)
    for value in HOSTILE:
        if value not in REFUSED_BY_GUARD and not reads_params:
            continue  # the page reads no parameter: the guard's refusals are its whole exposure
        params = {"q": value} if value is MEGABYTE else {p: value for p in PARAMS}
        tally.send("get", f"{url}?{urlencode(params)}", label=repr(value[:20]))
    page = client.get(url)
    forms = _forms(body(page).decode(errors="replace"), url) if page.status_code == 200 else []
    if name != "accounts:logout":
        tally.send("post", url, {}, label="empty")
    for action, base, text, kinds in forms:
        if action.startswith("/logout") or action.startswith("/i18n"):
            continue
        for label, data in _posts(base, text, kinds):
            tally.send("post", action, data, label=label)
    print(f"\n{name}\tGET {tally.get}\tPOST {tally.post}\tforms {len(forms)}\treads {reads_params}")
    if os.environ.get("BAD_INPUT_REPORT"):
        with open(os.environ["BAD_INPUT_REPORT"], "a") as out:
            out.write(f"{name}\t{tally.get}\t{tally.post}\t{len(forms)}\n")
    assert not tally.failures, "\n".join(tally.failures[:40])
