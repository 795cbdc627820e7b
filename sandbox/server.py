"""Serving with gunicorn, started from Python (no shell-out).

The master prepares the database (WAL, migrations, startup world) before it forks, and
loads the app once (``preload_app``), so workers start in milliseconds.

Workers are threaded (``SandboxWorker``, gunicorn's ``gthread`` worker), with keep-alive.
A connection is handed to a thread only once its request line and headers have all
arrived, and is closed if they take longer than ``HEADER_SECONDS``: a client that sends
them slowly (or not at all) holds no thread and no worker, so slow clients cannot stop the
server answering everyone else.
A worker runs its requests one at a time (``sandbox.core.turns.TurnPool``), up to
``THREADS`` threads: a request waiting on something outside the process (a delayed fault,
a request body arriving slowly, a client reading its answer slowly) lets the next one run
on another thread, so it holds only its own thread, never the worker.
SQLite connections are pooled per worker and lent to one thread at a time
(``sandbox.core.db.pool``).
"""
from __future__ import annotations

import select
import socket
import time

from gunicorn.app.base import BaseApplication
from gunicorn.workers import gthread
from gunicorn.workers.gthread import ThreadWorker

from sandbox.core.turns import TurnPool, waiting

THREADS = 8                 # requests a worker can have waiting at once (delayed faults, slow bodies)
HEADER_SECONDS = 10.0
_PEEK = 65536


class SandboxServer(BaseApplication):
    def __init__(self, app, *, host: str, port: int, workers: int, quiet: bool = True):
        self._app = app
        self._options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sandbox.server.SandboxWorker",
            "threads": THREADS,
            "preload_app": True,
            # each worker listens on a socket of its own, and the kernel spreads new
            # connections over them: with one shared socket, keep-alive connections can all
            # land on one worker (measured: 16 connections, 4 of 8 runs) while the other idles
            "reuse_port": port != 0,
            "timeout": 60,
            "graceful_timeout": 10,
            "keepalive": 5,
            "loglevel": "warning" if quiet else "info",
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "rewards-sandbox",
            # each worker runs a webhook dispatcher; one at a time leads (sandbox.core.dispatch)
            "post_worker_init": _start_dispatcher,
        }
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def _start_dispatcher(worker) -> None:
    """A sandbox app's webhook dispatcher (another WSGI app served this way has none)."""
    from sandbox.core import dispatch

    if "sandbox" in getattr(worker.wsgi, "extensions", {}):
        dispatch.start(worker.wsgi)


class SandboxWorker(ThreadWorker):
    """gunicorn's threaded worker, handing a connection to a thread only once its request
    line and headers have all arrived (they are peeked at, not read), so a client sending
    them slowly waits in the worker's poller, not in a thread; it is closed if they have
    not all arrived ``HEADER_SECONDS`` after they began. Its threads take turns
    (``TurnPool``)."""

    def get_thread_pool(self):
        return TurnPool(self.cfg.threads)

    def enqueue_req(self, conn):
        if not isinstance(conn.sock, HeaderDeadlineSocket):
            conn.sock = HeaderDeadlineSocket(conn.sock)
        super().enqueue_req(conn)

    def handle(self, conn):
        sock = conn.sock
        if sock.deadline is None:
            sock.deadline = time.monotonic() + HEADER_SECONDS
        buffered = conn.parser is not None and conn.parser.unreader.buf.getvalue()
        if not buffered and not sock.headers_arrived():
            if time.monotonic() >= sock.deadline:
                return False                # closed: too slow
            return gthread._DEFER           # back to the poller until more arrives
        return super().handle(conn)

    def handle_request(self, req, conn):
        conn.sock.deadline = None           # the headers are in: the body has its own limit
        return super().handle_request(req, conn)


class HeaderDeadlineSocket:
    """A connection's socket whose reads end at ``deadline`` (while a request's headers are
    read): past it a read answers as if the client had closed, so gunicorn's parser gives
    up on the request and the connection is closed. A read or write that would block is
    a wait (``turns.waiting``). Everything else is the socket's own."""

    __slots__ = ("_sock", "deadline")

    def __init__(self, sock):
        self._sock = sock
        self.deadline = None

    def headers_arrived(self) -> bool:
        """True once a whole header block waits in the socket (or the client closed, or
        sent more than a header block can hold: gunicorn answers those itself)."""
        try:
            waiting = self._sock.recv(_PEEK, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True
        return not waiting or b"\r\n\r\n" in waiting or len(waiting) >= _PEEK

    # a read or write that would block marks a wait (``turns.waiting``): meanwhile the worker
    # runs its next request on another thread

    def recv(self, size, *flags):
        # (a header block is usually all there, ``headers_arrived``; not when a client sent
        # part of its next request with the last one, so headers are checked too)
        if _ready(self._sock, select.POLLIN):
            return self._recv(size, *flags)
        with waiting():
            return self._recv(size, *flags)

    def sendall(self, data, *flags):
        if self._sock.gettimeout() is None and not flags:
            try:
                sent = self._sock.send(data, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent == len(data):
                return None
            data = memoryview(data)[sent:]
        with waiting():
            return self._sock.sendall(data, *flags)

    def _recv(self, size, *flags):
        if self.deadline is None:
            return self._sock.recv(size, *flags)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return b""
        prior = self._sock.gettimeout()
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv(size, *flags)
        except (socket.timeout, TimeoutError):
            return b""
        finally:
            self._sock.settimeout(prior)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _ready(sock, event: int) -> bool:
    poller = select.poll()
    poller.register(sock, event)
    return bool(poller.poll(0))
