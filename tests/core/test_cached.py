"""core.db.cached: a value read from a watched table is reused until a watched table is written."""
from __future__ import annotations

import pytest

from sandbox.core.db import cached, connect, watch_memo_tables, write_transaction


def _loader(db, calls):
    def load():
        calls.append(1)
        return db.execute("SELECT value FROM t WHERE id = 1").fetchone()[0]
    return load


def _setup(tmp_path, watched=True):
    path = str(tmp_path / "c.sqlite")
    db = connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO t VALUES (1, 'a')")
    if watched:
        watch_memo_tables(db, ("t",))
    db.conn.commit()
    return path, db


def _commit(path, sql):
    other = connect(path)
    other.execute(sql)
    other.conn.commit()
    other.close()


def test_a_value_is_read_once_until_another_connection_writes_a_watched_table(tmp_path):
    path, db = _setup(tmp_path)
    calls = []
    assert [cached(db, "k", _loader(db, calls)) for _ in range(3)] == ["a", "a", "a"] and len(calls) == 1
    _commit(path, "UPDATE t SET value = 'b' WHERE id = 1")
    assert cached(db, "k", _loader(db, calls)) == "b" and len(calls) == 2
    _commit(path, "DELETE FROM t WHERE id = 1")
    _commit(path, "INSERT INTO t VALUES (1, 'c')")
    assert cached(db, "k", _loader(db, calls)) == "c" and len(calls) == 3


def test_commits_to_other_tables_keep_the_value(tmp_path):
    path, db = _setup(tmp_path)
    calls = []
    cached(db, "k", _loader(db, calls))
    _commit(path, "INSERT INTO other VALUES (1)")
    with write_transaction(db):
        db.execute("INSERT INTO other VALUES (2)")
    assert cached(db, "k", _loader(db, calls)) == "a" and len(calls) == 1


def test_a_write_on_the_same_connection_forgets_the_value(tmp_path):
    _, db = _setup(tmp_path)
    calls = []
    cached(db, "k", _loader(db, calls))
    with write_transaction(db):
        db.execute("UPDATE t SET value = 'c' WHERE id = 1")
    assert cached(db, "k", _loader(db, calls)) == "c" and len(calls) == 2


def test_nothing_is_remembered_inside_a_transaction(tmp_path):
    _, db = _setup(tmp_path)
    calls = []
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("UPDATE t SET value = 'rolled back' WHERE id = 1")
        assert cached(db, "k", _loader(db, calls)) == "rolled back"
        raise RuntimeError
    assert cached(db, "k", _loader(db, calls)) == "a" and len(calls) == 2


def test_without_the_token_any_commit_forgets_the_value(tmp_path):
    path, db = _setup(tmp_path, watched=False)
    calls = []
    cached(db, "k", _loader(db, calls))
    assert cached(db, "k", _loader(db, calls)) == "a" and len(calls) == 1
    _commit(path, "INSERT INTO other VALUES (1)")
    cached(db, "k", _loader(db, calls))
    assert len(calls) == 2
    with write_transaction(db):
        db.execute("INSERT INTO other VALUES (2)")
    cached(db, "k", _loader(db, calls))
    assert len(calls) == 3


def test_the_clock_and_the_faults_are_watched(tmp_path):
    from sandbox.core.migrate import core_migrations
    db = connect(str(tmp_path / "s.sqlite"))
    core_migrations.apply(db)
    token = lambda: db.execute("SELECT token FROM sandbox_memo").fetchone()[0]  # noqa: E731
    for table in ("sandbox_clock", "sandbox_faults"):
        triggers = {row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table])}
        assert {f"sandbox_memo_{table}_{change}" for change in ("insert", "update", "delete")} <= triggers
    before = token()
    db.execute("DELETE FROM sandbox_clock")
    assert token() != before
