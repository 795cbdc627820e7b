"""The request journal: what clients sent and what they got, for assertions.

Recording stays off every lock another worker holds, and does the least it can before the
response leaves. Each worker appends an entry, in the raw form the request left it (the
environ's header pairs, the body bytes, the time in nanoseconds), as one length-prefixed
``marshal`` frame to its own spill file (``<journal>-spill-<pid>-<0|1>``: one ``write``
under a ``flock`` that only a reader ever contends). Readers (and clears) first move every
worker's spilled entries into the SQLite journal beside the state database, oldest first,
under one SQLite write transaction; that is where headers are named and masked, bodies
masked and cut to ``BODY_LIMIT``, and the time formatted. So the next
``GET /_sandbox/requests`` sees every answered request whichever worker served it.

The journal is bounded: a worker writes one of its two spill files until it has taken
``limit`` entries, then empties the other and writes that, so at most the last
``2 * limit`` entries per worker wait unread; moving entries in drops the oldest beyond
``limit`` from the SQLite journal.

(Inserting and committing one SQLite row per request, from two workers into one file, cost
about a third of a read request's time under load: page cache invalidation, WAL frames,
and lock collisions that SQLite's busy handler waits out in 1 ms sleeps. Masking, naming
and JSON-encoding every entry as it was recorded cost another ~25 us per request.)

Spill files are private to the sandbox and short-lived: ``marshal`` (the fastest encoder of
plain tuples and bytes) is read back by the same interpreter that wrote it; a frame it
cannot read (cut short by a killed worker, or left by another Python version) is skipped.
"""
from __future__ import annotations

