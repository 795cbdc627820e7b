"""Events and their webhooks: an outbox in each namespace's database.

- An event is written in the same transaction as the state change that causes it
  (``emit``), so a rolled-back request emits nothing and a committed one never loses its
  event. Each event becomes one delivery per subscribed URL (or one ``no_subscriber`` row).
- Events that time causes (a job ending, a background aggregation, credit becoming
  available or expiring) are derived, like the rest of the state, from stored instants: an
  API's ``EventSource.due(db, after, until, written)`` lists those with an instant in
  ``(after, until]``. ``materialise`` writes them when the sandbox clock has passed them
  (the dispatcher does, about every quarter second; the clock control calls do before they
  answer; a service does before a change that would rewrite them). Each has a natural
  ``key``, so writing one twice is a no-op, and the window starts ``MARGIN`` before the last
  one, so an event whose instant a concurrent request put just behind it is not missed.
- ``sandbox.core.dispatch`` delivers pending rows; this module is its storage.
"""
from __future__ import annotations

import json
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from . import jsontext
from .db import as_dict, as_dicts, run_on_writes, write_transaction
from .timeutil import from_db, to_db, to_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    api TEXT NOT NULL,
    client TEXT NOT NULL,
    url TEXT NOT NULL,
    name TEXT,
    UNIQUE (api, client, url)
);
CREATE TABLE IF NOT EXISTS sandbox_events (
    id INTEGER PRIMARY KEY,
    api TEXT NOT NULL,
    key TEXT NOT NULL,
    client TEXT NOT NULL,
    type TEXT NOT NULL,
    due_at TEXT NOT NULL,
    body TEXT NOT NULL,                 -- the JSON exactly as it is POSTed
    headers TEXT NOT NULL DEFAULT '{}', -- JSON: extra request headers (a vendor's signature)
    UNIQUE (api, key)
);
CREATE TABLE IF NOT EXISTS sandbox_webhooks (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES sandbox_events (id) ON DELETE CASCADE,
    url TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'no_subscriber')),
    attempts INTEGER NOT NULL DEFAULT 0,
    attempt_limit INTEGER NOT NULL DEFAULT 8,
    response_status INTEGER,
    next_attempt_at REAL,               -- wall clock (retries wait in real time)
    claimed_by TEXT,
    claimed_at REAL,
    delivered_at TEXT                   -- sandbox time of the successful attempt
);
CREATE INDEX IF NOT EXISTS sandbox_webhooks_pending ON sandbox_webhooks (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS sandbox_webhooks_by_event ON sandbox_webhooks (event_id);
CREATE TABLE IF NOT EXISTS sandbox_webhook_attempts (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES sandbox_webhooks (id) ON DELETE CASCADE,
    at TEXT NOT NULL,                   -- sandbox time
    response_status INTEGER,
    error TEXT,
    duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sandbox_webhook_attempts_by_webhook ON sandbox_webhook_attempts (webhook_id);
CREATE TABLE IF NOT EXISTS sandbox_event_cursors (
    api TEXT PRIMARY KEY,
    until TEXT NOT NULL,                -- time events up to here are written
    floor TEXT NOT NULL                 -- none before here (the world was loaded then)
);
"""
# One row per API that keeps it (``watch_inputs``): a new random ``token`` whenever a row its
# time events are worked out from changes, so a dispatcher need not look again while it stays
INPUTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_event_inputs (
    api TEXT PRIMARY KEY,
    token INTEGER NOT NULL
)"""
# a scenario load replaces these with the rest of the state
STATE_TABLES = ("sandbox_webhook_attempts", "sandbox_webhooks", "sandbox_events",
                "sandbox_webhook_subscriptions", "sandbox_event_cursors")
STATUSES = ("pending", "delivered", "failed", "no_subscriber")
ATTEMPTS = 8
MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class Event:
    """One event of an API: ``key`` names it uniquely within the API (the same key is
    never written twice); ``client`` is whose subscriptions receive it."""

    api: str
    client: str
    type: str
    key: str
    due_at: datetime
    payload: dict
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EventSource:
    """What an API declares about its events: ``due(db, after, until, written)`` ->
    (the time-caused events with an instant in ``(after, until]`` whose keys are not in
    ``written``, the earliest instant of one still to come or None), and ``clients(db)`` ->
    the ids webhooks can be subscribed for. ``written`` holds the keys of the events of the
    window already written: a source need not build those (their payloads cost queries)."""

    due: Callable
    clients: Callable


def body_of(payload: dict) -> str:
    return jsontext.compact(payload)


def new_key() -> str:
    return uuid.uuid4().hex


# -- writing ------------------------------------------------------------------------------

def emit(db, event: Event, urls: list[str] | None = None) -> bool:
    """Write ``event`` and its deliveries (inside the caller's write transaction): to each of
    the client's subscriptions, or to ``urls``. False if an event with its key was written before."""
    row = db.execute(
        "INSERT INTO sandbox_events (api, key, client, type, due_at, body, headers) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (api, key) DO NOTHING RETURNING id",
        [event.api, event.key, event.client, event.type, to_db(event.due_at), body_of(event.payload),
         json.dumps(event.headers)]).fetchone()
    if row is None:
        return False
    if urls is None:
        urls = [r[0] for r in db.execute(
            "SELECT url FROM sandbox_webhook_subscriptions WHERE api = ? AND client = ? ORDER BY id",
            [event.api, event.client])]
    if not urls:
        db.execute("INSERT INTO sandbox_webhooks (event_id, url, status) VALUES (?, NULL, 'no_subscriber')", [row[0]])
    else:
        wall = time.time()
        db.conn.executemany(
            "INSERT INTO sandbox_webhooks (event_id, url, status, next_attempt_at) VALUES (?, ?, 'pending', ?)",
            [(row[0], url, wall) for url in urls])
    return True


def watch_inputs(db, api: str, tables: tuple[str, ...]) -> None:
    """Keep ``api``'s inputs token (an API's migration calls this): triggers give it a new
    random value whenever a row of ``tables`` (what its ``EventSource.due`` decides from) is
    written, or one of its events is removed. Random, not a count: a reset or a snapshot
    restore copies a whole database without firing triggers, so a count could come back to a
    value it had with other rows."""
    db.execute(INPUTS_SCHEMA)
    db.execute("INSERT OR IGNORE INTO sandbox_event_inputs (api, token) VALUES (?, random())", [api])
    renew = f"UPDATE sandbox_event_inputs SET token = random() WHERE api = '{api}'"
    run_on_writes(db, "sandbox_event_inputs", tables, renew)
    db.execute(f"CREATE TRIGGER IF NOT EXISTS sandbox_event_inputs_{api}_event_removed"
               f" AFTER DELETE ON sandbox_events WHEN OLD.api = '{api}' BEGIN {renew}; END")


def inputs_token(db, api: str) -> int | None:
    """``api``'s inputs token (``watch_inputs``); None if it keeps none."""
    try:
        row = db.execute("SELECT token FROM sandbox_event_inputs WHERE api = ?", [api]).fetchone()
    except sqlite3.OperationalError:        # a database from before tokens (a restored snapshot)
        return None
    return None if row is None else row[0]


def start_world(db, apis, now: datetime) -> None:
    """A world was loaded at ``now``: time events from here on (inside the load's transaction)."""
    db.conn.executemany(
        "INSERT INTO sandbox_event_cursors (api, until, floor) VALUES (?, ?, ?)"
        " ON CONFLICT (api) DO UPDATE SET until = excluded.until, floor = excluded.floor",
        [(api.name, to_db(now), to_db(now)) for api in apis if getattr(api, "events", None)])


def catch_up(db, api: str, source: EventSource, now: datetime) -> datetime | None:
    """Write ``api``'s time events due by ``now`` (joins the caller's transaction); returns
    the instant of the next one to come, if known."""
    with write_transaction(db):
        lower, floor = _window(db, api, now)
        found, next_due = _unwritten(db, api, source, lower, now)
        for event in sorted(found, key=lambda e: e.due_at):     # stable: the source's order at one instant
            emit(db, event)
        db.execute("INSERT INTO sandbox_event_cursors (api, until, floor) VALUES (?, ?, ?) ON CONFLICT (api)"
                   " DO UPDATE SET until = excluded.until, floor = excluded.floor", [api, to_db(now), to_db(floor)])
        return next_due


def window_start(db, api: str, now: datetime) -> datetime:
    """Where the next catch-up of ``api`` will look from: events before it are written."""
    return _window(db, api, now)[0]


def _window(db, api: str, now: datetime) -> tuple[datetime, datetime]:
    """(the lower end of the window of time events to look at, the floor to keep)."""
    row = db.execute("SELECT until, floor FROM sandbox_event_cursors WHERE api = ?", [api]).fetchone()
    if row is None:                     # a database older than events: time starts now
        return now, now
    until, floor = from_db(row[0]), from_db(row[1])
    if now < until:                     # the clock was set back: time runs again from there
        floor = min(floor, now)
    return max(floor, min(until, now) - MARGIN), floor


def _nothing_new(db, api: str, source: EventSource, now: datetime,
                 quiet: dict[str, Quiet] | None = None) -> tuple[bool, datetime | None]:
    """Whether catching up would only move the cursor (read only; a dispatcher asks first, so
    it writes only when there is something to write)."""
    row = db.execute("SELECT until, floor FROM sandbox_event_cursors WHERE api = ?", [api]).fetchone()
    if row is None or now < from_db(row[0]) or now - from_db(row[0]) > MARGIN / 2:
        return False, None
    # read before the look: rows changed while it runs give another token next time
    token = inputs_token(db, api) if quiet is not None else None
    seen = (token, row[0], row[1])
    known = quiet.get(api) if token is not None else None
    if known is not None and known.still(seen, now):
        return True, known.next_due
    lower, _ = _window(db, api, now)
    found, next_due = _unwritten(db, api, source, lower, now)
    if found:
        return False, None
    if token is not None:
        quiet[api] = Quiet(seen, now, next_due)
    return True, next_due


def _unwritten(db, api: str, source: EventSource, after: datetime, until: datetime):
    """``source.due`` for ``(after, until]``, less the events written before (by key)."""
    written = WrittenKeys(db, api, after)
    found, next_due = source.due(db, after, until, written)
    return [event for event in found if event.key not in written], next_due


class WrittenKeys:
    """Whether an event of ``api`` with an instant after ``after`` was written, by key: the
    first few asked one at a time, then all the window's keys read in one query.

    perf: after a burst of 3,700 Atrium jobs a dispatcher look rebuilt and checked 7,400 events
    (320 ms every half second); reading every key of the window for each catch-up instead made a
    SaaSquatch debit, whose catch-up finds nothing, read the 40,000 balance events of its last
    minute (bench/README.md)."""

    ONE_AT_A_TIME = 32

    def __init__(self, db, api: str, after: datetime):
        self.db, self.api, self.after = db, api, after
        self.asked, self.keys = 0, None

    def __contains__(self, key: str) -> bool:
        if self.keys is None and self.asked < self.ONE_AT_A_TIME:
            self.asked += 1
            return self.db.execute("SELECT 1 FROM sandbox_events WHERE api = ? AND key = ?",
                                   [self.api, key]).fetchone() is not None
        if self.keys is None:
            self.keys = {row[0] for row in self.db.execute(
                "SELECT key FROM sandbox_events WHERE api = ? AND due_at > ?", [self.api, to_db(self.after)])}
        return key in self.keys


@dataclass(frozen=True)
class Quiet:
    """An API found with nothing to write at ``now``, its next event not before ``next_due``,
    from the inputs ``seen`` (its inputs token and event cursor)."""

    seen: tuple
    now: datetime
    next_due: datetime | None

    def still(self, seen: tuple, now: datetime) -> bool:
        """Still quiet at ``now`` with these inputs: the same rows, and the clock has moved
        on, not back, and not yet to the next event."""
        return (seen == self.seen and self.now <= now
                and (self.next_due is None or now < self.next_due))


def materialise(db, apis, now: datetime, *, lazy: bool = False,
                quiet: dict[str, Quiet] | None = None) -> datetime | None:
    """Every API's time events due by ``now``, in one transaction; the next instant.
    ``lazy``: first look without writing, and write only if an event is new. ``quiet``: what
    earlier lazy looks found (the caller keeps it per database, and it is updated here): an
    API still quiet is not looked at again."""
    sources = [api for api in apis if getattr(api, "events", None) is not None]
    if lazy:
        looks = [_nothing_new(db, api.name, api.events, now, quiet) for api in sources]
        if all(nothing for nothing, _ in looks):
            return min((u for _, u in looks if u is not None), default=None)
    upcoming = []
    with write_transaction(db):
        for api in sources:
            upcoming.append(catch_up(db, api.name, api.events, now))
    return min((u for u in upcoming if u is not None), default=None)


# -- subscriptions --------------------------------------------------------------------------

def subscribe(db, api: str, client: str, url: str, name: str | None = None) -> dict:
    """Subscribe ``url`` to ``client``'s events of ``api`` (the same URL twice is one
    subscription, its name updated)."""
    with write_transaction(db):
        db.execute("INSERT INTO sandbox_webhook_subscriptions (api, client, url, name) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (api, client, url) DO UPDATE SET name = COALESCE(excluded.name, name)",
                   [api, client, url, name])
        return as_dict(db.execute("SELECT * FROM sandbox_webhook_subscriptions WHERE api = ? AND client = ?"
                                  " AND url = ?", [api, client, url]).fetchone())


def subscriptions(db, api: str | None = None, client: str | None = None) -> list[dict]:
    sql, params = "SELECT * FROM sandbox_webhook_subscriptions WHERE 1 = 1", []
    if api is not None:
        sql, params = sql + " AND api = ?", params + [api]
    if client is not None:
        sql, params = sql + " AND client = ?", params + [client]
    return as_dicts(db.execute(sql + " ORDER BY id", params))


def unsubscribe(db, subscription_id: int | None = None, *, api=None, client=None, url=None) -> bool:
    """Remove one subscription, by id or by (api, client, url); False if there was none."""
    with write_transaction(db):
        if subscription_id is not None:
            cursor = db.execute("DELETE FROM sandbox_webhook_subscriptions WHERE id = ?", [subscription_id])
        else:
            cursor = db.execute("DELETE FROM sandbox_webhook_subscriptions WHERE api = ? AND client = ? AND url = ?",
                                [api, client, url])
        return cursor.rowcount > 0


# -- reading ---------------------------------------------------------------------------------

_WEBHOOK_SELECT = """SELECT w.id, e.api, e.type, e.body, e.client, w.url, w.status, w.attempts,
    w.response_status, e.due_at, w.delivered_at FROM sandbox_webhooks w
    JOIN sandbox_events e ON e.id = w.event_id"""


def webhook_json(row: dict) -> dict:
    return {"id": row["id"], "api": row["api"], "type": row["type"], "payload": json.loads(row["body"]),
            "url": row["url"], "status": row["status"], "attempts": row["attempts"],
            "response_status": row["response_status"], "due_at": to_iso(from_db(row["due_at"])),
            "delivered_at": to_iso(from_db(row["delivered_at"]))}


def webhooks(db, api: str | None = None, type: str | None = None, status: str | None = None,
             limit: int | None = None) -> list[dict]:
    """Deliveries oldest first (by due instant, then as written)."""
    sql, params = _WEBHOOK_SELECT + " WHERE 1 = 1", []
    for column, value in (("e.api", api), ("e.type", type), ("w.status", status)):
        if value is not None:
            sql, params = sql + f" AND {column} = ?", params + [value]
    sql += " ORDER BY e.due_at, e.id, w.id"
    if limit is not None:
        sql, params = sql + " LIMIT ?", params + [limit]
    return [webhook_json(r) for r in as_dicts(db.execute(sql, params))]


def webhook(db, webhook_id: int) -> dict | None:
    row = as_dict(db.execute(_WEBHOOK_SELECT + " WHERE w.id = ?", [webhook_id]).fetchone())
    return None if row is None else webhook_json(row)


def attempts_of(db, webhook_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {i: [] for i in webhook_ids}
    for row in as_dicts(db.execute("SELECT * FROM sandbox_webhook_attempts ORDER BY id")):
        if row["webhook_id"] in found:
            found[row["webhook_id"]].append({"at": to_iso(from_db(row["at"])), "response_status": row["response_status"],
                                             "error": row["error"], "duration_ms": round(row["duration_ms"], 1)})
    return found


class NotRedeliverable(ValueError):
    pass


def redeliver(db, webhook_id: int) -> dict | None:
    """Send delivery ``webhook_id`` again (now, with a fresh budget of attempts); None if
    there is no such delivery, ``NotRedeliverable`` if it has no URL."""
    with write_transaction(db):
        row = db.execute("SELECT url FROM sandbox_webhooks WHERE id = ?", [webhook_id]).fetchone()
        if row is None:
            return None
        if row[0] is None:
            raise NotRedeliverable("this event had no subscriber, so there is no URL to send it to again")
        db.execute("UPDATE sandbox_webhooks SET status = 'pending', attempt_limit = attempts + ?,"
                   " next_attempt_at = ?, claimed_by = NULL, claimed_at = NULL WHERE id = ?",
                   [ATTEMPTS, time.time(), webhook_id])
    return webhook(db, webhook_id)


# -- delivering (the dispatcher's side) -----------------------------------------------------

CLAIM_SECONDS = 30.0                    # a claim older than this was lost with its process


def due_deliveries(db, wall: float, limit: int = 20) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT id FROM sandbox_webhooks WHERE status = 'pending' AND next_attempt_at <= ?"
        " AND (claimed_by IS NULL OR claimed_at < ?) ORDER BY next_attempt_at, id LIMIT ?",
        [wall, wall - CLAIM_SECONDS, limit])]


def claim(db, ids: list[int], claimant: str, wall: float) -> list[dict]:
    """Take the deliveries of ``ids`` still unclaimed (atomically: no two claimants get the
    same one); returns what to send."""
    taken = []
    with write_transaction(db):
        for webhook_id in ids:
            row = db.execute(
                "UPDATE sandbox_webhooks SET claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'pending'"
                " AND next_attempt_at <= ? AND (claimed_by IS NULL OR claimed_at < ?) RETURNING id, url, event_id",
                [claimant, wall, webhook_id, wall, wall - CLAIM_SECONDS]).fetchone()
            if row is not None:
                event = db.execute("SELECT body, headers FROM sandbox_events WHERE id = ?", [row[2]]).fetchone()
                taken.append({"id": row[0], "url": row[1], "body": event[0], "headers": json.loads(event[1])})
    return taken


def record_attempt(db, webhook_id: int, claimant: str, at: datetime, wall: float, response_status: int | None,
                   error: str | None, duration_ms: float) -> None:
    """The outcome of one attempt: delivered on a 2xx; otherwise retried after 1, 2, 4 ...
    seconds until the attempt limit, then failed."""
    ok = response_status is not None and 200 <= response_status < 300
    with write_transaction(db):
        row = db.execute("SELECT attempts, attempt_limit FROM sandbox_webhooks WHERE id = ? AND claimed_by = ?",
                         [webhook_id, claimant]).fetchone()
        if row is None:                 # reclaimed after a stall, or the world was replaced
            return
        attempts = row[0] + 1
        retries_used = attempts - (row[1] - ATTEMPTS)
        status = "delivered" if ok else ("failed" if attempts >= row[1] else "pending")
        db.execute("UPDATE sandbox_webhooks SET attempts = ?, status = ?, response_status = ?, next_attempt_at = ?,"
                   " delivered_at = ?, claimed_by = NULL, claimed_at = NULL WHERE id = ?",
                   [attempts, status, response_status, wall + 2 ** max(retries_used - 1, 0),
                    to_db(at) if ok else None, webhook_id])
        db.execute("INSERT INTO sandbox_webhook_attempts (webhook_id, at, response_status, error, duration_ms)"
                   " VALUES (?, ?, ?, ?, ?)", [webhook_id, to_db(at), response_status, error, duration_ms])


def release_claims(db) -> None:
    """Hand back every claim (a new dispatcher took over: the old one's are void)."""
    with write_transaction(db):
        db.execute("UPDATE sandbox_webhooks SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by IS NOT NULL")
