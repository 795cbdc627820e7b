"""The request journal: what clients sent and what they got, for assertions.

It lives in its own SQLite file beside the state database, so recording a request never
takes the state database's write lock. An entry is committed before the response leaves,
so the next ``GET /_sandbox/requests`` sees it whichever worker serves it. The journal is
bounded: every so often the oldest entries beyond the limit are deleted.
"""
from __future__ import annotations

import json
import re
import sqlite3

from sqlite_utils import Database

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
TRIM_EVERY = 200
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


def record(db: Database, entry, limit: int) -> None:
    """Append one entry: a tuple in ``COLUMNS`` order (headers as a dict), or a dict."""
    if isinstance(entry, dict):
        entry = tuple(entry[c] for c in COLUMNS)
    row = entry[:4] + (json.dumps(entry[4]),) + entry[5:]
    conn = db.conn
    new_id = conn.execute(INSERT, row).lastrowid
    if new_id % TRIM_EVERY == 0:
        conn.execute("DELETE FROM journal WHERE id <= ?", [new_id - limit])
    conn.commit()


def entries(db: Database, *, api=None, method=None, path=None, status=None, limit=None) -> list[dict]:
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
    rows = [dict(zip([c[0] for c in cur.description], r)) for cur in [db.conn.execute(sql, params)] for r in cur]
    rows.reverse()
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
    db.conn.execute("DELETE FROM journal")
    db.conn.commit()
