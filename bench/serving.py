"""The serving models the benchmark compares, and requests counted per worker.

    python -m bench.serving --model sync --counts DIR sandbox serve --port 8080 ...
    python -m bench.serving --model threaded --counts DIR ceiling --port 8081 ...

runs the sandbox's CLI (or ``bench.ceiling``, ``bench.bound``) unchanged except for two
things, the same for every server of the run:

- ``--model threaded`` is what ``serve`` ships (``sandbox.server.SandboxWorker``: gunicorn's
  gthread worker, keep-alive, requests taking turns on up to ``THREADS`` threads, see
  ``sandbox.core.turns``); ``--model sync`` is gunicorn's sync
  worker (one request at a time, the connection closed after every response);
- every request adds one to a counter of its worker's, kept in a memory-mapped file
  ``DIR/<pid>`` (a few hundred nanoseconds; no system call), so the report can show how the
  requests spread over the workers: with keep-alive, a client's connections stay on the
  worker that accepted them, and one busy worker beside an idle one would look like a slow
  server.
"""
from __future__ import annotations

import argparse
import mmap
import os
import struct
import sys
import threading
from pathlib import Path

MODELS = ("threaded", "sync")
SHIPPED = "threaded"
_COUNTER = struct.Struct("<Q")


class CountedApp:
    """WSGI middleware: one more in this worker's counter file per request. Anything else
    is the wrapped app's (its ``extensions``: each worker starts the sandbox's webhook
    dispatcher, as ``serve`` does)."""

    def __init__(self, app, folder: str):
        self.app, self.folder = app, folder
        self._pid, self._map, self._lock = None, None, threading.Lock()

    def __getattr__(self, name):
        return getattr(self.app, name)

    def _open(self) -> None:
        path = os.path.join(self.folder, str(os.getpid()))
        with open(path, "wb+") as f:
            f.write(b"\0" * _COUNTER.size)
            f.flush()
            self._map = mmap.mmap(f.fileno(), _COUNTER.size)
        self._pid = os.getpid()

    def __call__(self, environ, start_response):
        with self._lock:
            if self._pid != os.getpid():
                self._open()
            _COUNTER.pack_into(self._map, 0, _COUNTER.unpack_from(self._map)[0] + 1)
        return self.app(environ, start_response)


def counts(folder: Path) -> dict[int, int]:
    """Requests served so far, per worker pid."""
    found = {}
    for path in folder.iterdir():
        data = path.read_bytes()
        if path.name.isdigit() and len(data) == _COUNTER.size:
            found[int(path.name)] = _COUNTER.unpack(data)[0]
    return found


def spread(before: dict[int, int], after: dict[int, int]) -> list[int]:
    """Requests each worker served between two readings of ``counts``, largest first."""
    return sorted((n - before.get(pid, 0) for pid, n in after.items() if n > before.get(pid, 0)), reverse=True)


def install(model: str, folder: str) -> None:
    """Make ``sandbox.server.SandboxServer`` serve ``model`` with every request counted."""
    import sandbox.server as server

    shipped = server.SandboxServer

    class MeasuredServer(shipped):
        def load_config(self):
            super().load_config()
            if model == "sync":
                # gunicorn turns a sync worker with threads > 1 into gthread: one thread
                self.cfg.set("worker_class", "sync")
                self.cfg.set("threads", 1)

        def load(self):
            return CountedApp(super().load(), folder)

    server.SandboxServer = MeasuredServer


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--counts", required=True, help="folder for the per-worker counter files")
    parser.add_argument("program", choices=("sandbox", "ceiling", "bound"))
    args, rest = parser.parse_known_args(argv)
    Path(args.counts).mkdir(parents=True, exist_ok=True)
    install(args.model, args.counts)
    if args.program == "sandbox":
        from sandbox.cli import main as cli

        cli(rest, prog_name="rewards-sandbox")
    elif args.program == "ceiling":
        from bench.ceiling import main as ceiling

        ceiling(rest)
    else:
        from bench.bound import main as bound

        bound(rest)


if __name__ == "__main__":
    sys.exit(main())
