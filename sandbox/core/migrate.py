"""Schema creation, once, before any worker starts (and for each new namespace)."""
from __future__ import annotations

from sqlite_utils import Migrations

from . import clock, events, faults, ids
from .db import connect, enable_wal, run_script, watch_memo_tables

core_migrations = Migrations("sandbox_core")


@core_migrations(name="0001_initial")
def _initial(db):
    run_script(db, "CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT);"
               + clock.SCHEMA + ids.SCHEMA + faults.SCHEMA)


@core_migrations(name="0002_events")
def _events(db):
    run_script(db, events.SCHEMA)


@core_migrations(name="0003_events_by_due")
def _events_by_due(db):
    """A time-event window's written keys are read by instant (``events._unwritten``)."""
    db.execute("CREATE INDEX IF NOT EXISTS sandbox_events_by_due ON sandbox_events (api, due_at)")


@core_migrations(name="0004_memo_token")
def _memo_token(db):
    """What ``db.cached`` remembers (the clock, whether a fault is armed) holds until these change."""
    watch_memo_tables(db, ("sandbox_clock", "sandbox_faults"))


def migrate(db, apis) -> None:
    core_migrations.apply(db)
    for api in apis:
        api.migrations.apply(db)


def prepare_database(path: str, apis, busy_timeout_s: float = 10.0):
    """WAL on, migrations applied; returns the open connection (the caller closes it)."""
    db = connect(path, busy_timeout_s)
    enable_wal(db)
    migrate(db, apis)
    return db
