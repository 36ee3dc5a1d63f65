"""The main menu: the association's moments, each role seeing exactly the pages it may open."""

from __future__ import annotations

import pytest
from django.test import override_settings

from parcours.accounts.roles import ROLE_CAPABILITIES, Role
from parcours.core.navigation import ENTRIES, MOMENTS, menu_for
from tests.accounts.test_access import EXPECTED, _allowed
from tests.conftest import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_entries_the_access_matrix_allows_it(role):
    shown = {entry.url_name for entry in ENTRIES if entry.shown_to(ROLE_CAPABILITIES[role])}
    for entry in ENTRIES:
        if entry.url_name in shown:
            assert _allowed(EXPECTED[entry.url_name], role), (role, entry.url_name)


def test_every_entry_is_a_route_of_the_matrix_and_appears_once():
    names = [e.url_name for e in ENTRIES]
    assert len(names) == len(set(names))
    assert set(names) <= set(EXPECTED)
    assert {e.moment for e in ENTRIES} <= {m.key for m in MOMENTS}


def test_moments_in_order_and_empty_ones_left_out():
    coordinator = menu_for(ROLE_CAPABILITIES[Role.COORDINATOR])
    assert [g.key for g in coordinator] == [
        "reach_out",
        "welcome",
        "accompany",
        "together",
        "steer",
    ]
    board = menu_for(ROLE_CAPABILITIES[Role.BOARD])
    assert [g.key for g in board] == ["steer"]
    assert [link.url for link in board[0].links] == ["/analytics/"]
    peer = menu_for(ROLE_CAPABILITIES[Role.PEER_FAMILY])
    assert [(g.key, [link.url for link in g.links]) for g in peer] == [
        ("reach_out", ["/community/absent-visits/new/"]),
        ("accompany", ["/tasks/"]),
    ]


def test_the_most_precise_link_is_current():
    menu = menu_for(ROLE_CAPABILITIES[Role.ADMIN], "/tasks/board/")
    current = [link.url for g in menu for link in g.links if link.current]
    assert current == ["/tasks/board/"]
    assert [g.key for g in menu if g.current] == ["steer"]
    assert not any(
        link.current for g in menu_for(ROLE_CAPABILITIES[Role.ADMIN], "/") for link in g.links
    )


@override_settings(LANGUAGE_CODE="fr")
@pytest.mark.parametrize("role", ROLES)
def test_the_header_draws_the_moments_in_french(role, world, client):
    client.force_login(world.user(role))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for group in menu_for(ROLE_CAPABILITIES[role]):
        for link in group.links:
            assert f'href="{link.url}"' in html
    if role == Role.COORDINATOR:
        for label in ("Aller vers", "Accueillir", "Accompagner", "Faire ensemble", "Piloter"):
            assert f">{label}</summary>" in html
    # nothing the role may not open is linked from the menu
    for entry in ENTRIES:
        if not entry.shown_to(ROLE_CAPABILITIES[role]):
            from django.urls import reverse

            assert f'<a href="{reverse(entry.url_name)}"' not in html.split("</header>")[0]
