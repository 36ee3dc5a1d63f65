"""Federations: the operator's command, the viewer's page and CSV, each association alone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.federation import services

pytestmark = pytest.mark.django_db


def test_the_operator_builds_a_federation_from_the_command_line(world, capsys):
    call_command("federation", "create", "Réseau du Pas-de-Calais", "--slug", "pdc")
    call_command("federation", "add", "pdc", "a", "b")
    call_command("federation", "add", "pdc", "a")  # again: still once
    call_command("federation", "remove", "pdc", "b")
    call_command("federation", "list")
    out = capsys.readouterr().out
    assert "pdc\tRéseau du Pas-de-Calais\tassociations: a\tviewers: " in out
    with pytest.raises(Exception, match="Aucune association nommée nowhere"):
        call_command("federation", "add", "pdc", "nowhere")


def test_a_member_of_an_association_cannot_be_made_a_federation_viewer(world):
    with scopes_disabled():
        federation = services.federation_create(name="Réseau")
        with pytest.raises(ValidationError, match="est membre d’une association"):
            services.viewer_add(federation=federation, username="board-a")
        with pytest.raises(ValidationError, match="Aucun compte nommé"):
            services.viewer_add(federation=federation, username="nobody")


def test_the_viewer_signs_in_to_the_federation_page_in_french(network, client):
    client.force_login(network.viewer)
    home = client.get("/", follow=True)
    assert home.redirect_chain == [("/federation/", 302)]
    page = home.content.decode()
    assert "Réseau du Nord" in page and "Association A" in page and "Association B" in page
    assert "Foyers à chaque étape" in page and "Entrées et progression" in page
    csv = client.get("/federation/export.csv?months=6")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "Association A" in csv.content.decode()


def test_a_removed_viewer_and_an_inactive_account_see_nothing(network, client):
    client.force_login(network.viewer)
    assert client.get("/federation/").status_code == 200
    with scopes_disabled():
        services.viewer_remove(federation=network.federation, username="reseau")
    assert client.get("/federation/").status_code == 403
    assert client.get("/").status_code == 403


def test_a_viewer_reads_only_their_own_federations(network, client):
    with scopes_disabled():
        other = services.federation_create(name="Réseau du Sud")
        services.associations_add(federation=other, slugs=["b"])
    client.force_login(network.viewer)
    assert client.get("/federation/?federation=reseau-du-sud").status_code == 404
    assert client.get("/federation/?federation=reseau-du-nord").status_code == 200


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_association_role_opens_the_federation_page(network, client, world, role):
    client.force_login(world.user(role))
    assert client.get("/federation/").status_code == 403
    assert client.get("/federation/export.csv").status_code == 403
