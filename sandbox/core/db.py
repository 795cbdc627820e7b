"""SQLite access: one connection per worker (opened after fork), pragmas, write transactions.

Rules every API follows:
- every read-then-write (a balance change, a job start, an id allocation) runs inside
  ``write_transaction(db)``, which opens ``BEGIN IMMEDIATE`` so two workers can never
  both read the same balance and both spend it;
- single-statement reads need no transaction (WAL gives each statement a snapshot).
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager

from sqlite_utils import Database

_local = threading.local()


def connect(path: str, busy_timeout_s: float = 10.0) -> Database:
    """Open a connection with the sandbox's pragmas (the caller owns it)."""
    conn = sqlite3.connect(path, timeout=busy_timeout_s, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, execute_plugins=False, recursive_triggers=False)


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


def cached(db: Database, key, load):
    """``load()``, remembered on this connection until anything is committed to the
    database by any connection (``PRAGMA data_version``) or this one writes
    (``total_changes``). For what nearly every request reads and almost nothing writes:
    the clock, the injected faults, API clients and keys. Inside a transaction nothing is
    remembered (it could be rolled back)."""
    conn = db.conn
    if conn.in_transaction:
        return load()
    stamp = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    cache = getattr(db, "_sandbox_cache", None)
    if cache is None or cache[0] != stamp:
        cache = db._sandbox_cache = (stamp, {})
    values = cache[1]
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
