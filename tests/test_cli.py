"""The real command: ``rewards-sandbox serve`` under gunicorn on a free loopback port."""
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import yaml

from tests.support import free_port, start_server

WORLD = {"name": "cli-world", "description": "a world with no API data"}


def test_serve_answers_health_and_prints_base_urls(live_server):
    started = time.monotonic()
    server = live_server()
    print(f"launch to first healthy 200: {time.monotonic() - started:.3f}s (includes python start-up)")
    body = requests.get(server.url + "/_sandbox/health").json()
    assert body["status"] == "ok" and body["scenario"] == "default"
    banner = server.log()
    for api in ("atrium", "myrewards", "saasquatch", "eagleeye"):
        assert f"{server.url}/{api}" in banner


def test_a_clock_move_is_seen_by_every_worker(live_server):
    server = live_server(WORLD, workers=2)
    r = requests.put(server.url + "/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"})
    assert r.status_code == 200
    seen = {}
    deadline = time.monotonic() + 20
    while len(seen) < 2 and time.monotonic() < deadline:
        with ThreadPoolExecutor(8) as pool:
            for health, clock in pool.map(lambda _: (requests.get(server.url + "/_sandbox/health").json(),
                                                     requests.get(server.url + "/_sandbox/clock").json()), range(16)):
                seen.setdefault(health["worker_pid"], set()).add(clock["now"])
    assert len(seen) == 2, "both workers should have served requests"
    assert all(nows == {"2026-01-15T09:00:00Z"} for nows in seen.values())
    requests.post(server.url + "/_sandbox/clock/advance", json={"by": "3h"})
    nows = {requests.get(server.url + "/_sandbox/clock").json()["now"] for _ in range(20)}
    assert nows == {"2026-01-15T12:00:00Z"}


@pytest.mark.slow
def test_with_db_the_state_survives_a_stop_and_start(tmp_path):
    db_path = str(tmp_path / "persist.sqlite")
    server = start_server(tmp_path, WORLD, db_path=db_path)
    requests.put(server.url + "/_sandbox/clock", json={"frozen_at": "2026-02-02T00:00:00Z"})
    requests.post(server.url + "/_sandbox/faults", json={"status": 503, "path": "x", "times": 7})
    assert server.stop() == 0
    again = start_server(tmp_path, db_path=db_path, scenario_given=False)
    try:
        assert requests.get(again.url + "/_sandbox/health").json()["scenario"] == "cli-world"
        assert requests.get(again.url + "/_sandbox/clock").json()["now"] == "2026-02-02T00:00:00Z"
        assert requests.get(again.url + "/_sandbox/faults").json()["faults"][0]["remaining"] == 7
        assert "reused" in again.log()
    finally:
        again.stop()
    kept = start_server(tmp_path, {"name": "replacement"}, db_path=db_path)      # a scenario seeds only a new db
    try:
        assert requests.get(kept.url + "/_sandbox/health").json()["scenario"] == "cli-world"
    finally:
        kept.stop()
    replaced = start_server(tmp_path, {"name": "replacement"}, db_path=db_path, extra_args=["--reset"])
    try:
        assert requests.get(replaced.url + "/_sandbox/health").json()["scenario"] == "replacement"
        assert requests.get(replaced.url + "/_sandbox/faults").json()["faults"] == []
    finally:
        replaced.stop()


def test_sigterm_stops_cleanly_and_removes_the_temporary_database(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env.update(TMPDIR=str(tmp_path), SANDBOX_PORT=str(port), SANDBOX_WORKERS="2")
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "serve"], env=env, cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        assert [p for p in os.listdir(tmp_path) if p.startswith("rewards-sandbox-")]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert not [p for p in os.listdir(tmp_path) if p.startswith("rewards-sandbox-")]


def test_serve_refuses_a_file_that_is_not_a_sandbox_database(tmp_path):
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("precious data")
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "serve", "--db", str(bogus), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "not a rewards-sandbox database" in result.stderr
    assert bogus.read_text() == "precious data"


def test_an_invalid_startup_scenario_is_reported_not_served(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\natrium: 5\n")
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "serve", "--scenario", str(bad), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "atrium" in result.stderr and "bad.yaml" in result.stderr


def test_load_sends_a_file_to_a_running_server(live_server, tmp_path):
    server = live_server(WORLD)
    world = tmp_path / "next.yaml"
    world.write_text(yaml.safe_dump({"name": "loaded-by-cli", "clock": "2026-05-05T05:05:05Z"}))
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "load", str(world), "--target", server.url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert requests.get(server.url + "/_sandbox/health").json()["scenario"] == "loaded-by-cli"
    assert requests.get(server.url + "/_sandbox/clock").json()["now"] == "2026-05-05T05:05:05Z"
    world.write_text("name: broken\nclock: whenever\n")
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "load", str(world), "--target", server.url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "clock" in result.stderr
    assert requests.get(server.url + "/_sandbox/health").json()["scenario"] == "loaded-by-cli"


def test_root_api_serves_one_api_at_the_root(live_server):
    server = live_server(WORLD, extra_args=["--root-api", "saasquatch"])
    r = requests.get(server.url + "/no/such/path")
    assert r.status_code == 404 and r.json()["statusCode"] == 404


def test_request_log_lines(live_server):
    server = live_server(WORLD)
    requests.get(server.url + "/atrium/unknown")
    requests.get(server.url + "/_sandbox/health")
    # each line is flushed before the response is sent, so no waiting is needed
    lines = [l for l in server.log().splitlines() if l.startswith(("GET", "POST"))]
    assert any(l.startswith("GET /atrium/unknown 404") and "ns=default" in l for l in lines)
    assert not any("/_sandbox/health" in l for l in lines)


def test_the_startup_world_is_prepared_in_a_child_process_whose_answer_or_error_comes_back():
    import click

    from sandbox.cli import in_child_process

    assert in_child_process(lambda: {"pid": os.getpid()})["pid"] != os.getpid()

    def invalid():
        raise click.ClickException("invalid scenario:\nx.yaml: atrium.clients: Not a valid list.")

    with pytest.raises(click.ClickException, match="atrium.clients: Not a valid list"):
        in_child_process(invalid)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        in_child_process(lambda: 1 / 0)


def test_a_second_server_on_a_port_in_use_is_refused(live_server, tmp_path):
    server = live_server(WORLD)
    port = server.url.rsplit(":", 1)[1]
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "serve", "--port", port,
                             "--db", str(tmp_path / "second.sqlite")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "already in use" in result.stderr
