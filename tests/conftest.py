"""Shared fixtures; the helpers behind them are in tests/support.py.

- ``make_app(world)``: a Flask app whose database holds ``world`` (a dict, a YAML string,
  or the name of a built-in scenario). Use ``app.test_client()``.
- ``live_server(world, workers=2)``: the real ``rewards-sandbox serve`` command on a free
  loopback port with a temporary ``--db``; returns a LiveServer with ``.url`` and ``.stop()``.
  Stopped at the end of the test.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from sandbox import create_app
from sandbox.apis import API_PACKAGES
from sandbox.core.migrate import prepare_database
from sandbox.core.scenarios import load_world
from sandbox.core.settings import Settings
from tests.support import HYPOTHESIS_PROFILE, start_server, world_document

# The suite never takes the sandbox settings of the shell it runs in. A developer who exported
# SANDBOX_TARGET (or SANDBOX_DB, SANDBOX_ADMIN_TOKEN, ...) for the sandbox they are serving would
# otherwise have the suite's replays and loads sent to that sandbox, replacing its world. Every
# test that needs a setting gives it; only the suite's own knobs stay.
SUITE_KNOBS = {"SANDBOX_RELIABILITY_SCALE"}
for _name in [n for n in os.environ if n.startswith("SANDBOX_") and n not in SUITE_KNOBS]:
    del os.environ[_name]

# Property tests: the "ci" profile (the default) derives every example from the test itself,
# so CI runs the same cases every time and a failure reproduces from its name alone.
# HYPOTHESIS_PROFILE=long hunts further: random examples, ten times as many (tests use
# tests.support.examples), failures remembered in .hypothesis/ and replayed first.
_SLOW_IS_FINE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("long", derandomize=False, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_IS_FINE)
settings.load_profile(HYPOTHESIS_PROFILE)


@pytest.fixture
def make_app(tmp_path):
    counter = {"n": 0}

    def build(world="default", apis=None, **settings):
        counter["n"] += 1
        db_path = str(tmp_path / f"sandbox-{counter['n']}.sqlite")
        apis = API_PACKAGES if apis is None else apis
        db = prepare_database(db_path, apis)
        doc, prov, source = world_document(world)
        load_world(db, doc, prov, source, apis, startup=True)
        db.close()
        app = create_app(Settings(db_path=db_path, **settings), apis=apis)
        app.config["TESTING"] = True
        return app

    return build



@pytest.fixture
def live_server(tmp_path):
    servers = []

    def start(world="default", workers=2, **kwargs):
        server = start_server(tmp_path, world, workers, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
