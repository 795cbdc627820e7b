"""The isolation cases: what a test suite pays for a fresh world per test, timed one request
at a time by a single keep-alive client (``requests.Session``, as a test suite's client is),
each as a ratio to a read in an existing namespace timed the same way in the same run.

- a read in an existing namespace (the reference): MyRewards list transactions in ``bench-read``;
- the first request in a new namespace: the same read in ``/_ns/<a fresh name>/...``, which
  creates the namespace with the startup (default) world; each name is used once and then
  dropped (``DELETE /_sandbox/namespaces/<name>``, untimed) so the namespace limit is never met;
- ``POST /_sandbox/reset``: the default namespace back to the startup world;
- a snapshot restore: ``POST /_sandbox/snapshots {"name": "bench"}`` once, then
  ``POST /_sandbox/snapshots/bench/restore``;
- the peers' resets (``bench.peers``), when installed;
- the pytest plugin's per-test overhead: a generated file of N trivial tests taking the
  ``rewards_sandbox`` fixture, against the same N tests without it, both after one test that
  starts the plugin's server; the difference of their JUnit times (setup, call and teardown of
  each test), divided by N.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .load import percentile_ms

READ = "read in an existing namespace (MyRewards list transactions)"
FRESH = "first request in a new namespace (default world)"
RESET = "POST /_sandbox/reset (default world)"
RESTORE = "snapshot restore (default world)"
PLUGIN = "pytest plugin: per-test overhead of the rewards_sandbox fixture"
TARGETED = (FRESH, RESET, RESTORE)
TARGET_RATIO = 3.0
_READ_PATH = "/myrewards/api/v2/users/123/transactions"
_READ_HEADERS = {"Authorization": "Token token=xxx"}


@dataclass
class Latency:
    name: str
    samples: list = field(default_factory=list)        # seconds, one per request (or per test)
    bad: int = 0                                        # answers other than the one expected
    workers: list = field(default_factory=list)         # requests per worker, largest first, per round

    def add_workers(self, spread: list[int]) -> None:
        self.workers.append(spread)

    @property
    def p50(self) -> float:
        return percentile_ms(self.samples, 0.50)

    @property
    def p90(self) -> float:
        return percentile_ms(self.samples, 0.90)


def session():
    import requests

    return requests.Session()


def timed(client, method: str, url: str, expect: int, **kwargs) -> tuple[float, bool]:
    """Seconds from sending the request to having read the whole answer; whether the
    status was the one expected."""
    started = time.perf_counter()
    response = client.request(method, url, timeout=60, **kwargs)
    response.content
    return time.perf_counter() - started, response.status_code == expect


def cases() -> list[Latency]:
    return [Latency(READ), Latency(FRESH), Latency(RESET), Latency(RESTORE)]


def prepare(client, url: str) -> None:
    """The namespace the reference read uses, and the snapshot the restores go back to."""
    for method, path, kwargs, expect in (("GET", f"/_ns/bench-read{_READ_PATH}", {"headers": _READ_HEADERS}, 200),
                                         ("POST", "/_sandbox/snapshots", {"json": {"name": "bench"}}, 201)):
        response = client.request(method, url + path, timeout=60, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:2000]}")


def sample(client, url: str, found: list[Latency], samples: int, tag: str) -> None:
    """``samples`` of each case, in turn (a drift in the machine's load hits every case alike)."""
    read, fresh, reset, restore = found
    for i in range(samples):
        name = f"fresh-{tag}-{i}-{uuid.uuid4().hex[:8]}"
        for case, method, path, kwargs in (
                (read, "GET", f"/_ns/bench-read{_READ_PATH}", {"headers": _READ_HEADERS}),
                (fresh, "GET", f"/_ns/{name}{_READ_PATH}", {"headers": _READ_HEADERS}),
                (reset, "POST", "/_sandbox/reset", {}),
                (restore, "POST", "/_sandbox/snapshots/bench/restore", {})):
            seconds, ok = timed(client, method, url + path, 200, **kwargs)
            case.samples.append(seconds)
            case.bad += not ok
        dropped = client.delete(f"{url}/_sandbox/namespaces/{name}", timeout=60)
        fresh.bad += dropped.status_code != 204


def sample_peer(client, url: str, reset_path: str, found: Latency, samples: int) -> None:
    for _ in range(samples):
        seconds, ok = timed(client, "POST", url + reset_path, 200)
        found.samples.append(seconds)
        found.bad += not ok


# -- the pytest plugin ------------------------------------------------------------------------

_START = "def test_0000_start_the_plugins_server(rewards_sandbox_server):\n    assert rewards_sandbox_server.url\n"
_WITH = "def test_{i:04d}(rewards_sandbox):\n    assert rewards_sandbox.namespace\n"
_WITHOUT = "def test_{i:04d}():\n    assert True\n"


def plugin_overhead(tests: int, folder: Path | None = None) -> tuple[float, int]:
    """Seconds of per-test overhead of the ``rewards_sandbox`` fixture over ``tests`` tests,
    and how many of the 2 x ``tests`` + 2 tests failed."""
    with tempfile.TemporaryDirectory(prefix="bench-plugin-", dir=folder) as tmp:
        totals, failed = {}, 0
        (Path(tmp) / "empty.ini").write_text("[pytest]\n")
        for kind, template in (("with", _WITH), ("without", _WITHOUT)):
            path = Path(tmp) / f"test_{kind}_fixture.py"
            path.write_text(_START + "".join(template.format(i=i + 1) for i in range(tests)))
            junit = Path(tmp) / f"{kind}.xml"
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp,
                            "-c", str(Path(tmp) / "empty.ini"), f"--junitxml={junit}", str(path)],
                           cwd=tmp, capture_output=True, text=True, timeout=600)
            times, bad = _junit_times(junit)
            totals[kind] = sum(seconds for name, seconds in times.items() if not name.endswith("start_the_plugins_server"))
            failed += bad + (tests + 1 - len(times))
    return (totals["with"] - totals["without"]) / tests, failed


def _junit_times(junit: Path) -> tuple[dict[str, float], int]:
    if not junit.exists():
        return {}, 0
    times, bad = {}, 0
    for case in ET.parse(junit).getroot().iter("testcase"):
        times[case.get("name")] = float(case.get("time"))
        bad += any(child.tag in ("failure", "error", "skipped") for child in case)
    return times, bad


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else 0.0
