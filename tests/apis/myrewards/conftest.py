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


@pytest.fixture
def small(make_app):
    """A client on a small world: ``small(**programme_changes)``."""
    def build(**changes):
        return make_app(small_world(**changes)).test_client()
    return build


@pytest.fixture(scope="module")
def shared_small(tmp_path_factory):
    """One client on the small world for a whole module, for tests that must leave the
    state exactly as it was (and check that they do)."""
    path = str(tmp_path_factory.mktemp("myrewards") / "shared.sqlite")
    db = prepare_database(path, API_PACKAGES)
    doc, provenance, source = world_document(small_world())
    load_world(db, doc, provenance, source, API_PACKAGES, startup=True)
    db.close()
    return create_app(Settings(db_path=path), apis=API_PACKAGES).test_client()
