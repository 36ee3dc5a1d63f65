"""The header's help link opens the guide of the reader's role, in their language."""

from __future__ import annotations

import pytest

from parcours.accounts.roles import Role

TITLES_FR = {
    Role.ADMIN: "Guide de l'administrateur",
    Role.COORDINATOR: "Guide du coordinateur",
    Role.SOCIAL_WORKER: "Guide du travailleur social",
    Role.VOLUNTEER: "Guide du bénévole",
    Role.PEER_FAMILY: "Guide de la famille paire",
    Role.BOARD: "Guide du membre du bureau",
}


@pytest.mark.parametrize("role", list(TITLES_FR))
def test_help_link_opens_the_guide_of_the_role(world, client, role):
    client.force_login(world.user(role))
    home = client.get("/").content.decode()
    assert '<a href="/help/">Aide</a>' in home
    page = client.get("/help/").content.decode().replace("&#x27;", "'")
    assert f"<h1>{TITLES_FR[role]}</h1>" in page
    # the other roles' guides are listed, not one's own
    assert page.count('href="/help/?role=') == len(Role.values) - 1


def test_another_role_guide_and_english(world, client):
    client.force_login(world.user(Role.VOLUNTEER))
    page = client.get("/help/?role=board").content.decode()
    assert "<h1>Guide du membre du bureau</h1>" in page
    assert "<h1>Guide du bénévole</h1>" in client.get("/help/?role=nonsense").content.decode()
    client.cookies["django_language"] = "en"
    assert "<h1>Volunteer&#x27;s guide</h1>" in client.get("/help/").content.decode() or (
        "<h1>Volunteer's guide</h1>" in client.get("/help/").content.decode()
    )


def test_no_help_link_before_sign_in(client):
    assert 'href="/help/"' not in client.get("/login/").content.decode()
