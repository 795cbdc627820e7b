"""The request journal: what clients sent and what they got, for assertions.

Recording stays off every lock another worker holds, and does the least it can before the
response leaves. Each worker appends an entry, in the raw form the request left it (the
environ's header pairs, the body bytes, the time in nanoseconds), as one length-prefixed
``marshal`` frame to its own spill file (``<journal>-spill-<pid>-<0|1>``, shared by the
worker's threads: one ``write`` under a ``flock`` that only a reader ever contends).
Readers (and clears) first move every worker's spilled entries into the SQLite journal beside the state database, oldest first,
under one SQLite write transaction; that is where headers are named and masked, bodies
masked and cut to ``BODY_LIMIT``, and the time formatted. So the next
``GET /_sandbox/requests`` sees every answered request whichever worker served it.

The journal is bounded in entries and in bytes: headers are cut when an entry is recorded
(``HEADER_VALUE_LIMIT``, ``HEADERS_LIMIT``; bodies to ``BODY_LIMIT``); a worker writes one
of its two spill files until it has taken ``limit`` entries or a quarter of ``max_bytes``,
then empties the other and writes that; moving entries in drops the oldest beyond ``limit``
entries and ``max_bytes`` bytes; and one read returns at most ``READ_MAX_BYTES``, newest
first. A reader empties a spill file only once the entries it took are committed, and
masking (``sandbox.core.masking``) never raises, so one odd request cannot lose the rest.

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
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from .db import SandboxDatabase, as_dicts, open_connection
from .masking import mask_body, mask_pairs

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
HEADER_VALUE_LIMIT = 1024           # each header value is cut to this many characters when recorded
HEADERS_LIMIT = 16 * 1024           # and the headers of one entry to this many, the rest counted
READ_MAX_BYTES = 8 * 1024 * 1024    # what one read returns at most: the newest entries that fit
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# the stored size of an entry, in bytes, as SQL
ENTRY_SIZE = ("(length(CAST(headers AS BLOB)) + IFNULL(length(CAST(body AS BLOB)), 0)"
              " + IFNULL(length(CAST(response_body AS BLOB)), 0) + length(CAST(path AS BLOB))"
              " + length(CAST(query AS BLOB)) + 64)")
# Masked for every API; each API package adds the headers its vendor puts secrets in
# (ApiPackage.secret_headers), and the runtime gives the whole set to its journal connections.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_SCHEME = re.compile(r"^(\w+)\s+")


INSERT = ("INSERT INTO journal (api, method, path, query, headers, body, status, response_body, time, duration_ms)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class JournalDatabase(SandboxDatabase):
    """A connection to a journal file, and how the journal is kept there: ``limit`` entries
    and ``max_bytes`` at most, ``secret_headers`` shown masked (lower-case names)."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        super().__init__(conn, path)
        self.limit: int | None = None
        self.max_bytes = DEFAULT_MAX_BYTES
        self.secret_headers = SECRET_HEADERS


def open_journal(path: str, busy_timeout_s: float = 10.0) -> JournalDatabase:
    conn = open_connection(path, busy_timeout_s)
    # The journal is a debugging aid, not money: trade durability for speed.
    # perf: set before the switch to WAL, which a new file otherwise makes with synchronous
    # writes: a namespace's new journal 17-23 -> 0.5 ms (bench/README.md)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(SCHEMA)
    return JournalDatabase(conn, path)


# perf: a header's name and rule worked out once per environ key, not on every read
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


def mask_headers(headers, secret_headers=SECRET_HEADERS) -> dict:
    masked = {}
    for name, value in headers:
        if name.lower() in secret_headers:
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
    """The environ pairs ``environ_headers`` names headers from, each value cut to
    ``HEADER_VALUE_LIMIT`` and all of them to ``HEADERS_LIMIT`` (the rest are counted)."""
    pairs, budget, left_out = [], HEADERS_LIMIT, 0
    for key, value in environ.items():
        if key[:5] == "HTTP_" or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if len(value) > HEADER_VALUE_LIMIT:
                value = value[:HEADER_VALUE_LIMIT] + "...[truncated]"
            budget -= len(key) + len(value)
            if budget < 0:
                left_out += 1
                continue
            pairs.append((key, value))
    if left_out:
        pairs.append(("HTTP_X_SANDBOX_HEADERS_NOT_RECORDED", str(left_out)))
    return pairs


_spills: dict = {}
_spills_lock = threading.Lock()


