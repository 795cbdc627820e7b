"""Load generators: wrk (Debian's package) driven by a generated Lua script, or a
slower pure-Python fallback for machines without wrk. Both keep 16 connections busy for a
fixed duration and report requests/s, p50, p99 and the non-2xx/3xx answers."""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from .cases import Request

CONNECTIONS = 16


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad_status: int           # answers outside 2xx/3xx
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class LoadGenerator(ABC):
    name = ""
    label = ""

    @abstractmethod
    def run(self, base_url: str, requests: tuple[Request, ...], seconds: float) -> Result:
        """Replay ``requests`` in turn on 16 connections for ``seconds``."""


def choose(kind: str) -> LoadGenerator:
    """``auto`` is wrk when it is installed, else the Python fallback."""
    if kind == "wrk" or (kind == "auto" and shutil.which("wrk")):
        if not shutil.which("wrk"):
            raise SystemExit("wrk is not installed (apt-get install wrk), or use --loadgen python")
        return Wrk()
    return PythonLoad()


# -- wrk --------------------------------------------------------------------------------------

def lua_string(value: str | bytes) -> str:
    """A Lua string literal (decimal escapes for anything but plain printable ASCII)."""
    data = value.encode() if isinstance(value, str) else value
    out = []
    for byte in data:
        ch = chr(byte)
        out.append(ch if 32 <= byte < 127 and ch not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(requests: tuple[Request, ...]) -> str:
    """A wrk script that sends ``requests`` in turn (each wrk thread from the first) and
    prints one machine-readable line when done."""
    formatted = []
    for r in requests:
        headers = "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items()) + "}"
        body = lua_string(r.body) if r.body else "nil"
        formatted.append(f"  wrk.format({lua_string(r.method)}, {lua_string(r.path)}, {headers}, {body}),")
    return "\n".join([
        "local reqs = {}",
        "local i = 0",
        "function init(args)",
        "  reqs = {",
        *formatted,
        "  }",
        "end",
        "function request()",
        "  i = i + 1",
        "  if i > #reqs then i = 1 end",
        "  return reqs[i]",
        "end",
        "function done(summary, latency, requests)",
        "  local e = summary.errors",
        '  io.write(string.format("BENCH_RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,',
        "    math.floor(latency:percentile(50)), math.floor(latency:percentile(99)), e.status,",
        "    e.connect + e.read + e.write + e.timeout))",
        "end",
        "",
    ])


class Wrk(LoadGenerator):
    name = "wrk"

    def __init__(self):
        first = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
        version = first[0].split(" Copyright")[0].strip() if first else "wrk"
        self.label = f"{version}, 1 thread, {CONNECTIONS} connections"

    def run(self, base_url, requests, seconds):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua_script(requests))
        try:
            out = subprocess.run(
                ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                 "-s", script.name, base_url],
                capture_output=True, text=True, timeout=seconds + 60)
        finally:
            Path(script.name).unlink()
        found = re.search(r"^BENCH_RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out.stdout, re.M)
        if not found:
            raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
        n, duration_us, p50, p99, status, sockets = map(int, found.groups())
        return Result(n, duration_us / 1e6, p50 / 1000, p99 / 1000, status, sockets)


# -- one keep-alive client ------------------------------------------------------------------------

class SessionLoad(LoadGenerator):
    """One ``requests.Session`` sending the requests in turn, one at a time, as a test
    suite or an SDK does: each request waits for the previous answer, on one kept-alive
    connection (a new one after every answer from a server that closes it)."""

    name = "session"
    label = "one requests.Session (keep-alive), one request at a time"

    def run(self, base_url, requests, seconds):
        import requests as http

        latencies, bad, errors = [], 0, 0
        prepared = [http.Request(r.method, base_url + r.path, headers=r.headers, data=r.body or None).prepare()
                    for r in requests]
        with http.Session() as client:
            started = time.perf_counter()
            deadline = started + seconds
            i = 0
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = client.send(prepared[i % len(prepared)], timeout=10)
                    response.content
                except http.RequestException:
                    errors += 1
                    continue
                finally:
                    i += 1
                latencies.append(time.perf_counter() - sent)
                bad += not 200 <= response.status_code < 400
            elapsed = time.perf_counter() - started
        return Result(len(latencies), elapsed, percentile_ms(latencies, 0.50), percentile_ms(latencies, 0.99), bad, errors)


def percentile_ms(latencies: list[float], p: float) -> float:
    """The ``p`` percentile of ``latencies`` (seconds), in milliseconds."""
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0


# -- the Python fallback ---------------------------------------------------------------------------

class PythonLoad(LoadGenerator):
    """asyncio, raw HTTP/1.1 over 16 connections in this process. It competes with the
    servers for the same two cores and tops out far below wrk, so its figures are a
    lower bound: the report says so."""

    name = "python"
    label = f"Python fallback (asyncio, {CONNECTIONS} connections): slower than wrk, figures are lower bounds"

    def run(self, base_url, requests, seconds):
        host, port = base_url.split("//", 1)[1].split(":")
        wire = [_wire(r, host) for r in requests]
        return asyncio.run(_drive(host, int(port), wire, seconds))


def _wire(r: Request, host: str) -> bytes:
    headers = {"Host": host, **r.headers}
    if r.body or r.method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(r.body))
    head = f"{r.method} {r.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1") + r.body


async def _drive(host: str, port: int, wire: list[bytes], seconds: float) -> Result:
    latencies: list[float] = []
    counts = {"bad": 0, "sockets": 0, "next": 0}
    started = time.perf_counter()
    deadline = started + seconds

    async def connection():
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                payload = wire[counts["next"] % len(wire)]
                counts["next"] += 1
                sent = time.perf_counter()
                writer.write(payload)
                status, close = await _read_response(reader)
                latencies.append(time.perf_counter() - sent)
                if not 200 <= status < 400:
                    counts["bad"] += 1
                if close:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                counts["sockets"] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    return Result(len(latencies), elapsed, percentile_ms(latencies, 0.50), percentile_ms(latencies, 0.99),
                  counts["bad"], counts["sockets"])


async def _read_response(reader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, headers.get("connection", "").lower() == "close"
