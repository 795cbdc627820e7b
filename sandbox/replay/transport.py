"""Where replayed requests go: a fresh in-process sandbox, or a running server."""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox.core.scenario_files import ScenarioProblem


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class InProcess:
    """A fresh sandbox in a temporary folder, driven through Flask's test client:
    no port, nothing left behind."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="rewards-sandbox-replay-")
        self.client = None

    def start(self, doc: dict, provenance: dict, source: str) -> None:
        from sandbox import build_sandbox
        from sandbox.core.db import forget_connection

        path = str(Path(self._tmp.name) / "replay.sqlite")
        self.client = build_sandbox(path, (doc, provenance, source)).test_client()
        self._path = path
        self._forget = forget_connection

    def control(self, method: str, path: str, payload) -> Reply:
        return self.send(method, path, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def send(self, method: str, path: str, headers: dict, body: bytes) -> Reply:
        response = self.client.open(path, method=method, headers=headers, data=body)
        return Reply(response.status_code, dict(response.headers), response.get_data())

    def close(self) -> None:
        if self.client is not None:
            self._forget(self._path)
        self._tmp.cleanup()


class Http:
    """A running sandbox: the world is loaded through its control API."""

    def __init__(self, target: str, namespace: str | None = None, token: str | None = None):
        import requests

        self.base = target.rstrip("/")
        self.session = requests.Session()
        self.namespace, self.token = namespace, token

    def _control_headers(self) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.namespace:
            headers["X-Sandbox-Namespace"] = self.namespace
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def start(self, doc: dict, provenance: dict, source: str) -> None:
        reply = self.control("POST", "/_sandbox/scenario", doc)
        if reply.status != 200:
            body = reply.json() or {}
            problems = body.get("problems") or [{"path": "", "message": body.get("error", reply.body[:200])}]
            raise ScenarioProblem([{**p, "file": source} for p in problems])

    def control(self, method: str, path: str, payload) -> Reply:
        return self._send(method, path, self._control_headers(), json.dumps(payload).encode())

    def send(self, method: str, path: str, headers: dict, body: bytes) -> Reply:
        if self.namespace:
            headers = {"X-Sandbox-Namespace": self.namespace, **headers}
        return self._send(method, path, headers, body)

    def _send(self, method, path, headers, body) -> Reply:
        response = self.session.request(method, self.base + path, headers=headers, data=body or None,
                                        timeout=60, allow_redirects=False)
        return Reply(response.status_code, dict(response.headers), response.content)

    def close(self) -> None:
        self.session.close()
