"""SQLite access: pooled connections per worker (opened after fork), pragmas, rows, write
transactions.

Rules every API follows:
- every read-then-write (a balance change, a job start, an id allocation) runs inside
  ``write_transaction(db)``, which opens ``BEGIN IMMEDIATE`` so two workers can never
  both read the same balance and both spend it;
- single-statement reads need no transaction (WAL gives each statement a snapshot);
- rows are ``sqlite3.Row`` (read by column name or position); a store hands its callers
  mutable records through ``as_dict`` / ``as_dicts``.
"""
from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from contextlib import contextmanager

from sqlite_utils import Database


class SandboxDatabase(Database):
    """sqlite-utils' Database on a connection the sandbox opened, and what the sandbox
    remembers about that connection: ``path`` and ``file_id``, the file it was opened on
    (its inode: a namespace dropped and created again is a new file), ``pooled`` when a
    request borrowed it from the pool (its writes then queue, see ``write_transaction``),
    and the values ``cached`` keeps until the database changes (``memo``, valid for
    ``memo_stamp``)."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        super().__init__(conn, execute_plugins=False, recursive_triggers=False)
        self.path = path
        self.file_id = inode_of(path)
        self.pooled = False
        self.memo_stamp = None
        self.memo: dict = {}


def open_connection(path: str, busy_timeout_s: float = 10.0) -> sqlite3.Connection:
    """A sqlite3 connection whose rows are ``sqlite3.Row``s (the one row factory)."""
    conn = sqlite3.connect(path, timeout=busy_timeout_s, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def connect(path: str, busy_timeout_s: float = 10.0) -> SandboxDatabase:
    """Open a connection with the sandbox's pragmas and row factory (the caller owns it)."""
    conn = open_connection(path, busy_timeout_s)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_BACKSTOP_PAGES}")
    return SandboxDatabase(conn, path)


def as_dict(row: sqlite3.Row | None) -> dict | None:
    """A row as a plain, mutable dict; None for no row."""
    # perf: zip over keys() costs ~60% of dict(row), which finds each column by name (~1 us a row)
    return None if row is None else dict(zip(row.keys(), row))


