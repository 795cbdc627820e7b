"""The write-transaction helper under real multi-process contention."""
import multiprocessing
import sqlite3

import pytest

from sandbox.core.db import CHECKPOINT_BACKSTOP_PAGES, connect, write_transaction
from sandbox.core.migrate import prepare_database
from tests.core import dummy_api


def test_databases_are_in_wal_mode_with_a_busy_timeout(tmp_path):
    db = prepare_database(str(tmp_path / "w.sqlite"), [dummy_api.API])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # a request's COMMIT checkpoints only past the backstop: the dispatcher does it in the background
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_BACKSTOP_PAGES > 1000
    db.close()


def test_a_failed_write_transaction_leaves_nothing_behind(tmp_path):
    db = prepare_database(str(tmp_path / "w.sqlite"), [dummy_api.API])
    db.execute("INSERT INTO dummy_wallets (id, balance) VALUES ('a', 10)")
    with pytest.raises(RuntimeError):
        with write_transaction(db):
            db.execute("UPDATE dummy_wallets SET balance = 0")
            raise RuntimeError("refused")
    assert db.execute("SELECT balance FROM dummy_wallets").fetchone()[0] == 10
    db.close()


def _spend(path, attempts, results):
    db = connect(path, busy_timeout_s=30)
    ok = 0
    for _ in range(attempts):
        try:
            with write_transaction(db):
                balance = db.execute("SELECT balance FROM dummy_wallets WHERE id = 'a'").fetchone()[0]
                if balance < 3:
                    continue
                db.execute("INSERT INTO dummy_ledger (wallet_id, amount, at) VALUES ('a', -3, 'x')")
                db.execute("UPDATE dummy_wallets SET balance = ? WHERE id = 'a'", [balance - 3])
            ok += 1
        except sqlite3.OperationalError as exc:  # "database is locked" would land here
            results.put(("error", str(exc)))
    results.put(("ok", ok))


@pytest.mark.slow
def test_processes_never_both_spend_the_same_balance(tmp_path):
    path = str(tmp_path / "w.sqlite")
    db = prepare_database(path, [dummy_api.API])
    db.execute("INSERT INTO dummy_wallets (id, balance) VALUES ('a', 300)")
    db.execute("INSERT INTO dummy_ledger (wallet_id, amount, at) VALUES ('a', 300, 'x')")
    db.close()
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_spend, args=(path, 60, results)) for _ in range(4)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    errors = [o for o in outcomes if o[0] == "error"]
    assert errors == []
    successes = sum(o[1] for o in outcomes)
    db = connect(path)
    balance = db.execute("SELECT balance FROM dummy_wallets WHERE id = 'a'").fetchone()[0]
    ledger = db.execute("SELECT SUM(amount) FROM dummy_ledger WHERE wallet_id = 'a'").fetchone()[0]
    db.close()
    print(f"4 processes x 60 attempts: {successes} spends of 3 from 300")
    assert successes == 100  # 300 / 3: exactly what the balance allows
    assert balance == 0 == ledger


def test_a_script_runs_statement_by_statement_inside_the_callers_transaction(tmp_path):
    """Migrations run their DDL through ``run_script``: semicolons inside a trigger's body or a
    string do not end a statement, and nothing is committed (sqlite3's executescript would)."""
    from sandbox.core.db import run_script

    db = connect(str(tmp_path / "s.sqlite"))
    db.execute("CREATE TABLE log (line TEXT)")
    db.execute("BEGIN")
    run_script(db, """CREATE TABLE t (a TEXT DEFAULT 'x;y'); CREATE INDEX t_a ON t (a);
        CREATE TRIGGER t_logged AFTER INSERT ON t BEGIN
            INSERT INTO log (line) VALUES ('one;');
            INSERT INTO log (line) VALUES (NEW.a);
        END;
        INSERT INTO t (a) VALUES ('z')""")
    assert db.conn.in_transaction
    assert [r[0] for r in db.execute("SELECT line FROM log ORDER BY rowid")] == ["one;", "z"]
    db.conn.rollback()
    assert db.execute("SELECT name FROM sqlite_master WHERE name IN ('t', 't_a', 't_logged')").fetchall() == []
    db.close()