def record(journal, raw: tuple, limit: int, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Append one raw entry to the journal at path ``journal`` (or of the journal
    connection ``journal``). Visible to every reader of the journal as soon as this returns."""
    # perf: a raw marshal frame in this worker's spill file, not a SQLite row: reads +11-18%,
    # recording 44 -> 23 us (bench/README.md, "Journal")
    path = journal if isinstance(journal, str) else _path_of(journal)
    with _spills_lock:
        spill = _spills.get(path)
        if spill is None or spill.pid != os.getpid():
            spill = _spills[path] = Spill(path)
    spill.append(frame(time.time_ns(), raw), limit, max_bytes)


def forget_spill(path: str) -> None:
    """Close this process's spill files of the journal at ``path`` (its namespace is gone)."""
    with _spills_lock:
        spill = _spills.pop(path, None)
    if spill is not None:
        spill.close()


def frame(time_ns: int, raw: tuple) -> bytes:
    """One spill-file frame; the wall clock in nanoseconds orders entries spilled by
    different workers."""
    payload = marshal.dumps((time_ns, raw))
    return _FRAME.pack(len(payload)) + payload


def finish(time_ns: int, raw: tuple, secret_headers=SECRET_HEADERS) -> tuple:
    """A raw entry as the SQLite journal keeps it, in ``COLUMNS`` order. Never raises: an
    entry that cannot be read whole is kept with what could be read."""
    try:
        return _finish(time_ns, raw, secret_headers)
    except Exception:
        try:
            api, method, path, status, duration_ms = raw[0], raw[1], raw[2], raw[6], raw[8]
            return (_text(api), _text(method) or "?", _text(path) or "?", "", "{}",
                    "[entry could not be read]", int(status), None, _iso(time_ns), round(float(duration_ms), 3))
        except Exception:
            return (None, "?", "?", "", "{}", "[entry could not be read]", 0, None, _iso(time_ns), 0.0)


def _finish(time_ns: int, raw: tuple, secret_headers) -> tuple:
    api, method, path, query, headers, body, status, response_body, duration_ms = raw
    if isinstance(body, bytes):
        body = truncate(mask_body(body))
    query = query.decode("latin-1") if isinstance(query, bytes) else query
    return (_text(api), _text(method), _text(path), mask_pairs(query),
            json.dumps(mask_headers(environ_headers(dict(headers)), secret_headers)),
            _text(body), status, _text(truncate(response_body)), _iso(time_ns), round(duration_ms, 3))


def _text(value):
    """``value`` safe for SQLite's UTF-8 (a lone surrogate becomes U+FFFD)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _iso(time_ns: int) -> str:
    return (_EPOCH + timedelta(microseconds=time_ns // 1000)).isoformat().replace("+00:00", "Z")


def _path_of(db: Database) -> str:
    return db.conn.execute("PRAGMA database_list").fetchone()[2]


class Spill:
    """This process's two spill files for one journal (shared by its threads)."""

    def __init__(self, journal_path: str):
        self.pid = os.getpid()
        self.lock = threading.Lock()
        base = f"{journal_path}-spill-{self.pid}"
        self.fds = [os.open(f"{base}-{n}", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
                    for n in (0, 1)]
        self.current = 0
        self.count = 0          # entries written to the current file (readers may have taken some)
        self.bytes = 0

    def append(self, line: bytes, limit: int, max_bytes: int) -> None:
        with self.lock:
            if self.count >= limit or self.bytes + len(line) > max_bytes // 4:
                # switch files, dropping what the other still holds: at most two files' worth unread
                self.current = 1 - self.current
                self.count = self.bytes = 0
                _locked(self.fds[self.current], os.ftruncate, 0)
            _locked(self.fds[self.current], os.write, line)
            self.count += 1
            self.bytes += len(line)

    def close(self):
        with self.lock:
            fds, self.fds = self.fds, []
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def __del__(self):
        self.close()


def _locked(fd: int, action, arg) -> None:
    fcntl.flock(fd, fcntl.LOCK_EX)          # only a reader taking this file's lines ever waits here
    try:
        action(fd, arg)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def spill_paths(journal_path: str) -> list[str]:
    return glob.glob(glob.escape(journal_path) + "-spill-*")


class _Taken:
    """A spill file held under its lock while its entries are moved into the journal; it
    is emptied only after they are committed there (``empty``), so a failed move loses
    nothing. Writers wait for the lock meanwhile."""

    def __init__(self, path: str):
        self.path, self.fd, self.entries = path, None, []
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        chunks = []
        while chunk := os.read(self.fd, 1 << 20):
            chunks.append(chunk)
        self.entries = list(_frames(b"".join(chunks)))

    def empty(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)           # releases the lock
            self.fd = None
            if not self.entries:
                _forget_if_orphaned(self.path)


def _take_spilled(path: str) -> list:
    """Every complete frame of one spill file as ``(time_ns, raw)``; the file is left empty."""
    taken = _Taken(path)
    try:
        taken.empty()
        return taken.entries
    finally:
        taken.close()


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


def drain(db: JournalDatabase) -> None:
    """Move every worker's spilled entries into the SQLite journal, oldest first, then
    drop the oldest entries beyond the limits (count and bytes). ``BEGIN IMMEDIATE``
    first, so two readers never interleave what they move in; spill files are emptied
    only once their entries are committed."""
    conn = db.conn
    path = _path_of(db)
    limit, max_bytes = db.limit, db.max_bytes
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    held = []
    try:
        for spill_path in spill_paths(path):
            held.append(_Taken(spill_path))
        taken = sorted((item for h in held for item in h.entries), key=lambda item: item[0])
        conn.executemany(INSERT, [finish(time_ns, raw, db.secret_headers) for time_ns, raw in taken])
        if taken:
            _trim(conn, limit, max_bytes)
        conn.commit()
        for h in held:
            h.empty()
    except BaseException:
        conn.rollback()
        raise
    finally:
        for h in held:
            h.close()


def _trim(conn, limit: int | None, max_bytes: int) -> None:
    if limit is not None:
        conn.execute("DELETE FROM journal WHERE id <= (SELECT MAX(id) FROM journal) - ?", [limit])
    row = conn.execute(f"SELECT id FROM (SELECT id, SUM({ENTRY_SIZE}) OVER (ORDER BY id DESC) AS total"
                       " FROM journal) WHERE total > ? ORDER BY id DESC LIMIT 1", [max_bytes]).fetchone()
    if row is not None:
        conn.execute("DELETE FROM journal WHERE id <= ?", [row[0]])


def _where(api=None, method=None, path=None, status=None) -> tuple[str, list]:
    clauses, params = [], []
    if api:
        clauses.append("api = ?"); params.append(api)
    if method:
        clauses.append("method = ?"); params.append(method.upper())
    if path:
        clauses.append("path LIKE ?"); params.append(f"%{path}%")
    if status is not None:
        clauses.append("status = ?"); params.append(int(status))
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def count(db: Database, *, limit=None, **filters) -> int:
    """How many entries the same filters as ``entries`` select."""
    drain(db)
    where, params = _where(**filters)
    found = db.conn.execute(f"SELECT COUNT(*) FROM journal {where}", params).fetchone()[0]
    return found if limit is None else min(found, int(limit))


def entries(db: Database, **filters) -> list[dict]:
    return read(db, **filters)[0]


def read(db: Database, *, api=None, method=None, path=None, status=None, limit=None,
         max_bytes: int = READ_MAX_BYTES) -> tuple[list[dict], int]:
    """(entries oldest first, how many matching older ones were left out): the newest
    entries that match, at most ``limit`` of them and ``max_bytes`` stored bytes."""
    drain(db)
    where, params = _where(api, method, path, status)
    matching = db.conn.execute(f"SELECT COUNT(*) FROM journal {where}", params).fetchone()[0]
    sql = (f"SELECT * FROM (SELECT *, SUM({ENTRY_SIZE}) OVER (ORDER BY id DESC) AS _running FROM journal {where}"
           f" ORDER BY id DESC{'' if limit is None else f' LIMIT {int(limit)}'}) WHERE _running <= ? ORDER BY id DESC")
    rows = _decoded(db.conn.execute(sql, [*params, max_bytes]))
    rows.reverse()
    shown = matching if limit is None else min(matching, int(limit))
    return rows, shown - len(rows)


def entry(db: Database, entry_id: int) -> dict | None:
    """One entry by its id, as ``entries`` gives it; None once it has been dropped or cleared."""
    drain(db)
    found = _decoded(db.conn.execute("SELECT * FROM journal WHERE id = ?", [entry_id]))
    return found[0] if found else None


def _decoded(cursor) -> list[dict]:
    rows = as_dicts(cursor)
    for row in rows:
        row.pop("_running", None)
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
    held = []
    try:
        held = [_Taken(spill_path) for spill_path in spill_paths(_path_of(db))]
        conn.execute("DELETE FROM journal")
        conn.commit()
        for h in held:
            h.empty()
    except BaseException:
        conn.rollback()
        raise
    finally:
        for h in held:
            h.close()
