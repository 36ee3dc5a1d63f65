"""A federation of the world's two associations, and its viewer (no association membership)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from tests.conftest import PASSWORD


def make_network(world, slugs=("a", "b"), username="reseau"):
    from parcours.federation import services

    with scopes_disabled():
        federation = services.federation_create(name="Réseau du Nord")
        services.associations_add(federation=federation, slugs=list(slugs))
        viewer = services.viewer_add(federation=federation, username=username, password=PASSWORD)
    return SimpleNamespace(federation=federation, viewer=viewer.user)


@pytest.fixture
def network(world):
    return make_network(world)
