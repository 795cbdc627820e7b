"""bench.bound answers its two requests exactly as the sandbox does, so the bound it reports
is a bound on the same work."""
from __future__ import annotations

import sqlite3

import pytest
import requests

from bench import cases, servers, worlds

pytestmark = pytest.mark.slow

LEDGER = ("SELECT id, user_id, transaction_type, variety, value, balance, pool_delta, reason, remote_transaction_id"
          " FROM myrewards_transactions ORDER BY seq")
POOL = "SELECT id, points_balance FROM myrewards_programmes ORDER BY id"


def _send(server, request):
    return requests.request(request.method, server.url + request.path, headers=request.headers,
                            data=request.body, timeout=30)


def _rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_bound_answers_and_writes_what_the_sandbox_does(tmp_path):
    world = worlds.write_world(tmp_path, worlds.bench_world(), "bench-world")
    sandbox_db, bound_db = tmp_path / "sandbox.sqlite", tmp_path / "bound.sqlite"
    with servers.sandbox(tmp_path / "sandbox.log", "--db", str(sandbox_db), "--scenario", str(world)) as sandbox, \
            servers.bound(tmp_path / "bound.log", bound_db, world) as bound:
        sandbox.wait_healthy()
        bound.wait_healthy()
        for case in cases.bounds():
            for _ in range(3):
                expected, found = _send(sandbox, case.requests[0]), _send(bound, case.requests[0])
                assert expected.status_code == 200, expected.text
                assert (found.status_code, found.headers["Content-Type"], found.content) == \
                    (expected.status_code, expected.headers["Content-Type"], expected.content), case.name
    ledger = _rows(bound_db, LEDGER)
    assert [row[7] for row in ledger[-3:]] == ["Benchmark credit"] * 3
    assert ledger == _rows(sandbox_db, LEDGER)
    assert _rows(bound_db, POOL) == _rows(sandbox_db, POOL)


def test_the_bound_journals_every_request(tmp_path):
    """The journal entry is part of the work the bound measures: its spill files hold one
    entry per request (read through the sandbox's own journal reader)."""
    from sandbox.core import journal

    world = worlds.write_world(tmp_path, worlds.bench_world(), "bench-world")
    with servers.bound(tmp_path / "bound.log", tmp_path / "bound.sqlite", world) as bound:
        bound.wait_healthy()
        for case in cases.bounds():
            assert _send(bound, case.requests[0]).status_code == 200
    db = journal.open_journal(str(tmp_path / "bound.sqlite") + ".requests")
    try:
        found = journal.entries(db)
    finally:
        db.close()
    assert sorted((e["api"], e["method"], e["status"]) for e in found) == [("atrium", "GET", 200),
                                                                           ("myrewards", "POST", 200)]
