"""Starting and stopping the servers under test, cold starts, and worker memory."""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sandbox_command() -> list[str]:
    """``rewards-sandbox`` as installed beside this Python (as users run it)."""
    beside = Path(sys.executable).parent / "rewards-sandbox"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("rewards-sandbox")
    return [found] if found else [sys.executable, "-m", "sandbox.cli"]


def ceiling_command() -> list[str]:
    return [sys.executable, "-m", "bench.ceiling"]


class Server:
    """A server process (the gunicorn master) on a loopback port; logs go to ``log``."""

    def __init__(self, args: list[str], log: Path, health_path: str, env: dict | None = None,
                 workers: int | None = WORKERS):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.health_path = health_path
        self.log = log
        self.started = time.perf_counter()
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(args + ["--port", str(self.port)]
                                         + ([] if workers is None else ["--workers", str(workers)]),
                                         stdout=out, stderr=subprocess.STDOUT, cwd=str(ROOT),
                                         env={**clean, **(env or {})}, start_new_session=True)

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Seconds from launch to the first 200 on the health path."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log}:\n{self.log.read_text()[-3000:]}")
            if _answers_200(self.port, self.health_path):
                return time.perf_counter() - self.started
            time.sleep(0.002)
        self.stop()
        raise RuntimeError(f"server not healthy after {timeout} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        return [pid for pid in _pids() if _ppid(pid) == self.proc.pid]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _answers_200(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def sandbox(log: Path, *args: str, model: str | None = None) -> Server:
    """``rewards-sandbox serve`` as users run it or, given a ``model``, through ``bench.serving``
    (that serving model, requests counted per worker in ``<log>.counts/``)."""
    if model is None:
        return Server(sandbox_command() + ["serve", *args], log, "/_sandbox/health")
    return Server(_measured(model, log, "sandbox") + ["serve", *args], log, "/_sandbox/health")


def ceiling(log: Path, model: str | None = None) -> Server:
    return Server(ceiling_command() if model is None else _measured(model, log, "ceiling"), log, "/ping")


def bound(log: Path, db: Path, world: Path, model: str | None = None) -> Server:
    program = [sys.executable, "-m", "bench.bound"] if model is None else _measured(model, log, "bound")
    return Server(program + ["--db", str(db), "--world", str(world)], log, "/ping")


def _measured(model: str, log: Path, program: str) -> list[str]:
    return [sys.executable, "-m", "bench.serving", "--model", model, "--counts", str(counts_folder(log)), program]


def counts_folder(log: Path) -> Path:
    """Where a server started with a ``model`` keeps its per-worker request counters."""
    return log.with_name(log.name + ".counts")


def cold_starts(make, runs: int) -> list[float]:
    """Launch-to-first-healthy-200 of ``runs`` fresh servers, one after another."""
    found = []
    for _ in range(runs):
        server = make()
        try:
            found.append(server.wait_healthy())
        finally:
            server.stop()
    return found


# -- memory ----------------------------------------------------------------------------------------

def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def memory_mib(pid: int) -> dict:
    """Resident (RSS) and proportional (PSS: shared pages split between the processes
    sharing them) memory of one process, in MiB."""
    found = {"rss": None, "pss": None}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                found["rss"] = int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                found["pss"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found
