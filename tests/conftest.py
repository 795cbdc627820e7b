"""Shared fixtures; the helpers behind them are in tests/support.py.

Every sandbox a test runs on is built by ``sandbox.build_sandbox`` (as the pytest plugin,
in-process replay and the CLI build theirs; a test of the services alone gets the database
from ``world_db``, tests/apis/conftest.py), through these fixtures; each API's conftest.py
wraps them in a factory fixture named for the API that returns its client helper
(``atrium_world(...)``, ``small(...)``, ``air(...)``, ``squatch(...)``):

- ``make_app(world, apis=None, **settings)``: a Flask app on a fresh database holding
  ``world`` (a mapping, YAML text, or a built-in scenario's name). Use ``app.test_client()``.
- ``module_app(world)``: one such app per test module and world, built on first use, for
  the many cases that reset it first or prove they leave its state as it was.
- ``live_server(world, workers=2)``: the real ``rewards-sandbox serve`` command on a free
  loopback port with a temporary ``--db``; returns a LiveServer with ``.url`` and ``.stop()``.
  Stopped at the end of the test.
"""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, settings

from sandbox import build_sandbox
from tests import conformance
from tests.support import HYPOTHESIS_PROFILE, start_server

# Every response a sandbox gives a test client is checked against the OpenAPI document that
# sandbox serves (tests/conformance.py): a disagreement fails the test that received it.
conformance.install()

# The suite never takes the sandbox settings of the shell it runs in. A developer who exported
# SANDBOX_TARGET (or SANDBOX_DB, SANDBOX_ADMIN_TOKEN, ...) for the sandbox they are serving would
# otherwise have the suite's replays and loads sent to that sandbox, replacing its world. Every
# test that needs a setting gives it; only the suite's own knobs stay.
SUITE_KNOBS = {"SANDBOX_RELIABILITY_SCALE", "SANDBOX_SCREENSHOTS"}
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


def _app_maker(folder):
    counter = {"n": 0}

    def build(world="default", apis=None, **settings):
        counter["n"] += 1
        app = build_sandbox(str(folder / f"sandbox-{counter['n']}.sqlite"), world, apis=apis, **settings)
        app.config["TESTING"] = True
        return app

    return build


@pytest.fixture
def make_app(tmp_path):
    return _app_maker(tmp_path)


@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    """``module_app(world)``: the module's app on ``world`` (the same object for equal worlds)."""
    build, apps = _app_maker(tmp_path_factory.mktemp("module")), {}

    def shared(world="default"):
        key = json.dumps(world, sort_keys=True, default=str)
        if key not in apps:
            apps[key] = build(world)
        return apps[key]

    return shared


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
