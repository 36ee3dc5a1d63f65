import pytest
from django_scopes import scopes_disabled


@pytest.fixture(autouse=True)
def _no_scope():
    """Services run inside a request's scope; tests call them directly, across scopes."""
    with scopes_disabled():
        yield
