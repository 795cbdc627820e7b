"""The benchmark still runs: a smoke run writes a complete report. No timing is asserted
here (performance stays out of pass/fail tests); the figures live in bench/RESULTS.md."""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time

import pytest

from bench import cases, isolation, peers, servers, serving
from bench.load import PythonLoad, SessionLoad
from tests.support import ROOT

pytestmark = pytest.mark.slow
API_CASES = [cases.ceiling(), cases.health()] + cases.reads() + cases.writes() + cases.bounds()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke") / "report.md"
    run = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out.read_text()


def _section(report: str, title: str) -> str:
    start = report.index(f"\n## {title}")
    end = report.find("\n## ", start + 1)
    return report[start:] if end < 0 else report[start:end]


def test_a_smoke_run_writes_a_report_with_every_case_and_target(report):
    for case in API_CASES + cases.lists():
        assert case.name in report
    assert re.search(r"^\| restore a snapshot of the default world .* \| [\d.]+ ms \|", report, re.M)
    targets = re.findall(r"^\| (?!target \|).+ \| (met|\*\*not met\*\*) \|$", report, re.M)
    # ratio and p99 per case, loads, lists, memory, and the new namespace, reset and restore
    assert len(targets) == 4 * 2 + 4 * 2 + 3 + 4 + 1 + 3
    for name in isolation.TARGETED:
        assert re.search(rf"^\| {re.escape(name)}: p50 at most 3x .* \| [\d.]+x \([\d.]+ ms vs [\d.]+ ms\) \|",
                         report, re.M), name
    assert re.search(r"^\| Atrium: list rewards \| 0.8x \| [\d.]+x \| [\d.]+x \| [\d.]+x \|$", report, re.M)
    assert re.search(r"^\| MyRewards: v1 credit \| 0.5x \| [\d.]+x \| [\d.]+x \| [\d.]+x \|$", report, re.M)
    # every request of every case was answered 2xx/3xx, and every write wrote its row
    rows = re.findall(r"^\| (.+?) \| [\d,]+ \| [\d.]+x \| .+ \| ([\d,]+) \| ([\d,]+) \| ([\d,]*) \|$", report, re.M)
    assert len(rows) == 12
    written_by_case = {name: written for name, _, _, written in rows}
    assert all(written_by_case.get(case.name) for case in cases.writes()), written_by_case
    for name, served, bad, written in rows:
        assert bad == "0", name
        if written:
            assert int(written.replace(",", "")) >= int(served.replace(",", "")), name


def test_the_isolation_cases_are_timed_under_both_models_beside_the_peers(report):
    section = _section(report, "Isolation")
    number = r"[\d.]+ \| [\d.]+ \| [\d.]+x"
    for case in isolation.cases():
        found = re.search(rf"^\| {re.escape(case.name)} \| {number} \| {number} \| ([\d,]+) \| ([\d,]+) \|$",
                          section, re.M)
        assert found, case.name
        assert found.group(1) == "6" and found.group(2) == "0", case.name    # 3 per model, all answered
    for name in ("moto", "WireMock"):
        measured = re.search(rf"^\| peer: {name}: POST /\S+ \| {number} \| .* \| 3 \| 0 \|$", section, re.M)
        assert measured or f"- {name} is not installed" in section, name
    plugin = re.search(rf"^\| {re.escape(isolation.PLUGIN)} .* \| [\d.-]+ \| \| [\d.-]+x \| .* \| 8 tests \| 0 \|$",
                       section, re.M)
    assert plugin, section
    for model in serving.MODELS:
        assert re.search(rf"^- requests per worker, busiest worker's share \({model} workers\): \d+%", section, re.M)


def test_every_case_is_served_by_both_models_with_both_clients_and_counted_per_worker(report):
    section = _section(report, "The serving model")
    tables = section.split("\nWith ")[1:]
    assert len(tables) == 2
    worker = r"\d+% \(worst \d+%\)"
    for table in tables:
        for case in API_CASES:
            assert re.search(rf"^\| {re.escape(case.name)} \| [\d,]+ \| [\d.]+x \| [\d.]+ \| [\d.]+ \| {worker} \| "
                             rf"[\d,]+ \| [\d.]+x \| [\d.]+ \| [\d.]+ \| {worker} \| [\d.]+x \|$", table, re.M), case.name
        assert "Answers outside 2xx/3xx or socket errors, both models: 0." in table


def test_the_python_fallback_drives_a_server(tmp_path):
    with servers.ceiling(tmp_path / "ceiling.log") as server:
        server.wait_healthy()
        result = PythonLoad().run(server.url, cases.ceiling().requests, 1.0)
    assert result.requests > 0 and result.bad_status == 0 and result.socket_errors == 0
    assert 0 < result.p50_ms <= result.p99_ms


@pytest.mark.parametrize("model", serving.MODELS)
def test_a_serving_model_counts_each_request_on_the_worker_that_served_it(tmp_path, model):
    log = tmp_path / "ceiling.log"
    with servers.ceiling(log, model=model) as server:
        server.wait_healthy()
        counted = servers.counts_folder(log)
        before = serving.counts(counted)
        result = SessionLoad().run(server.url, cases.ceiling().requests, 0.5)
        after = serving.counts(counted)
        workers = set(server.worker_pids())
    assert result.requests > 0 and result.bad_status == 0 and result.socket_errors == 0
    assert set(after) <= workers
    # the health checks before the run are counted too, but only the run's requests in between
    assert sum(serving.spread(before, after)) == result.requests


def test_a_missing_peer_is_named_with_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(peers, "WIREMOCK_CACHE", tmp_path)
    monkeypatch.delenv("BENCH_WIREMOCK_JAR", raising=False)
    found, missing = peers.available()
    assert "WireMock" not in " ".join(peer.name for peer in found)
    assert any(note.startswith("WireMock is not installed") and "npm install" in note for note in missing)


@pytest.mark.parametrize("model", serving.MODELS)
def test_a_measured_sandbox_runs_its_webhook_dispatcher_as_serve_does(tmp_path, model):
    """The benchmark measures the server users run, background dispatcher included: one of
    its workers leads, holding the database's dispatch lock."""
    db = tmp_path / "state.sqlite"
    with servers.sandbox(tmp_path / "sandbox.log", "--db", str(db), model=model) as server:
        server.wait_healthy()
        fd = os.open(f"{db}.dispatch-lock", os.O_RDWR | os.O_CREAT)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    break                       # a worker holds it
                fcntl.flock(fd, fcntl.LOCK_UN)
                time.sleep(0.05)
            else:
                pytest.fail("no worker took the dispatch lock")
        finally:
            os.close(fd)
