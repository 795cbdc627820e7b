"""pytest plugin: the ``rewards_sandbox`` fixture.

One in-process sandbox server per test session, on a free loopback port with a fresh
database; every test gets its own namespace (its own state, clock, journal and faults),
created from the startup world or from the scenario a marker names::

    @pytest.mark.rewards_sandbox(scenario="atrium/lockout-after-rewards")
    def test_lockout(rewards_sandbox):
        base = rewards_sandbox.base_url("atrium")
        rewards_sandbox.clock.advance("3h")
        assert rewards_sandbox.requests(api="atrium")[-1]["status"] == 202

Options: ``--rewards-sandbox-scenario NAME`` sets the startup world (default ``default``).
"""
from __future__ import annotations

import itertools
import json
import re
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

_counter = itertools.count(1)


def pytest_addoption(parser):
    parser.addoption("--rewards-sandbox-scenario", default="default",
                     help="startup world of the rewards_sandbox fixture's server")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "rewards_sandbox(scenario=None): the world the rewards_sandbox fixture loads for this test")


class SandboxServer:
    """A sandbox served by werkzeug in a background thread (threads share nothing but the
    SQLite files, exactly as gunicorn workers do)."""

    def __init__(self, scenario: str):
        from werkzeug.serving import make_server

        from sandbox import build_sandbox
        from sandbox.core import dispatch

        self._tmp = tempfile.TemporaryDirectory(prefix="rewards-sandbox-pytest-")
        self.app = build_sandbox(str(Path(self._tmp.name) / "sandbox.sqlite"), scenario)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._dispatcher = dispatch.start(self.app)      # webhooks go out as from a served sandbox

    def stop(self):
        self._dispatcher.stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._tmp.cleanup()


class Clock:
    def __init__(self, sandbox):
        self._sandbox = sandbox

    def now(self) -> str:
        return self._sandbox.control("GET", "/clock")["now"]

    def freeze(self, at: str) -> dict:
        return self._sandbox.control("PUT", "/clock", {"frozen_at": at})

    def advance(self, by: str | int | float) -> dict:
        body = {"seconds": by} if isinstance(by, (int, float)) else {"by": by}
        return self._sandbox.control("POST", "/clock/advance", body)

    def real(self) -> dict:
        return self._sandbox.control("PUT", "/clock", {"real": True})


class Sandbox:
    """What a test gets: base URLs, credentials, clock, journal, faults, scenarios."""

    def __init__(self, server: SandboxServer, namespace: str):
        self.server, self.namespace = server, namespace
        self.url = f"{server.url}/_ns/{namespace}"
        self.clock = Clock(self)

    def base_url(self, api: str) -> str:
        """The base URL a client of ``api`` should use (this test's namespace included)."""
        return f"{self.url}/{api}"

    @property
    def credentials(self) -> dict:
        """Per API, the credentials of this test's world (as ``serve`` prints them)."""
        from sandbox.core import namespaces
        from sandbox.core.db import borrowed

        runtime = self.server.app.extensions["sandbox"]
        path, held = runtime.open_namespace(self.namespace, may_create=True)
        try:
            with borrowed(path) as db:
                return {api.name: api.credentials(db) for api in runtime.apis}
        finally:
            namespaces.release(held)

    def control(self, method: str, path: str, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.url}/_sandbox{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"control API {method} {path}: {exc.code} {exc.read()[:500]!r}") from None
        return json.loads(body) if body else None

    def load(self, scenario: str) -> dict:
        """Load a built-in scenario name or a file path into this test's namespace."""
        from sandbox.core.scenario_files import find_scenario, read_file

        doc, _ = read_file(find_scenario(scenario))
        return self.control("POST", "/scenario", doc)

    def reset(self) -> dict:
        return self.control("POST", "/reset")

    def requests(self, **filters) -> list[dict]:
        query = urllib.parse.urlencode(filters)
        return self.control("GET", f"/requests?{query}" if query else "/requests")["requests"]

    def webhooks(self, **filters) -> list[dict]:
        """The events this test's world emitted, one per delivery, oldest first; filters
        ``api``, ``type``, ``status`` (pending, delivered, failed, no_subscriber)."""
        query = urllib.parse.urlencode(filters)
        return self.control("GET", f"/webhooks?{query}" if query else "/webhooks")["webhooks"]

    def clear_requests(self) -> None:
        self.control("DELETE", "/requests")

    def fault(self, **fault) -> dict:
        return self.control("POST", "/faults", fault)

    def state(self, api: str) -> dict:
        return self.control("GET", f"/state/{api}")

    def snapshot(self, name: str) -> dict:
        """Save this test's state (every API, the clock, the armed faults) as ``name``."""
        return self.control("POST", "/snapshots", {"name": name})

    def restore(self, name: str) -> dict:
        """Put this test's state back as it was at ``snapshot(name)`` (the journal stays)."""
        return self.control("POST", f"/snapshots/{urllib.parse.quote(name)}/restore")


@pytest.fixture(scope="session")
def rewards_sandbox_server(request):
    server = SandboxServer(request.config.getoption("--rewards-sandbox-scenario"))
    yield server
    server.stop()


@pytest.fixture
def rewards_sandbox(rewards_sandbox_server, request):
    """A namespace of its own for this test, created (``PUT /_sandbox/namespaces/<name>``)
    with the marker's scenario loaded, and dropped when the test ends, so a suite of any
    length never meets the server's namespace limit."""
    slug = re.sub(r"[^a-z0-9_.-]", "-", request.node.name.lower())[:40].strip("-.") or "test"
    namespace = f"t{next(_counter)}-{slug}"
    sandbox = Sandbox(rewards_sandbox_server, namespace)
    marker = request.node.get_closest_marker("rewards_sandbox")
    scenario = marker.kwargs.get("scenario") if marker else None
    body = {}
    if scenario:
        from sandbox.core.scenario_files import find_scenario, read_file

        body["scenario"] = read_file(find_scenario(scenario))[0]
    sandbox.control("PUT", f"/namespaces/{namespace}", body)
    yield sandbox
    sandbox.control("DELETE", f"/namespaces/{namespace}")
