"""A small crawler over the URL conf: every named route resolved with real ids, then the links,
htmx fragments and searches the pages themselves offer.

Used by the leak crawler (test_leaks) and the differential support test
(test_support_differential). Only GET requests: reading is what these tests are about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.urls import reverse

from tests.accounts.test_access import all_routes

# Never followed: they change the session rather than read data.
SKIP_NAMES = {"accounts:logout", "set_language"}
SKIP_PATHS = ("/logout/", "/i18n/", "/static/")
LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
HX_TARGET = re.compile(r'hx-target="#([\w-]+)"')
HX_ID = re.compile(r'\bid="([\w-]+)"')


def route_kwargs(name: str) -> list[str]:
    return re.findall(r"<int:(\w+)>", str(all_routes()[name].pattern))


def seed_urls(objects: Callable[[str, str], list]) -> Iterator[tuple[str, str]]:
    """(route name, url) of every named route, each <int:...> argument given by ``objects``
    (key, route name) -> the objects to try (their pks); routes it has nothing for are left out.
    """
    for name, route in sorted(all_routes().items()):
        keys = route_kwargs(name)
        if name in SKIP_NAMES or route.pattern.regex.groups != len(keys):
            continue  # e.g. a password-reset key: no object of ours names it
        if not keys:
            yield name, reverse(name)
            continue
        choices: list[dict] = [{}]
        for key in keys:
            found = objects(key, name)
            choices = [c | {key: o.pk} for c in choices for o in found]
        for kwargs in choices:
            yield name, reverse(name, kwargs=kwargs)


def shape(url: str) -> str:
    """A URL with its ids blanked and its query reduced to its keys: one visit per shape."""
    parts = urlsplit(url)
    keys = sorted({kv.split("=", 1)[0] for kv in parts.query.split("&") if kv})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


@dataclass
class Fetch:
    url: str
    headers: dict
    status: int
    content_type: str
    body: str


@dataclass
class Crawl:
    """Every response one client got: seeds, their htmx fragments and searches, then links."""

    client: object
    search: str = ""
    limit: int = 150
    fetches: list[Fetch] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def get(self, url: str, **headers) -> Fetch:
        response = self.client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        fetch = Fetch(
            url,
            headers,
            response.status_code,
            response.get("Content-Type", ""),
            body.decode("utf-8", "replace"),
        )
        self.fetches.append(fetch)
        return fetch

    def page(self, url: str) -> None:
        """The page, each htmx fragment it targets, and the page searched for ``search``."""
        key = shape(url)
        if key in self.seen or len(self.seen) >= self.limit:
            return
        self.seen.add(key)
        fetch = self.get(url)
        if fetch.status != 200 or "html" not in fetch.content_type:
            return
        targets = set(HX_TARGET.findall(fetch.body)) & set(HX_ID.findall(fetch.body))
        for target in sorted(targets):
            self.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)
        if self.search and 'name="q"' in fetch.body:
            sep = "&" if "?" in url else "?"
            searched = self.get(url + sep + urlencode({"q": self.search}))
            for target in sorted(targets):
                self.get(searched.url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)

    def run(self, urls: list[str]) -> list[Fetch]:
        for url in urls:
            self.page(url)
        # then the links the pages offer (same site, GET), one per shape, breadth first
        i = 0
        while i < len(self.fetches) and len(self.seen) < self.limit:
            fetch = self.fetches[i]
            i += 1
            if fetch.status != 200 or "html" not in fetch.content_type:
                continue
            for link in LINK.findall(fetch.body):
                link = link.replace("&amp;", "&")
                if not link.startswith(SKIP_PATHS):
                    self.page(link)
        return self.fetches
