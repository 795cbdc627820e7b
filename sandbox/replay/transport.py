"""Where replayed requests go: a fresh in-process sandbox, or a running server."""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox.core.scenario_files import ScenarioProblem

TOKEN_MISSING = "the control API needs Authorization: Bearer <token>; set SANDBOX_ADMIN_TOKEN"
TOKEN_WRONG = "the control API refused the admin token; set SANDBOX_ADMIN_TOKEN to the server's token"


class Unreachable(Exception):
    """Nothing answers at the target (or it stopped answering)."""

    def __init__(self, target: str, reason):
        reason = getattr(reason, "strerror", None) or str(reason)
        super().__init__(f"cannot reach {target}: {reason}")


class AdminTokenRefused(Exception):
    """The target's control API wants an admin token that was not given, or another one."""

    def __init__(self, token_given: bool):
        super().__init__(TOKEN_WRONG if token_given else TOKEN_MISSING)


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
        from sandbox.core import dispatch
        from sandbox.core.db import forget_connection

        path = str(Path(self._tmp.name) / "replay.sqlite")
        app = build_sandbox(path, (doc, provenance, source))
        self.client = app.test_client()
        self._path = path
        self._dispatcher = dispatch.start(app)          # webhooks go out as from a served sandbox
        self._forget = forget_connection

    def control(self, method: str, path: str, payload) -> Reply:
        return self.send(method, path, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def send(self, method: str, path: str, headers: dict, body: bytes) -> Reply:
        response = self.client.open(path, method=method, headers=headers, data=body)
        return Reply(response.status_code, dict(response.headers), response.get_data())

    def close(self) -> None:
        if self.client is not None:
            self._dispatcher.stop()
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
        if reply.status == 401:
            raise AdminTokenRefused(bool(self.token))
        if reply.status != 200:
            body = reply.json() or {}
            problems = body.get("problems") or [{"path": "", "message": body.get("error", reply.body[:200])}]
            raise ScenarioProblem([{**p, "file": source} for p in problems])

    def control(self, method: str, path: str, payload) -> Reply:
        return self._send(method, path, self._control_headers(), json.dumps(payload).encode())

    def send(self, method: str, path: str, headers: dict, body: bytes) -> Reply:
        if self.namespace:
            headers = {"X-Sandbox-Namespace": self.namespace, **headers}
        if self.token and _is_control(path) and not any(k.lower() == "authorization" for k in headers):
            headers = {**headers, "Authorization": f"Bearer {self.token}"}   # a step that calls /_sandbox
        return self._send(method, path, headers, body)

    def _send(self, method, path, headers, body) -> Reply:
        import requests

        try:
            response = self.session.request(method, self.base + path, headers=headers, data=body or None,
                                            timeout=60, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Unreachable(self.base, _reason(exc)) from None
        return Reply(response.status_code, dict(response.headers), response.content)

    def close(self) -> None:
        self.session.close()


def _is_control(path: str) -> bool:
    if path.startswith("/_ns/"):
        path = "/" + path[len("/_ns/"):].partition("/")[2]
    return path == "/_sandbox" or path.startswith(("/_sandbox/", "/_sandbox?"))


def _reason(exc: BaseException) -> str:
    """The operating system's words for a requests error (``Connection refused``), found
    down its chain of causes, rather than the whole chain's repr."""
    seen, todo = set(), [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None),
                 *(a for a in current.args if isinstance(a, BaseException))]
    return str(exc)
