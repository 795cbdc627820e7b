"""Injected faults: the next ``times`` matching calls fail with a status, or slow down.

Faults live in the namespace's state database, so every worker sees them and a
namespace's faults never touch another's. Taking one is a single atomic UPDATE, so under
concurrency exactly ``times`` calls are affected. Named faults (``name`` set) are not
matched by path: an API consumes them where its own logic asks (``take_named``).
"""
from __future__ import annotations

import json

import re2

from .db import as_dict, cached

MAX_DELAY_MS = 10_000           # a delay holds a worker thread: at most this long
_RE2 = re2.Options()
_RE2.log_errors = False
_compiled: dict = {}


def compile_pattern(pattern: str):
    """A path pattern compiled for RE2, which matches in time linear in the path (no
    backtracking); ``ValueError`` with the reason when it is not a pattern RE2 can run."""
    found = _compiled.get(pattern)
    if found is None:
        try:
            found = re2.compile(pattern, _RE2)
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
            raise ValueError(f"not a regular expression the sandbox can run: {reason}") from None
        except (UnicodeError, TypeError):
            raise ValueError("not a regular expression the sandbox can run: not valid Unicode text") from None
        if len(_compiled) < 1000:
            _compiled[pattern] = found
    return found

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT,
    name TEXT,
    method TEXT,
    path TEXT,
    status INTEGER,
    body TEXT,
    delay_ms INTEGER NOT NULL DEFAULT 0,
    remaining INTEGER NOT NULL,
    times INTEGER NOT NULL
);
"""


def add(db, fault: dict) -> dict:
    cursor = db.execute(
        "INSERT INTO sandbox_faults (api, name, method, path, status, body, delay_ms, remaining, times)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [fault.get("api"), fault.get("name"), (fault.get("method") or None) and fault["method"].upper(),
         fault.get("path"), fault.get("status"),
         None if fault.get("body") is None else json.dumps(fault["body"]),
         fault.get("delay_ms") or 0, fault["times"], fault["times"]],
    )
    return get(db, cursor.lastrowid)


def _fault(row) -> dict:
    fault = as_dict(row)
    fault["body"] = None if fault["body"] is None else json.loads(fault["body"])
    return fault


def get(db, fault_id: int) -> dict:
    return _fault(db.execute("SELECT * FROM sandbox_faults WHERE id = ?", [fault_id]).fetchone())


def all_faults(db) -> list[dict]:
    return [_fault(r) for r in db.execute("SELECT * FROM sandbox_faults ORDER BY id")]


def clear(db) -> None:
    db.execute("DELETE FROM sandbox_faults")


def _take(db, fault_id: int) -> bool:
    cursor = db.execute(
        "UPDATE sandbox_faults SET remaining = remaining - 1 WHERE id = ? AND remaining > 0", [fault_id])
    return cursor.rowcount == 1


def _any_armed(db) -> bool:
    return db.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM sandbox_faults WHERE remaining > 0 AND name IS NULL)").fetchone()[0] == 1


def take_matching(db, api: str | None, method: str, path: str) -> dict | None:
    """Consume and return the first armed path fault matching this request, if any."""
    if not cached(db, "sandbox_faults.armed", lambda: _any_armed(db)):
        return None     # perf: the common case, no query until something is written (bench/README.md)
    rows = db.execute(
        "SELECT * FROM sandbox_faults WHERE remaining > 0 AND name IS NULL"
        " AND (api IS NULL OR api = ?) ORDER BY id", [api]).fetchall()
    for row in rows:
        fault = _fault(row)
        if fault["method"] and fault["method"] != method.upper():
            continue
        if fault["path"] and not _path_matches(fault["path"], path):
            continue
        if _take(db, fault["id"]):
            return fault
    return None


def _path_matches(pattern: str, path: str) -> bool:
    try:
        return compile_pattern(pattern).search(path) is not None
    except (ValueError, UnicodeError):
        return False


def take_named(db, api: str, name: str) -> bool:
    """Consume one use of the named fault ``name`` for ``api``; True if one was armed.

    The consumption is part of whatever transaction (or savepoint) is open: it sticks only
    if that is committed, so take it where the outcome it causes is kept."""
    row = db.execute(
        "SELECT id FROM sandbox_faults WHERE remaining > 0 AND api = ? AND name = ? ORDER BY id LIMIT 1",
        [api, name]).fetchone()
    return row is not None and _take(db, row[0])
