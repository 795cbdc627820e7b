"""``world_db``: for the tests that call an API's services directly, without HTTP."""
from __future__ import annotations

import pytest

from sandbox.apis import API_PACKAGES
from sandbox.core.clock import now
from sandbox.core.db import connect
from sandbox.core.scenarios import build_world


@pytest.fixture
def world_db(tmp_path):
    """``world_db(world="default")``: an open connection to a database holding ``world``
    (built the one way, ``build_world``), and the sandbox time it starts at."""
    opened = []

    def build(world="default"):
        path = str(tmp_path / f"service-{len(opened)}.sqlite")
        build_world(path, world, API_PACKAGES)
        opened.append(connect(path))
        return opened[-1], now(opened[-1])

    yield build
    for db in opened:
        db.close()
