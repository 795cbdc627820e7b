"""The README's two commands together: its test command, run while the server from its first
command is up, leaves that server alone.

What would break it: the suite binds no fixed port (every server a test starts takes a free
one) and shares no file with it (a served sandbox keeps its database in its own temporary
folder), but tests that run the CLI used to inherit the shell's SANDBOX_* variables, so a
developer who exported SANDBOX_TARGET for their sandbox had the suite's replays load their
worlds into it. Here the suite runs with every such variable pointing at a live sandbox."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support import ROOT, free_port

# the modules that run the command line, the smoke script, the Dockerfile's commands and the plugin
MODULES = ["tests/test_cli.py", "tests/replay", "tests/ci/test_workflows.py", "tests/container",
           "tests/plugin", "tests/apis/atrium/test_readme_sdk.py", "tests/core/test_cors.py"]
REQUEST_LINE = ("GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "OPTIONS ", "HEAD ")


def served_sandbox(tmp_path, env):
    """``rewards-sandbox serve`` as the README's first command runs it (no --db, no --port:
    SANDBOX_PORT stands for the default 8080, which a test must not take)."""
    log = open(tmp_path / "served.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "serve"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True)
    url = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp_path / "served.log").read_text()
        try:
            if requests.get(url + "/_sandbox/health", timeout=1).status_code == 200:
                return proc, url, log
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the served sandbox never became healthy")


def snapshot_of(url: str, token: str) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    return {"health": {k: v for k, v in requests.get(url + "/_sandbox/health").json().items() if k != "worker_pid"},
            "clock": requests.get(url + "/_sandbox/clock", headers=auth).json(),
            "scenario": requests.get(url + "/_sandbox/scenario", headers=auth).json(),
            "state": {api: requests.get(f"{url}/_sandbox/state/{api}", headers=auth).json()
                      for api in ("atrium", "myrewards", "saasquatch", "eagleeye")},
            "faults": requests.get(url + "/_sandbox/faults", headers=auth).json(),
            "journal": requests.get(url + "/_sandbox/requests/count", headers=auth).json(),
            "namespaces": requests.get(url + "/_sandbox/namespaces", headers=auth).json()}


@pytest.mark.slow
def test_the_readme_test_command_leaves_the_served_sandbox_alone(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    port, token = free_port(), "the-developers-token"
    served_env = {**clean, "SANDBOX_PORT": str(port), "SANDBOX_ADMIN_TOKEN": token, "TMPDIR": str(tmp_path)}
    proc, url, log = served_sandbox(tmp_path, served_env)
    try:
        auth = {"Authorization": f"Bearer {token}"}
        assert requests.put(url + "/_sandbox/clock", json={"frozen_at": "2031-03-03T03:03:03Z"},
                            headers=auth).status_code == 200
        before = snapshot_of(url, token)
        folders = sorted(p.name for p in Path(tmp_path).iterdir() if p.name.startswith("rewards-sandbox-"))
        assert len(folders) == 1
        logged_before = (tmp_path / "served.log").read_text().count("\n")

        # the developer's shell, with every sandbox setting pointing at the served sandbox
        shell = {**clean, "SANDBOX_PORT": str(port), "SANDBOX_TARGET": url, "SANDBOX_ADMIN_TOKEN": token,
                 "SANDBOX_NAMESPACE": "default", "SANDBOX_DB": str(tmp_path / folders[0] / "sandbox.sqlite")}
        suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *MODULES],
                               env=shell, cwd=ROOT, capture_output=True, text=True, timeout=1200)
        assert suite.returncode == 0, suite.stdout[-5000:] + suite.stderr[-2000:]

        assert proc.poll() is None
        assert snapshot_of(url, token) == before
        requests_logged = [line for line in (tmp_path / "served.log").read_text().splitlines()[logged_before:]
                           if line.startswith(REQUEST_LINE)]
        # only this test's own control calls reached it, none from the suite
        assert all(" ns=default" in line and "/_sandbox/" in line for line in requests_logged), requests_logged
        assert sorted(p.name for p in Path(tmp_path).iterdir() if p.name.startswith("rewards-sandbox-")) == folders
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
