"""The webhook dispatcher: the one background thread of a sandbox server.

Every process of a server starts one (``start``); the first to take the database's
``.dispatch-lock`` (an exclusive ``flock``) leads, the others wait on the lock and one takes
over if the leader's process ends. The leader, about every ``TICK`` seconds, for each
namespace:
- writes the time events the sandbox clock has passed (``events.materialise``), when the
  clock has reached the next one it knows of or the database has changed since it looked
  (an API whose inputs have not changed, and whose next event has not come, is not looked
  at again: ``events.Quiet``);
- checkpoints the database when it has changed and its write-ahead log has grown past
  ``CHECKPOINT_FROM_BYTES`` (the log copied back into it), so no request's COMMIT does;
- claims the deliveries that are due (atomically, in the database: a delivery is never sent
  twice at once, whoever else dispatches) and POSTs each on a small pool of threads, so a
  slow receiver (5 s timeout) holds neither requests nor other deliveries.
The outbox is in the database, so after a restart the new leader carries on from it.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from . import clock, events, namespaces
from . import db as dbmod

log = logging.getLogger("sandbox.dispatch")
TICK = 0.25
TIMEOUT_S = 5.0
SENDERS = 4
SWEEP_EVERY = 1                         # ticks: a stat per pooled file, so a dropped namespace's
                                        # connections close within a tick
# perf: a changed database is looked at most every LOOK_EVERY seconds, and a look that took t
# waits LOOK_SHARE x t before the next (at most LOOK_AT_MOST): after a burst of thousands of
# Atrium jobs a look takes ~100 ms for the next minute, and what a change schedules is seconds
# away (an event already known is looked for at its instant, whatever the wait)
LOOK_EVERY = 0.5
LOOK_SHARE = 10
LOOK_AT_MOST = 2.0
USER_AGENT = "rewards-sandbox-webhooks"
# a changed database is checkpointed once its write-ahead log has grown to this (about SQLite's
# own 1,000 pages): a namespace a test writes a little to is left alone
CHECKPOINT_FROM_BYTES = 4 * 1024 * 1024


class Dispatcher:
    def __init__(self, runtime):
        self.runtime = runtime
        self.claimant = f"{os.getpid()}-{id(self)}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock_fd: int | None = None
        self._next_due: dict[str, float | None] = {}     # namespace path -> sandbox instant (epoch s)
        self._seen: dict[str, tuple] = {}                # namespace path -> database files' signature
        self._next_look: dict[str, float] = {}           # namespace path -> when a change may be looked at
        self._quiet: dict[str, dict] = {}                # namespace path -> API -> events.Quiet
        self._checkpointed: dict[str, tuple] = {}        # namespace path -> signature at the last checkpoint

    def start(self) -> "Dispatcher":
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT_S + 2)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- leadership ------------------------------------------------------------------------
    def _lead(self) -> bool:
        """Wait (until stopped) to hold the dispatch lock; True once held."""
        path = self.runtime.settings.db_path + ".dispatch-lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        while not self._stop.is_set():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock_fd = fd
                return True
            except BlockingIOError:
                self._stop.wait(1.0)
        os.close(fd)
        return False

    def _run(self) -> None:
        if not self._lead():
            return
        self._pool = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="sandbox-webhook")
        ticks = 0
        while not self._stop.is_set():
            for name, path in self._namespaces():
                try:
                    self._tick(name, path, ticks == 0)
                except Exception:       # one namespace's trouble never stops the others
                    log.exception("webhook dispatch failed in namespace %s", name)
            ticks += 1
            if ticks % SWEEP_EVERY == 0:
                self._forget_dropped()
            self._stop.wait(TICK)

    def _forget_dropped(self) -> None:
        """Close this process's connections to namespaces dropped meanwhile, and forget them."""
        dbmod.pool.sweep()
        for path in [p for p in self._seen if not os.path.exists(p)]:
            self._seen.pop(path, None)
            self._next_due.pop(path, None)
            self._next_look.pop(path, None)
            self._quiet.pop(path, None)
            self._checkpointed.pop(path, None)

    def _namespaces(self):
        default = self.runtime.settings.db_path
        yield namespaces.DEFAULT, default
        for found in namespaces.list_namespaces(default):
            yield found["name"], namespaces.db_path_for(default, found["name"])

    # -- one namespace ---------------------------------------------------------------------
    @contextmanager
    def _database(self, name: str, path: str):
        """A pooled connection to the namespace's current file, held so it is not dropped
        meanwhile (not marked used: visits do not keep an idle namespace from eviction);
        None if it is gone. A namespace dropped and made again is a new file: connections to
        the old one are not reused."""
        held = True
        if name != namespaces.DEFAULT:
            try:
                held = namespaces.hold(self.runtime.settings.db_path, name, mark_used=False)[1]
            except (namespaces.NamespaceNotFound, namespaces.NamespaceBusy):
                held = None
        if held is None:
            yield None
            return
        try:
            db = dbmod.pool.acquire(path, busy_timeout_s=self.runtime.settings.busy_timeout_s,
                                    inode=dbmod.inode_of(path))
            try:
                yield db
            finally:
                dbmod.pool.release(db)
        finally:
            if held is not True:
                namespaces.release(held)

    def _tick(self, name: str, path: str, first: bool) -> None:
        with self._database(name, path) as db:
            if db is None:
                return
            if first:
                events.release_claims(db)
            now = clock.now(db)
            signature = _signature(path)
            due = self._next_due.get(path)
            changed = signature != self._seen.get(path) and time.monotonic() >= self._next_look.get(path, 0.0)
            if changed or (due is not None and now.timestamp() >= due):
                started = time.monotonic()
                upcoming = events.materialise(db, self.runtime.apis, now, lazy=True,
                                              quiet=self._quiet.setdefault(path, {}))
                self._next_due[path] = None if upcoming is None else upcoming.timestamp()
                # the signature from before the look: a commit made while it ran is seen next tick
                self._seen[path] = signature
                finished = time.monotonic()
                self._next_look[path] = finished + min(LOOK_AT_MOST, max(LOOK_EVERY, LOOK_SHARE * (finished - started)))
            if signature != self._checkpointed.get(path) and _log_bytes(signature) >= CHECKPOINT_FROM_BYTES:
                # the log copied back off the requests' path (``db.CHECKPOINT_BACKSTOP_PAGES``);
                # PASSIVE: it waits for no reader or writer
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                self._checkpointed[path] = signature
            wall = time.time()
            ids = events.due_deliveries(db, wall)
            taken = events.claim(db, ids, self.claimant, wall) if ids else []
        for delivery in taken:
            self._pool.submit(self._deliver, name, path, delivery)

    def _deliver(self, name: str, path: str, delivery: dict) -> None:
        started = time.perf_counter()
        status, error = post(delivery["url"], delivery["body"].encode(), delivery["headers"])
        duration_ms = (time.perf_counter() - started) * 1000
        try:
            with self._database(name, path) as db:
                if db is not None:
                    events.record_attempt(db, delivery["id"], self.claimant, clock.now(db), time.time(),
                                          status, error, duration_ms)
        except Exception:
            log.exception("could not record a webhook attempt in namespace %s", name)


# receivers are reached directly: a proxy set in the environment is for the sandbox's users
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str | None]:
    """POST ``body`` as JSON: (response status, or None and why it could not be had)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_S) as response:
            response.read(65536)
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except Exception as exc:            # refused, unreachable, timed out, not HTTP
        return None, f"{type(exc).__name__}: {exc}"[:300]


def _signature(path: str) -> tuple:
    """What changes whenever anyone commits to the database (its WAL, else the file)."""
    for candidate in (path + "-wal", path):
        try:
            stat = os.stat(candidate)
            return candidate, stat.st_mtime_ns, stat.st_size
        except FileNotFoundError:
            continue
    return ()


def _log_bytes(signature: tuple) -> int:
    """The size of the write-ahead log in a ``_signature`` (0 if there is none)."""
    return signature[2] if signature and signature[0].endswith("-wal") else 0


def start(app) -> Dispatcher:
    """Start the dispatcher of ``app`` (a sandbox Flask app) in this process."""
    return Dispatcher(app.extensions["sandbox"]).start()
