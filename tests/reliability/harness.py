"""An in-process sandbox on world.py, and the check every hostile or foreign request must
pass: below 500, in the vendor's error shape when refused (tests/support.py), and no change
to any state when refused."""
from __future__ import annotations

import os

from sandbox import build_sandbox
from tests.support import error_shape_problem  # noqa: F401  (the one check of the vendors' error shapes)

from .catalogue import APIS, Route, auth_headers, credentials, encode

# SANDBOX_RELIABILITY_SCALE (default 1) multiplies the request counts of the concurrency and
# crash tests and the example counts of the hypothesis and schemathesis tests.
SCALE = max(1, int(os.environ.get("SANDBOX_RELIABILITY_SCALE", "1") or "1"))


def build_app(db_path: str, world: dict, **settings):
    app = build_sandbox(db_path, world, **settings)
    app.config["TESTING"] = True
    return app


class Sandbox:
    """A Flask test client that speaks as a tenant of world.py."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()

    def send(self, api: str, method: str, url: str, body: bytes = b"", *, tenant: str | None = "a",
             creds: dict | None = None, content_type: str | None = "application/json",
             headers: dict | None = None, namespace: str | None = None):
        """``url`` is the full path (prefix and query); Eagle Eye's hash is computed over
        it as sent (without a namespace prefix, as AIR clients do)."""
        all_headers = {}
        if creds is None and tenant is not None:
            creds = credentials(api, tenant)
        if creds:
            all_headers.update(auth_headers(api, creds, url, body))
        if content_type:
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        target = f"/_ns/{namespace}{url}" if namespace else url
        return self.http.open(target, method=method, data=body, headers=all_headers)

    def call(self, route: Route, tenant: str = "a", **kwargs):
        kwargs.setdefault("namespace", route.namespace)
        return self.send(route.api, route.method, route.url(), encode(route.body), tenant=tenant, **kwargs)

    def state(self, api: str, namespace: str | None = None) -> dict:
        """Everything a request to ``api`` could change: its tables; for the control API,
        every API's tables, the clock and the faults."""
        prefix = f"/_ns/{namespace}" if namespace else ""
        names = APIS if api == "control" else (api,)
        snapshot = {name: self.http.get(f"{prefix}/_sandbox/state/{name}").get_json()["tables"] for name in names}
        if api == "control":
            clock = self.http.get(f"{prefix}/_sandbox/clock").get_json()
            if not clock["frozen"]:
                del clock["now"]                  # real time moves on by itself
            snapshot["clock"] = clock
            snapshot["faults"] = self.http.get(f"{prefix}/_sandbox/faults").get_json()
        return snapshot

    def reset(self, namespace: str | None = None) -> None:
        prefix = f"/_ns/{namespace}" if namespace else ""
        response = self.http.post(f"{prefix}/_sandbox/reset")
        assert response.status_code == 200, response.get_data(as_text=True)

    def load(self, world: dict, namespace: str | None = None) -> None:
        prefix = f"/_ns/{namespace}" if namespace else ""
        response = self.http.post(f"{prefix}/_sandbox/scenario", json=world)
        assert response.status_code == 200, response.get_data(as_text=True)


class Tally:
    """Counts what a test checked, and collects every failure to report them together."""

    def __init__(self, name: str):
        self.name, self.sent, self.refused, self.accepted, self.state_checks = name, 0, 0, 0, 0
        self.failures: list[str] = []

    def check(self, sandbox: Sandbox, api: str, send, before: dict, label: str) -> dict:
        """Send (``send()``), check the answer, and return the state to compare the next
        request with (``before`` unless the request was accepted)."""
        response = send()
        self.sent += 1
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{label}: {status} {response.get_data()[:300]!r}")
            return sandbox.state(api)
        if status >= 400 or (api == "myrewards" and status == 204):
            self.refused += 1
            problem = error_shape_problem(api, response)
            if problem:
                self.failures.append(f"{label}: {status} {problem}")
            after = sandbox.state(api)
            self.state_checks += 1
            if after != before:
                self.failures.append(f"{label}: refused with {status} but the state changed")
            return after
        self.accepted += 1
        return sandbox.state(api)

    def report(self, **extra) -> str:
        figures = {"requests": self.sent, "refused": self.refused, "accepted": self.accepted,
                   "state checks": self.state_checks, **extra}
        line = f"[reliability] {self.name}: " + ", ".join(f"{k} {v}" for k, v in figures.items())
        print(line)
        return line

    def assert_clean(self) -> None:
        assert self.sent, f"{self.name}: no request was sent, so nothing was checked"
        assert not self.failures, f"{len(self.failures)} problems:\n" + "\n".join(self.failures[:40])
