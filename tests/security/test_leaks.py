"""Leak crawler: a unique marker in every sensitive field (needs, listening notes, support cases
and follow-ups, touchpoint notes) and in every name, address and phone; then every route of the
URL conf, with real ids of the planted objects, its htmx fragments, its search and the links its
pages offer (CSV exports included), as every role of two associations and as anonymous; and
the daily emails. A marker a reader may not learn must appear in no response and no email.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from tests.conftest import ROLES
from tests.security.crawl import Crawl, seed_urls
from tests.security.planting import digest_for_everyone, forbidden, plant

pytestmark = pytest.mark.django_db


def _leaks(text: str, markers) -> list[str]:
    low = text.lower()
    return [m.text for m in markers if m.text in low]


def _seeds(objects, which_first):
    """The routes with the objects of the reader's association, then with the other's."""
    urls = []
    for which in which_first:

        def found(key, name, which=which):
            return objects[which].get(key, [])

        urls += [url for _name, url in seed_urls(found)]
    return urls


def test_no_role_reads_a_marker_it_may_not_learn(world, client, capsys):
    objects, markers = plant(world)
    assert len(markers) > 40
    readers = [(None, "anonymous")] + [
        (world.user(role, which), f"{role}-{which}") for which in ("a", "b") for role in ROLES
    ]
    tried, leaks = 0, []
    for user, label in readers:
        client.logout()
        if user is not None:
            client.force_login(user)
        which = label.rsplit("-", 1)[-1]
        crawl = Crawl(client, search="qx", limit=250)
        fetches = crawl.run(_seeds(objects, ["a", "b"] if which != "b" else ["b", "a"]))
        hidden = forbidden(markers, user, world)
        for f in fetches:
            tried += 1
            for text in _leaks(f.body, hidden):
                leaks.append((label, f.url, f.headers.get("HTTP_HX_TARGET", ""), text))
            assert f.status < 500, (label, f.url, f.status)
    # the daily emails: each member's tasks
    digest_for_everyone(world)
    from parcours.worklists.services import digests_send

    mail.outbox.clear()
    sent = digests_send()
    assert sent == len(mail.outbox) > 0
    by_address = {u.email: u for u in world.users.values()}
    for message in mail.outbox:
        user = by_address[message.to[0]]
        for text in _leaks(message.subject + message.body, forbidden(markers, user, world)):
            leaks.append((user.username, "email", "", text))
    with capsys.disabled():
        print(
            f"\nleak crawler: {tried} requests over {len(readers)} readers "
            f"(routes x roles x variants), {len(mail.outbox)} emails, {len(leaks)} leaks"
        )
    assert not leaks, "\n".join(map(str, leaks))


def test_the_crawler_finds_a_planted_leak(world, client):
    """The crawler is not blind: a coordinator reads the needs a volunteer may not."""
    objects, markers = plant(world)
    coordinator = world.user(Role.COORDINATOR)
    client.force_login(coordinator)
    fetches = Crawl(client, limit=250).run(_seeds(objects, ["a"]))
    volunteer_hidden = forbidden(markers, world.user(Role.VOLUNTEER), world)
    found = {t for f in fetches for t in _leaks(f.body, volunteer_hidden)}
    assert any(re.match(r"qxaneeds\d+z", t) for t in found), found
    assert any(re.match(r"qxareason\d+z", t) for t in found)
    with scopes_disabled():
        assert forbidden(markers, None, world) == markers


def test_a_federation_viewer_reads_no_marker(world, client):
    """A federation's viewer crawls every route (with the planted objects' ids) and the links of
    the federation's page and CSV: it reads the member associations' figures and names, and no
    household's name, address, phone, note nor any sensitive field."""
    from tests.federation.conftest import make_network

    objects, markers = plant(world)
    network = make_network(world)
    client.force_login(network.viewer)
    crawl = Crawl(client, search="qx", limit=250)
    own = ["/federation/", "/federation/export.csv", "/federation/?months=24"]
    fetches = crawl.run(own + _seeds(objects, ["a", "b"]))
    federation = [f for f in fetches if f.url.startswith("/federation/") and f.status == 200]
    assert len(federation) >= 3 and all("Association A" in f.body for f in federation)
    leaks = [(f.url, t) for f in fetches for t in _leaks(f.body, markers)]
    assert not leaks, leaks
    assert all(f.status in (200, 302, 401, 403, 404, 405) for f in fetches)
