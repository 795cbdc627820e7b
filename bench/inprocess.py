"""One case's request, in-process: CPU time and SQLite statements per request, and a profile.

    python -m bench.inprocess "Eagle Eye: exchange"                # us of CPU and statements per request
    python -m bench.inprocess "Eagle Eye: exchange" --profile 25   # and cProfile's top 25 (cumulative)
    python -m bench.inprocess "Eagle Eye: exchange" --statements   # and every statement one request runs

The bench world in a temporary database, the sandbox's WSGI app called directly (no HTTP, no
gunicorn), the request log off and the journal on. CPU time (``time.process_time``) does not
count waiting for the machine's other work, so these figures compare on a busy machine where
requests per second do not. Median of ``--rounds`` rounds of ``--requests`` requests.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from . import cases as c
from . import worlds


def find_case(name: str) -> c.Case:
    found = {case.name: case for case in c.reads() + c.writes() + [c.health()]}
    if name not in found:
        raise SystemExit(f"no case {name!r}; one of: {', '.join(found)}")
    return found[name]


def app_on_bench_world(folder: Path):
    from sandbox import build_sandbox

    world = worlds.write_world(folder, worlds.bench_world(), "bench-world")
    return build_sandbox(str(folder / "bench.sqlite"), str(world), log_requests=False)


def environ_for(request: c.Request) -> dict:
    path, _, query = request.path.partition("?")
    environ = {"REQUEST_METHOD": request.method, "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(request.body),
               "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
               "wsgi.run_once": False, "wsgi.version": (1, 0), "CONTENT_LENGTH": str(len(request.body))}
    for key, value in request.headers.items():
        name = key.upper().replace("-", "_")
        environ[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"] = value
    return environ


def call(app, request: c.Request) -> int:
    """Send one request to the WSGI app; its status."""
    status = []
    body = app(environ_for(request), lambda s, headers, exc_info=None: status.append(s))
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    return int(status[0].split()[0])


class StatementCounter:
    """Every SQL statement the sandbox's connections run, through ``set_trace_callback``
    on each connection opened while it is installed."""

    def __init__(self):
        self.statements: list[str] = []
        self._connect = sqlite3.connect

    def __enter__(self):
        def connect(*args, **kwargs):
            conn = self._connect(*args, **kwargs)
            conn.set_trace_callback(self.statements.append)
            return conn
        sqlite3.connect = connect
        return self

    def __exit__(self, *exc):
        sqlite3.connect = self._connect


def measure(case: c.Case, requests: int, rounds: int, profile: int = 0, show_statements: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as tmp, StatementCounter() as counter:
        app = app_on_bench_world(Path(tmp))
        for request in case.requests[:3] * 20:                     # warm: connections, caches
            assert 200 <= call(app, request) < 300, request.path
        per_request = []
        for _ in range(rounds):
            started = time.process_time()
            for i in range(requests):
                call(app, case.requests[i % len(case.requests)])
            per_request.append((time.process_time() - started) / requests)
        counter.statements.clear()
        status = call(app, case.requests[0])
        statements = list(counter.statements)
        report = {"case": case.name, "us_per_request": statistics.median(per_request) * 1e6,
                  "rounds_us": [round(x * 1e6) for x in per_request], "statements": len(statements),
                  "status": status, "wal_pages": wal_pages(app, case, Path(tmp) / "bench.sqlite"),
                  "python_calls": python_calls(app, case)}
        if show_statements:
            report["statement_text"] = statements
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(requests):
                call(app, case.requests[i % len(case.requests)])
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
            report["profile"] = out.getvalue()
    return report


def wal_pages(app, case: c.Case, db_path: Path, requests: int = 20) -> float:
    """Pages written to the write-ahead log per request: what a commit costs, counted
    (the log emptied first; fewer requests than fill it to the automatic checkpoint)."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for i in range(requests):
            call(app, case.requests[i % len(case.requests)])
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1] / requests
    finally:
        conn.close()


def python_calls(app, case: c.Case, requests: int = 50) -> float:
    """Python function calls per request (cProfile's count: exact where time is noise)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(requests):
        call(app, case.requests[i % len(case.requests)])
    profiler.disable()
    return pstats.Stats(profiler).total_calls / requests


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.splitlines()[0])
    parser.add_argument("case", help="a case's name, as the report gives it")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N functions")
    parser.add_argument("--statements", action="store_true", help="print the statements of one request")
    args = parser.parse_args(argv)
    found = measure(find_case(args.case), args.requests, args.rounds, args.profile, args.statements)
    print(f"{found['case']}: {found['us_per_request']:.0f} us of CPU per request (rounds {found['rounds_us']}), "
          f"{found['statements']} SQLite statements, {found['wal_pages']:.1f} pages written to the log, "
          f"{found['python_calls']:.0f} Python calls, status {found['status']}")
    for text in found.get("statement_text", []):
        print("  " + " ".join(text.split()))
    if found.get("profile"):
        print(found["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
