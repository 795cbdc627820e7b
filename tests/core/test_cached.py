"""core.db.cached: a value read from the database is reused until any connection commits."""
from __future__ import annotations

import pytest

from sandbox.core.db import cached, connect, write_transaction


def _loader(db, calls):
    def load():
        calls.append(1)
        return db.execute("SELECT value FROM t WHERE id = 1").fetchone()[0]
    return load


def _setup(tmp_path):
    path = str(tmp_path / "c.sqlite")
    db = connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO t VALUES (1, 'a')")
    db.conn.commit()
    return path, db


def test_a_value_is_read_once_until_another_connection_commits(tmp_path):
    path, db = _setup(tmp_path)
    calls = []
    assert [cached(db, "k", _loader(db, calls)) for _ in range(3)] == ["a", "a", "a"] and len(calls) == 1
    other = connect(path)
    other.execute("UPDATE t SET value = 'b' WHERE id = 1")
    other.conn.commit()
    assert cached(db, "k", _loader(db, calls)) == "b" and len(calls) == 2
    other.execute("INSERT INTO t VALUES (2, 'unrelated')")
    other.conn.commit()
    cached(db, "k", _loader(db, calls))
    assert len(calls) == 3          # any commit, to any table, forgets everything


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
