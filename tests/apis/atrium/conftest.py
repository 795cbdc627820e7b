"""Fixtures for the Atrium tests (the world and helpers are in world.py).

One in-process app serves each test module (``module_app``); each test loads its world
through ``POST /_sandbox/scenario`` first, which replaces all state (ids and clock
included), so tests do not depend on each other and skip the cost of building an app per test.
"""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import WORLD, Atrium, world


@pytest.fixture
def atrium_app(module_app):
    return module_app(WORLD)


def load(app, doc: dict) -> Atrium:
    response = app.test_client().post("/_sandbox/scenario", json=doc)
    assert response.status_code == 200, response.get_data(as_text=True)
    return Atrium(app)


@pytest.fixture
def atrium(atrium_app):
    return load(atrium_app, WORLD)


@pytest.fixture
def atrium_world(atrium_app):
    """An Atrium helper over a variant of WORLD: ``atrium_world(users=[...])`` or a whole
    document ``atrium_world(doc)``."""
    def build(doc=None, **atrium_changes):
        return load(atrium_app, doc if doc is not None else world(**atrium_changes))
    return build
