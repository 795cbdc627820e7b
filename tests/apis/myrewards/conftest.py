"""Fixtures for the MyRewards tests: the default world's client and small worlds."""
from __future__ import annotations

import pytest

from sandbox import create_app
from sandbox.apis import API_PACKAGES
from sandbox.core.migrate import prepare_database
from sandbox.core.scenarios import load_world
from sandbox.core.settings import Settings
from tests.support import world_document

from .helpers import small_world


@pytest.fixture
def client(make_app):
    """A test client on the built-in default world (key ``xxx``, user 123 bwayne)."""
    return make_app("default").test_client()


@pytest.fixture(scope="module")
def small_app(tmp_path_factory):
    """One app per module on the small world; tests reset it before use."""
    path = str(tmp_path_factory.mktemp("myrewards") / "small.sqlite")
    db = prepare_database(path, API_PACKAGES)
    doc, provenance, source = world_document(small_world())
    load_world(db, doc, provenance, source, API_PACKAGES, startup=True)
    db.close()
    return create_app(Settings(db_path=path), apis=API_PACKAGES)


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