import fcntl
import glob
import json
import marshal
import os
import re
import sqlite3
import struct
import time
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from .masking import mask_body

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT,
    status INTEGER NOT NULL,
    response_body TEXT,
    time TEXT NOT NULL,
    duration_ms REAL NOT NULL
);
"""
BODY_LIMIT = 4096
SECRET_HEADERS = {"authorization", "mx-api-key", "x-ees-auth-hash", "proxy-authorization", "cookie"}
_SCHEME = re.compile(r"^(\w+)\s+")


INSERT = ("INSERT INTO journal (api, method, path, query, headers, body, status, response_body, time, duration_ms)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def open_journal(path: str, busy_timeout_s: float = 10.0) -> Database:
    conn = sqlite3.connect(path, timeout=busy_timeout_s, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    # The journal is a debugging aid, not money: trade durability for speed.
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(SCHEMA)
    return Database(conn, execute_plugins=False, recursive_triggers=False)


_HEADER_NAMES: dict[str, tuple[str, bool]] = {}


def environ_headers(environ):
    """(name, value) of every request header in a WSGI environ, named and chosen exactly as
    werkzeug's ``request.headers`` does (``Mx-Api-Key``; an empty Content-Type or
    Content-Length is left out), without building that object."""
    names = _HEADER_NAMES
    for key, value in environ.items():
        known = names.get(key)
        if known is None:
            if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                known = (key[5:].replace("_", "-").title(), False)
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                known = (key.replace("_", "-").title(), True)
            else:
                known = ("", False)
            if len(names) < 1000:
                names[key] = known
        name, only_if_set = known
        if name and (value or not only_if_set):
            yield name, value


def mask_headers(headers) -> dict:
    masked = {}
    for name, value in headers:
        if name.lower() in SECRET_HEADERS:
            scheme = _SCHEME.match(value or "")
            value = f"{scheme.group(1)} ***" if scheme else "***"
        masked[name] = value
    return masked


def truncate(data: bytes | str | None) -> str | None:
    if data is None:
        return None
    if isinstance(data, bytes):
        text = data[: BODY_LIMIT + 1].decode("utf-8", "replace")
    else:
        text = data[: BODY_LIMIT + 1]
    if len(text) > BODY_LIMIT:
        text = text[:BODY_LIMIT] + "...[truncated]"
    return text


COLUMNS = ("api", "method", "path", "query", "headers", "body", "status", "response_body", "time", "duration_ms")
# A raw entry, as a request leaves it: (api, method, path, query string (bytes), the
# environ's (key, value) pairs for HTTP_* and CONTENT_* keys, the request body (bytes, or
# text already masked and cut), status, the response body (bytes or None), duration in ms).
_FRAME = struct.Struct("<I")


def raw_headers(environ) -> list:
    """The environ pairs ``environ_headers`` names headers from, kept as they are."""
    return [(key, value) for key, value in environ.items()
            if key[:5] == "HTTP_" or key in ("CONTENT_TYPE", "CONTENT_LENGTH")]


def record(db: Database, raw: tuple, limit: int) -> None:
    """Append one raw entry. Visible to every reader of the journal as soon as this returns."""
    spill = getattr(db, "_sandbox_spill", None)
    if spill is None or spill.pid != os.getpid():
        spill = db._sandbox_spill = Spill(_path_of(db))
    db._sandbox_journal_limit = limit
    spill.append(frame(time.time_ns(), raw), limit)


def frame(time_ns: int, raw: tuple) -> bytes:
    """One spill-file frame; the wall clock in nanoseconds orders entries spilled by
    different workers."""
    payload = marshal.dumps((time_ns, raw))
    return _FRAME.pack(len(payload)) + payload


def finish(time_ns: int, raw: tuple) -> tuple:
    """A raw entry as the SQLite journal keeps it, in ``COLUMNS`` order."""
    api, method, path, query, headers, body, status, response_body, duration_ms = raw
    if isinstance(body, bytes):
        body = truncate(mask_body(body))
    return (api, method, path,
            query.decode("latin-1") if isinstance(query, bytes) else query,
            json.dumps(mask_headers(environ_headers(dict(headers)))),
            body, status, truncate(response_body), _iso(time_ns), round(duration_ms, 3))


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _iso(time_ns: int) -> str:
    return (_EPOCH + timedelta(microseconds=time_ns // 1000)).isoformat().replace("+00:00", "Z")


def _path_of(db: Database) -> str:
    return db.conn.execute("PRAGMA database_list").fetchone()[2]


class Spill:
    """This process's two spill files for one journal."""

    def __init__(self, journal_path: str):
        self.pid = os.getpid()
        base = f"{journal_path}-spill-{self.pid}"
        self.fds = [os.open(f"{base}-{n}", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
                    for n in (0, 1)]
        self.current = 0
        self.count = 0          # entries written to the current file (readers may have taken some)

    def append(self, line: bytes, limit: int) -> None:
        if self.count >= limit:             # switch files, dropping what the other still holds
            self.current = 1 - self.current
            self.count = 0
            _locked(self.fds[self.current], os.ftruncate, 0)
        _locked(self.fds[self.current], os.write, line)
        self.count += 1

    def __del__(self):
        for fd in getattr(self, "fds", ()):
            try:
                os.close(fd)
            except OSError:
                pass


def _locked(fd: int, action, arg) -> None:
    fcntl.flock(fd, fcntl.LOCK_EX)          # only a reader taking this file's lines ever waits here
    try:
        action(fd, arg)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def spill_paths(journal_path: str) -> list[str]:
    return glob.glob(glob.escape(journal_path) + "-spill-*")


def _take_spilled(path: str) -> list:
    """Every complete frame of one spill file as ``(time_ns, raw)``; the file is left empty."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)            # releases the lock
    found = list(_frames(b"".join(chunks)))
    if not found:
        _forget_if_orphaned(path)
    return found


def _frames(data: bytes):
    at, size = 0, _FRAME.size
    while at + size <= len(data):
        (length,) = _FRAME.unpack_from(data, at)
        payload = data[at + size: at + size + length]
        at += size + length
        if len(payload) < length:           # cut short by a killed worker
            return
        try:
            yield marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            continue


def _forget_if_orphaned(path: str) -> None:
    """Remove an empty spill file whose worker has exited."""
    try:
        pid = int(path.rsplit("-", 2)[1])
        if pid != os.getpid():
            os.kill(pid, 0)
    except ProcessLookupError:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    except (ValueError, PermissionError):
        pass


def drain(db: Database) -> None:
    """Move every worker's spilled entries into the SQLite journal, oldest first, then
    drop the oldest entries beyond the limit. ``BEGIN IMMEDIATE`` first, so two readers
    never interleave what they move in."""
    conn = db.conn
    path = _path_of(db)
    limit = getattr(db, "_sandbox_journal_limit", None)
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        taken = []
        for spill_path in spill_paths(path):
            taken.extend(_take_spilled(spill_path))
        taken.sort(key=lambda item: item[0])
        conn.executemany(INSERT, [finish(time_ns, raw) for time_ns, raw in taken])
        if limit is not None and taken:
            conn.execute("DELETE FROM journal WHERE id <= (SELECT MAX(id) FROM journal) - ?", [limit])
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def entries(db: Database, *, api=None, method=None, path=None, status=None, limit=None) -> list[dict]:
    drain(db)
    clauses, params = [], []
    if api:
        clauses.append("api = ?"); params.append(api)
    if method:
        clauses.append("method = ?"); params.append(method.upper())
    if path:
        clauses.append("path LIKE ?"); params.append(f"%{path}%")
    if status is not None:
        clauses.append("status = ?"); params.append(int(status))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT * FROM journal {where} ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = _decoded(db.conn.execute(sql, params))
    rows.reverse()
    return rows


def entry(db: Database, entry_id: int) -> dict | None:
    """One entry by its id, as ``entries`` gives it; None once it has been dropped or cleared."""
    drain(db)
    found = _decoded(db.conn.execute("SELECT * FROM journal WHERE id = ?", [entry_id]))
    return found[0] if found else None


def _decoded(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor]
    for row in rows:
        row["headers"] = json.loads(row["headers"])
        row["body"] = _maybe_json(row["body"])
        row["response_body"] = _maybe_json(row["response_body"])
    return rows


def _maybe_json(text):
    if text is None or text == "":
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def clear(db: Database) -> None:
    """Forget every entry, spilled ones included."""
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        for spill_path in spill_paths(_path_of(db)):
            _take_spilled(spill_path)
        conn.execute("DELETE FROM journal")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
