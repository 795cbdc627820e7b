"""Fixtures for the MyRewards tests: the default world's client and small worlds."""
from __future__ import annotations

import pytest

from .helpers import small_world


@pytest.fixture
def client(make_app):
    """A test client on the built-in default world (key ``xxx``, user 123 brucewayne)."""
    return make_app("default").test_client()


@pytest.fixture
def small_app(module_app):
    """The module's app on the small world; tests reset it before use."""
    return module_app(small_world())


def _fresh(app):
    client = app.test_client()
    assert client.post("/_sandbox/reset").status_code == 200
    return client


@pytest.fixture
def small(make_app, small_app):
    """A client on the small world as it loads: ``small()``, or ``small(**programme_changes)``
    for a variant (a world of its own)."""
    def build(**changes):
        return make_app(small_world(**changes)).test_client() if changes else _fresh(small_app)
    return build


@pytest.fixture
def shared_small(small_app):
    """A client on the small world as it loads."""
    return _fresh(small_app)
