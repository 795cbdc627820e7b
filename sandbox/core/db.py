"""SQLite access: one connection per worker (opened after fork), pragmas, rows, write
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

import os
import sqlite3
import threading
from contextlib import contextmanager

from sqlite_utils import Database

_local = threading.local()


class SandboxDatabase(Database):
    """sqlite-utils' Database on a connection the sandbox opened, and what the sandbox
    remembers about that connection: ``file_id``, the inode of the file it was opened on
    (a namespace dropped and created again by another worker is a new file), and the
    values ``cached`` keeps until the database changes (``memo``, valid for ``memo_stamp``)."""

    def __init__(self, conn: sqlite3.Connection, file_id: int | None):
        super().__init__(conn, execute_plugins=False, recursive_triggers=False)
        self.file_id = file_id
        self.memo_stamp: tuple | None = None
        self.memo: dict = {}


def connect(path: str, busy_timeout_s: float = 10.0) -> SandboxDatabase:
    """Open a connection with the sandbox's pragmas and row factory (the caller owns it)."""
    conn = sqlite3.connect(path, timeout=busy_timeout_s, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return SandboxDatabase(conn, file_id(path))


def file_id(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except (FileNotFoundError, ValueError):
        return None


def as_dict(row: sqlite3.Row | None) -> dict | None:
    """A row as a plain, mutable dict; None for no row."""
    # perf: zip over keys() costs ~60% of dict(row), which finds each column by name (~1 us a row)
    return None if row is None else dict(zip(row.keys(), row))


def as_dicts(cursor: sqlite3.Cursor) -> list[dict]:
    """Every row of ``cursor`` as a plain, mutable dict."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def shared_connection(path: str, busy_timeout_s: float = 10.0) -> Database:
    """The calling thread's reusable connection to ``path``.

    Connections are cached per process and thread, so a gunicorn worker reuses one
    connection for every request, and a forked child never inherits its parent's.
    """
    cache = getattr(_local, "connections", None)
    if cache is None or getattr(_local, "pid", None) != os.getpid():
        cache = _local.connections = {}
        _local.pid = os.getpid()
    db = cache.get(path)
    if db is None:
        db = cache[path] = connect(path, busy_timeout_s)
    return db


def forget_connection(path: str) -> None:
    """Close and drop this thread's cached connection to ``path`` (namespace drop, tests)."""
    cache = getattr(_local, "connections", None) or {}
    db = cache.pop(path, None)
    if db is not None:
        db.close()


def cached(db: SandboxDatabase, key, load):
    """``load()``, remembered on this connection until anything is committed to the
    database by any connection (``PRAGMA data_version``) or this one writes
    (``total_changes``). For what nearly every request reads and almost nothing writes:
    the clock, the injected faults, API clients and keys. Inside a transaction nothing is
    remembered (it could be rolled back)."""
    # perf: with the RequestState, reads +7-8% (bench/README.md, "Core pipeline")
    conn = db.conn
    if conn.in_transaction:
        return load()
    stamp = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    if db.memo_stamp != stamp:
        db.memo_stamp, db.memo = stamp, {}
    values = db.memo
    if key in values:
        return values[key]
    value = values[key] = load()
    return value


@contextmanager
def write_transaction(db: Database):
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolls back on any exception.

    Nested use joins the outer transaction (sqlite-utils writes inside it become
    savepoints), so a service function can be called from a larger transaction.
    """
    if db.conn.in_transaction:
        yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


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
