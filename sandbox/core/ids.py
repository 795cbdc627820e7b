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


def guid(db, prefix: str) -> str:
    """``PREFIX-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``, stable for a given world."""
    n = next_value(db, f"guid:{prefix}")
    seed = db.execute("SELECT value FROM sandbox_meta WHERE key = 'scenario_name'").fetchone()
    body = uuid.uuid5(_ID_NAMESPACE, f"{seed[0] if seed else ''}:{prefix}:{n}")
    return f"{prefix}-{body}"
