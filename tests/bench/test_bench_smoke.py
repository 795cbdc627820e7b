"""The benchmark still runs: a smoke run writes a complete report. No timing is asserted
here (performance stays out of pass/fail tests); the figures live in bench/RESULTS.md."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bench import cases, servers
from bench.load import PythonLoad
from tests.support import ROOT

pytestmark = pytest.mark.slow


def test_a_smoke_run_writes_a_report_with_every_case_and_target(tmp_path):
    out = tmp_path / "report.md"
    run = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = out.read_text()
    for case in [cases.ceiling(), cases.health()] + cases.reads() + cases.writes() + cases.bounds() + cases.lists():
        assert case.name in report
    assert re.search(r"^\| restore a snapshot of the default world .* \| [\d.]+ ms \|", report, re.M)
    targets = re.findall(r"^\| (?!target \|).+ \| (met|\*\*not met\*\*) \|$", report, re.M)
    assert len(targets) == 4 * 2 + 4 * 2 + 3 + 4 + 1        # ratio and p99 per case, loads, lists, memory
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


def test_the_python_fallback_drives_a_server(tmp_path):
    with servers.ceiling(tmp_path / "ceiling.log") as server:
        server.wait_healthy()
        result = PythonLoad().run(server.url, cases.ceiling().requests, 1.0)
    assert result.requests > 0 and result.bad_status == 0 and result.socket_errors == 0
    assert 0 < result.p50_ms <= result.p99_ms
