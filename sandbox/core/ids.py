"""Deterministic ids: a counter per kind, reset when a world is loaded, so replaying a
scenario produces the same ids every time."""
from __future__ import annotations

import uuid

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
_ID_NAMESPACE = uuid.UUID("5b7f3c52-8a1e-4f0e-9d3c-2f4f8f9a0b11")


def next_value(db, kind: str, start: int = 1) -> int:
    """The next integer of ``kind`` (call inside a write transaction)."""
    row = db.execute(
        "INSERT INTO sandbox_sequences (name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
        [kind, start],
    ).fetchone()
    return row[0]


def bump_to(db, kind: str, at_least: int) -> None:
    """Make sure the next value of ``kind`` is above ``at_least`` (ids given in a scenario)."""
    db.execute(
        "INSERT INTO sandbox_sequences (name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)",
        [kind, at_least],
    )


def reserve(db, kind: str, count: int, start: int = 1) -> range:
    """``count`` consecutive values of ``kind`` in two statements, however many (seeding)."""
    if count <= 0:
        return range(0)
    first = next_value(db, kind, start)
    bump_to(db, kind, first + count - 1)
    return range(first, first + count)


def world_name(db) -> str:
    """The loaded world's name: generated ids derived from it are the same on every load."""
    row = db.execute("SELECT value FROM sandbox_meta WHERE key = 'scenario_name'").fetchone()
    return row[0] if row else ""


def guid(db, prefix: str) -> str:
    """``PREFIX-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``, stable for a given world."""
    n = next_value(db, f"guid:{prefix}")
    return f"{prefix}-{uuid.uuid5(_ID_NAMESPACE, f'{world_name(db)}:{prefix}:{n}')}"
