"""The sandbox clock: real, real plus an offset, or frozen, stored in the database so
every worker agrees. Business code takes ``now`` as an argument; routes get it from
``request_now()``, read once per request."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from . import context
from .db import cached, write_transaction
from .timeutil import check_range, from_db, to_db, to_iso, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    frozen_at TEXT,
    offset_us INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO sandbox_clock (id, frozen_at, offset_us) VALUES (1, NULL, 0);
"""


@dataclass(frozen=True)
class ClockState:
    frozen_at: datetime | None
    offset: timedelta

    def now(self) -> datetime:
        return self.frozen_at if self.frozen_at is not None else utcnow() + self.offset

    def describe(self) -> dict:
        return {"now": to_iso(self.now()), "frozen": self.frozen_at is not None,
                "offset_seconds": self.offset.total_seconds()}


def read_clock(db) -> ClockState:
    row = db.execute("SELECT frozen_at, offset_us FROM sandbox_clock WHERE id = 1").fetchone()
    if row is None:
        return ClockState(None, timedelta(0))
    return ClockState(from_db(row[0]), timedelta(microseconds=row[1]))


def now(db) -> datetime:
    return read_clock(db).now()


def request_now() -> datetime:
    """The sandbox time of the current request: read once, then the same instant."""
    state = context.current()
    if state.now is None:
        db = context.state_db()
        state.now = cached(db, "sandbox_clock", lambda: read_clock(db)).now()
    return state.now


def _store(db, frozen_at: datetime | None, offset: timedelta) -> None:
    db.execute(
        "INSERT INTO sandbox_clock (id, frozen_at, offset_us) VALUES (1, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET frozen_at = excluded.frozen_at, offset_us = excluded.offset_us",
        [to_db(frozen_at), int(offset / timedelta(microseconds=1))],
    )


def freeze(db, at: datetime) -> ClockState:
    """Stop the clock at ``at``; ``InstantRangeError`` (nothing changed) outside the range."""
    at = check_range(at)
    with write_transaction(db):
        _store(db, at, timedelta(0))
    return read_clock(db)


def set_real(db) -> ClockState:
    with write_transaction(db):
        _store(db, None, timedelta(0))
    return read_clock(db)


def advance(db, by: timedelta) -> ClockState:
    """Move time forward for everyone; a frozen clock stays frozen at the later instant."""
    if by < timedelta(0):
        raise ValueError("the sandbox clock only moves forward")
    with write_transaction(db):
        state = read_clock(db)
        try:
            later = (state.frozen_at or utcnow() + state.offset) + by
        except OverflowError:           # too far to even compute
            later = None
        check_range(later)              # nothing is stored outside the range
        if state.frozen_at is not None:
            _store(db, state.frozen_at + by, timedelta(0))
        else:
            _store(db, None, state.offset + by)
    return read_clock(db)