def as_dicts(cursor: sqlite3.Cursor) -> list[dict]:
    """Every row of ``cursor`` as a plain, mutable dict."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


WRITE_LOCK_SUFFIX = ".write-lock"
# SQLite copies the write-ahead log back into the database (a checkpoint, with two fsyncs)
# inside the COMMIT that takes it past this many pages. The webhook dispatcher checkpoints
# every changed database in the background each tick (``dispatch``), so this is the backstop
# for when none runs. perf: at SQLite's default of 1,000 pages every ~60th Eagle Eye exchange
# paid for one, 5-50 ms with the writers' lock held (bench/README.md, "Checkpoints")
CHECKPOINT_BACKSTOP_PAGES = 10_000


class ConnectionPool:
    """This process's idle SQLite connections, by file. A request borrows one per file
    (``acquire``) and hands it back when it ends (``release``), so a connection serves one
    thread at a time, a worker holds no more connections to a file than it has requests
    in flight there, and every connection to a file can be closed when the file goes
    (a namespace dropped here, or by another worker: ``forget``, ``sweep``).

    Each connection remembers the inode of the file it opened (``SandboxDatabase.file_id``):
    a file deleted and created again under the same name (a namespace dropped and
    recreated) is a new database."""

    def __init__(self):
        self._lock = threading.Lock()
        self._reset()

    def _reset(self):
        self._pid = os.getpid()
        self._idle: dict[str, list] = {}
        self._inode: dict[str, int] = {}
        self._write_locks: dict[str, tuple[threading.Lock, int]] = {}

    def acquire(self, path: str, opener=None, busy_timeout_s: float = 10.0, *,
                inode: int | None = None) -> SandboxDatabase:
        """A connection to ``path`` for this thread alone. ``inode``: the file's current
        inode, when the caller knows the file may have been replaced; connections to an
        older file are closed instead of reused."""
        with self._lock:
            if self._pid != os.getpid():            # a forked child never shares its parent's connections
                self._reset()
            if inode is not None and self._inode.get(path, inode) != inode:
                self._close_idle(path)
            idle = self._idle.get(path)
            if idle:
                return idle.pop()
        db = (opener or connect)(path, busy_timeout_s)
        db.pooled = True
        if inode is not None:
            db.file_id = inode
        with self._lock:
            self._inode[path] = db.file_id
        return db

    def release(self, db: SandboxDatabase) -> None:
        path = db.path
        with self._lock:
            if self._pid == os.getpid() and path in self._inode and self._inode[path] == db.file_id:
                self._idle.setdefault(path, []).append(db)
                return
        db.close()

    def forget(self, path: str) -> None:
        """Close this process's idle connections to ``path``; one in use is closed when
        it is released."""
        with self._lock:
            self._close_idle(path)
            self._inode.pop(path, None)
            held = self._write_locks.pop(path, None)
        if held is not None:
            with held[0]:                   # not while a write holds it
                os.close(held[1])

    def write_lock(self, path: str) -> tuple[threading.Lock, int]:
        """(this process's lock, a descriptor of ``<path>.write-lock`` to ``flock``) for
        writes to ``path``: see ``write_transaction``."""
        with self._lock:
            if self._pid != os.getpid():
                self._reset()
            found = self._write_locks.get(path)
            if found is None:
                fd = os.open(path + WRITE_LOCK_SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                found = self._write_locks[path] = (threading.Lock(), fd)
            return found

    def sweep(self) -> list[str]:
        """Forget every file that is gone or was replaced; returns their paths."""
        with self._lock:
            known = list(self._inode.items())
        stale = [path for path, inode in known if inode_of(path) != inode]
        for path in stale:
            self.forget(path)
        return stale

    def paths(self) -> list[str]:
        with self._lock:
            return list(self._inode)

    def _close_idle(self, path: str) -> None:
        for db in self._idle.pop(path, []):
            db.close()


def inode_of(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


pool = ConnectionPool()


@contextmanager
def borrowed(path: str, busy_timeout_s: float = 10.0):
    """A pooled connection to ``path`` for the length of a ``with`` block."""
    db = pool.acquire(path, busy_timeout_s=busy_timeout_s)
    try:
        yield db
    finally:
        pool.release(db)


def forget_connection(path: str) -> None:
    """Close this process's pooled connections to ``path`` (namespace drop, tests)."""
    pool.forget(path)


# the one row whose token ``cached`` checks; ``watch_memo_tables`` renews it
MEMO_SCHEMA = "CREATE TABLE IF NOT EXISTS sandbox_memo (id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL)"


def watch_memo_tables(db: Database, tables: tuple[str, ...]) -> None:
    """Give the memo token (``cached``) a new random value whenever a row of ``tables`` is
    inserted, updated or deleted, by any connection (a migration calls this). Random, not a
    count: a reset or a snapshot restore copies a whole database without firing triggers, so a
    count could come back to a value it had with other rows."""
    db.execute(MEMO_SCHEMA)
    db.execute("INSERT OR IGNORE INTO sandbox_memo (id, token) VALUES (1, random())")
    run_on_writes(db, "sandbox_memo", tables, "UPDATE sandbox_memo SET token = random() WHERE id = 1")


def run_on_writes(db: Database, name: str, tables: tuple[str, ...], statement: str) -> None:
    """Triggers ``<name>_<table>_<insert|update|delete>`` that run ``statement`` after every
    insert, update or delete of a row of each of ``tables``."""
    for table in tables:
        for change in ("INSERT", "UPDATE", "DELETE"):
            db.execute(f"CREATE TRIGGER IF NOT EXISTS {name}_{table}_{change.lower()}"
                       f" AFTER {change} ON {table} BEGIN {statement}; END")


def cached(db: SandboxDatabase, key, load):
    """``load()``, remembered on this connection until a table it reads is written: for what
    nearly every request reads and almost nothing writes (the clock, the injected faults),
    whose tables the core migration watches (``watch_memo_tables``). Inside a transaction
    nothing is remembered (it could be rolled back). A database without the memo token (a
    snapshot from before it) forgets on every commit by any connection (``PRAGMA
    data_version``) and every write of this one (``total_changes``)."""
    # perf: keyed on the watched tables' token rather than on any commit, the memo holds while
    # the other worker writes: the exchange +12% served (bench/README.md, "The memo token")
    conn = db.conn
    if conn.in_transaction:
        return load()
    try:
        row = conn.execute("SELECT token FROM sandbox_memo WHERE id = 1").fetchone()
    except sqlite3.OperationalError:        # no such table: a database from before the token
        row = None
    stamp = row[0] if row is not None else (conn.execute("PRAGMA data_version").fetchone()[0],
                                            conn.total_changes)
    if db.memo_stamp != stamp:
        db.memo_stamp, db.memo = stamp, {}
    values = db.memo
    if key in values:
        return values[key]
    value = values[key] = load()
    return value


@contextmanager
def write_transaction(db: SandboxDatabase):
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolls back on any exception.

    Nested use joins the outer transaction (sqlite-utils writes inside it become
    savepoints), so a service function can be called from a larger transaction.

    A pooled connection (a request's) first queues for the file's writers: the threads of
    a worker on a lock of their own, workers on an ``flock`` of ``<db>.write-lock``; both
    wake a waiter the moment the holder is done. Left to SQLite's busy handler alone,
    waiters sleep in steps of up to 100 ms, and with threaded workers (a holder can be
    paused while its worker's other threads run) that put a write's p99 at ~200-450 ms.
    SQLite's own lock, taken by ``BEGIN IMMEDIATE``, is what keeps money atomic either way.
    """
    if db.conn.in_transaction:
        yield db
        return
    pooled = isinstance(db, SandboxDatabase) and db.pooled
    lock, fd = pool.write_lock(db.path) if pooled else (None, None)
    if lock is not None:
        lock.acquire()
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.commit()
    finally:
        if lock is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            lock.release()


class Savepoint:
    """A savepoint inside the open write transaction: ``undo()`` rolls back what was written
    since it opened, ``keep()`` keeps it; either ends it."""

    def __init__(self, db: Database, name: str):
        self.db, self.name = db, name
        db.execute(f"SAVEPOINT {name}")

    def keep(self) -> None:
        self.db.execute(f"RELEASE {self.name}")

    def undo(self) -> None:
        self.db.execute(f"ROLLBACK TO {self.name}")
        self.db.execute(f"RELEASE {self.name}")


def run_script(db: Database, script: str) -> None:
    """Run each SQL statement of ``script`` in turn (in the caller's transaction, which
    ``sqlite3``'s own ``executescript`` would commit). perf: sqlite-utils' ``executescript``
    does the same inside a transaction but finds the statements' ends one character at a
    time: 70 of the 100 ms a fresh database's migrations took (bench/README.md)."""
    start = 0
    for end in (found.end() for found in re.finditer(";", script)):
        if sqlite3.complete_statement(script[start:end]):
            db.execute(script[start:end].strip())
            start = end
    if script[start:].strip():
        db.execute(script[start:].strip())


def enable_wal(db: Database) -> None:
    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        db.execute("PRAGMA journal_mode = WAL")


def is_sandbox_database(path: str) -> bool:
    """True when ``path`` is an existing file that already holds a sandbox world."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return False
    try:
        conn = sqlite3.connect(path)
        try:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='sandbox_meta'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return row is not None
