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

from sandbox.core.scenario_files import find_scenario, read_file, resolve

ROOT = Path(__file__).resolve().parent.parent
# The hypothesis profile (registered in conftest.py): "ci" unless HYPOTHESIS_PROFILE says otherwise.
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "ci"


def examples(n: int) -> int:
    """A property test's example count: ``n`` in CI, ten times as many in the ``long`` profile."""
    return n * 10 if HYPOTHESIS_PROFILE == "long" else n


def world_document(world) -> tuple[dict, dict, str]:
    """(document, provenance, source) for a dict, YAML text or built-in scenario name."""
    if isinstance(world, dict):
        doc, prov = resolve(json.loads(json.dumps(world)), "test world")
        return doc, prov, "test world"
    if isinstance(world, str) and "\n" in world:
        doc, prov = resolve(yaml.safe_load(world), "test world")
        return doc, prov, "test world"
    path = find_scenario(world)
    doc, prov = read_file(path)
    return doc, prov, str(path)




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
                 scenario_given=True) -> LiveServer:
    """Start the real CLI on a free loopback port and wait until it is healthy.

    ``world`` is a built-in scenario name, a file path, or a dict (written to a file)."""
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
        proc = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT,
                                cwd=str(tmp_path), env=full_env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{Path(log_path).read_text()}")
        try:
            token = full_env.get("SANDBOX_ADMIN_TOKEN")
            auth = {"Authorization": f"Bearer {token}"} if token else {}
            if requests.get(url + "/_sandbox/health", headers=auth, timeout=1).status_code == 200:
                return LiveServer(proc, url, db_path, log_path)
        except requests.RequestException:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not become healthy:\n{Path(log_path).read_text()}")
