"""Shared test helpers (the fixtures that use them are in conftest.py)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from sandbox.core.scenario_files import world_document  # noqa: F401  (the tests' worlds are read the one way)

ROOT = Path(__file__).resolve().parent.parent
# The hypothesis profile (registered in conftest.py): "ci" unless HYPOTHESIS_PROFILE says otherwise.
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "ci"


def examples(n: int) -> int:
    """A property test's example count: ``n`` in CI, ten times as many in the ``long`` profile."""
    return n * 10 if HYPOTHESIS_PROFILE == "long" else n


def mount(name: str):
    """The registry's ApiPackage called ``name``, or the control API's Mount ("control")."""
    from sandbox.apis import API_PACKAGES
    from sandbox.control import CONTROL

    return next(m for m in [*API_PACKAGES, CONTROL] if m.name == name)


def error_shape_problem(api: str, response) -> str | None:
    """Why ``response`` is not an error answer in ``api``'s own shape, or None. The shape is
    what the API's package declares: its error body's schema (every required field, no other
    field, each of the declared type), its content type (the one the request negotiated, where
    the API negotiates one), the headers every answer of it
    carries, and the headers its renderer adds for the status; a message in the body is never
    empty (only where a problem is, its ``path`` and ``file``, may be: the whole document),
    and a status the body repeats (``statusCode``, ``status``) is the HTTP status.
    A MyRewards 204 ("User not found") is the vendor's one error without a body."""
    from marshmallow import ValidationError

    from sandbox.core.errors import ApiError

    package, status, raw = mount(api), response.status_code, response.get_data()
    if status < 400 and not (api == "myrewards" and status == 204):
        return f"{status} is not an error"
    _, rendered_headers = package.render_error(ApiError("x", status=status))
    expected_headers = {**rendered_headers, **(package.headers() if package.headers else {})}
    missing = [name for name in expected_headers if name not in response.headers]
    if missing:
        return f"headers {missing} missing"
    if status == 204:
        return None if raw == b"" and "Content-Type" not in response.headers else "a 204 must have no body"
    expected_type = package.content_type
    if package.answer_type is not None:         # negotiated from the request (Atrium's Accept)
        request = getattr(response, "request", None)     # raw answers carry no request: none named
        expected_type = package.answer_type(request.headers if request is not None else {}) \
            or package.content_type
    if response.headers.get("Content-Type") != expected_type:
        return f"Content-Type {response.headers.get('Content-Type')!r}, not {expected_type!r}"
    try:
        body = json.loads(raw)
        package.error_schema().load(body)
    except (ValueError, ValidationError) as exc:
        return f"not the {api} error shape ({exc}): {raw[:200]!r}"
    if any(text == "" for text in _strings(body)):
        return f"an empty message: {raw[:200]!r}"
    for name in ("statusCode", "status"):
        if name in body and body[name] != status:
            return f"{name} {body[name]} in a {status} answer"
    return None


def refusal(call, *args):
    """The ApiError ``call(*args)`` raises (a service called directly, without HTTP)."""
    import pytest

    from sandbox.core.errors import ApiError

    with pytest.raises(ApiError) as caught:
        call(*args)
    return caught.value


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("path", "file"):
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _open_files_limit(limit):
    if limit is None:
        return None

    def apply():
        import resource
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    return apply


class LiveServer:
    """A running ``rewards-sandbox serve`` process."""

    def __init__(self, proc, url, db_path, log_path):
        self.proc, self.url, self.db_path, self.log_path = proc, url, db_path, log_path

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


def start_server(tmp_path, world="default", workers=2, db_path=None, extra_args=(), env=None,
                 scenario_given=True, max_open_files=None) -> LiveServer:
    """Start the real CLI on a free loopback port and wait until it is healthy.

    ``world`` is a built-in scenario name, a file path, or a dict (written to a file);
    ``max_open_files`` runs it under that ``ulimit -n``."""
    port = free_port()
    db_path = db_path or str(tmp_path / "live.sqlite")
    args = [sys.executable, "-m", "sandbox.cli", "serve", "--port", str(port),
            "--workers", str(workers), "--db", db_path, *extra_args]
    if scenario_given:
        if isinstance(world, dict):
            scenario_file = tmp_path / f"world-{port}.yaml"
            scenario_file.write_text(yaml.safe_dump(world, sort_keys=False))
            world = str(scenario_file)
        args += ["--scenario", world]
    log_path = tmp_path / f"server-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    full_env.update(env or {})
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, cwd=str(tmp_path), env=full_env,
                                start_new_session=True, preexec_fn=_open_files_limit(max_open_files))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{Path(log_path).read_text()}")
        try:
            token = full_env.get("SANDBOX_ADMIN_TOKEN")
            headers = {"Authorization": f"Bearer {token}"} if token else None
            if requests.get(url + "/_sandbox/health", headers=headers, timeout=1).status_code == 200:
                return LiveServer(proc, url, db_path, log_path)
        except requests.RequestException:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not become healthy:\n{Path(log_path).read_text()}")


class Receiver:
    """A webhook receiver: an HTTP server on a free loopback port, in a thread, recording
    each POST (``received``: dicts of path, headers, raw body and JSON). It answers
    ``fail_first`` requests with 503 (or closes the socket with ``drop_first``), then 200."""

    def __init__(self, fail_first: int = 0, port: int = 0):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        receiver = self
        self.received: list[dict] = []
        self.refused = 0
        self.fail_first = fail_first
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    failing = receiver.refused < receiver.fail_first
                    if failing:
                        receiver.refused += 1
                    else:
                        receiver.received.append({"path": self.path, "headers": dict(self.headers),
                                                  "body": body, "json": json.loads(body)})
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, predicate=lambda r: True, count: int = 1, timeout: float = 30.0) -> list[dict]:
        """The received requests matching ``predicate`` once there are ``count`` of them
        (an AssertionError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [r for r in self.received if predicate(r)]
            if len(found) >= count or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        assert len(found) >= count, f"expected {count} webhooks, received {len(found)}: {self.received}"
        return found

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
