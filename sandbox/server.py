"""Serving with gunicorn, started from Python (no shell-out).

The master prepares the database (WAL, migrations, startup world) before it forks, and
loads the app once (``preload_app``), so workers start in milliseconds.

Workers are threaded (``SandboxWorker``, gunicorn's ``gthread`` with ``THREADS`` threads
each), with keep-alive, and a connection gets ``HEADER_SECONDS`` to send its request line
and headers: a client that sends them slowly (or not at all) holds one thread for that long
at most, never a whole worker, so a handful of slow clients cannot stop the server
answering everyone else, and a delayed fault in one namespace holds only its own thread.
SQLite connections are pooled per worker and lent to one thread at a time
(``sandbox.core.db.pool``).
"""
from __future__ import annotations

import socket
import time

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

THREADS = 16
HEADER_SECONDS = 10.0


class SandboxServer(BaseApplication):
    def __init__(self, app, *, host: str, port: int, workers: int, quiet: bool = True):
        self._app = app
        self._options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sandbox.server.SandboxWorker",
            "threads": THREADS,
            "preload_app": True,
            "timeout": 60,
            "graceful_timeout": 10,
            "keepalive": 5,
            "loglevel": "warning" if quiet else "info",
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "rewards-sandbox",
        }
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


class SandboxWorker(ThreadWorker):
    """gunicorn's threaded worker with a deadline on reading each request's headers."""

    def enqueue_req(self, conn):
        if not isinstance(conn.sock, HeaderDeadlineSocket):
            conn.sock = HeaderDeadlineSocket(conn.sock)
        super().enqueue_req(conn)

    def handle(self, conn):
        conn.sock.deadline = time.monotonic() + HEADER_SECONDS
        return super().handle(conn)

    def handle_request(self, req, conn):
        conn.sock.deadline = None           # the headers are in: the body has its own limit
        return super().handle_request(req, conn)


class HeaderDeadlineSocket:
    """A connection's socket whose reads end at ``deadline`` (while a request's headers are
    read): past it a read answers as if the client had closed, so gunicorn's parser gives
    up on the request and the connection is closed. Everything else is the socket's own."""

    __slots__ = ("_sock", "deadline")

    def __init__(self, sock):
        self._sock = sock
        self.deadline = None

    def recv(self, size, *flags):
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
