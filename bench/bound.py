"""The bound: one read and one write of the benchmark written by hand, doing only the work
that answering them needs, served like the ceiling. It shows how close to the ceiling these
requests can come in this stack (Python and Flask under the same gunicorn settings, SQLite),
with the journal entry and the log line the sandbox writes for every request.

What each route still does, because the request needs it: check the credentials (in
constant time), find the caller's user (and member), read the state the answer depends on,
write the ledger row and the pool in one ``BEGIN IMMEDIATE`` transaction (the write),
answer the same JSON as the sandbox, append the journal entry and print the log line.
What it leaves out: everything general. No validation library, no sqlite-utils, no
namespaces, injected faults or sandbox clock, no error shapes beyond a bare status, no
check it does not need for the bench world (variety rules, the pool's floor, a member's
connection state). ``tests/bench/test_bench_smoke.py`` checks it answers exactly what the
sandbox answers.

``python -m bench.bound --db PATH --world FILE --port N --workers 2`` loads ``FILE`` into
a fresh database at ``PATH`` and serves the two routes with the sandbox's gunicorn settings.
"""
from __future__ import annotations

import argparse
import hmac
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone
from time import perf_counter

from flask import Flask, Response, request

from sandbox.apis.atrium.schemas import instant
from sandbox.core import journal
from sandbox.core.timeutil import to_db

BETA = "application/vnd.mx.atrium.beta+json"
JSON = "application/json; charset=utf-8"
JOURNAL_LIMIT = 10_000
app = Flask(__name__)
_open = threading.local()


def _connections(db_path: str):
    """This worker thread's state and journal connections, opened on first use (the
    sandbox's workers are threaded: a connection is never shared between threads)."""
    if getattr(_open, "pid", None) != os.getpid():
        _open.pid, _open.journal = os.getpid(), journal.open_journal(db_path + ".requests")
        _open.state = sqlite3.connect(db_path, timeout=10, isolation_level=None, check_same_thread=False)
        _open.state.execute("PRAGMA synchronous = NORMAL")
    return _open.state, _open.journal


def _answer(status: int, body: dict | None, content_type: str | None) -> Response:
    text = "" if body is None else json.dumps(body, separators=(",", ":"))   # compact, as the sandbox answers
    return Response(text, status=status, content_type=content_type)


def _finish(api: str, response: Response, started: float) -> Response:
    environ = request.environ
    duration_ms = (perf_counter() - started) * 1000
    raw = (api, request.method, request.path, environ.get("QUERY_STRING", "").encode("latin-1"),
           journal.raw_headers(environ), request.get_data(), response.status_code,
           response.get_data()[: journal.BODY_LIMIT + 1], duration_ms)
    journal.record(_connections(app.config["DB"])[1], raw, JOURNAL_LIMIT)
    print(f"{request.method} {environ['PATH_INFO']} {response.status_code} {duration_ms:.1f}ms ns=default",
          flush=True)
    return response


@app.get("/atrium/users/<user_guid>/members/<member_guid>/rewards")
def atrium_list_rewards(user_guid, member_guid):
    started = perf_counter()
    db = _connections(app.config["DB"])[0]
    client_id = request.headers.get("MX-Client-ID", "")
    found = db.execute("SELECT api_key FROM atrium_clients WHERE client_id = ?", [client_id]).fetchone()
    if found is None or not hmac.compare_digest(found[0].encode(), request.headers.get("MX-API-Key", "").encode()):
        return _finish("atrium", _answer(401, None, None), started)
    if BETA not in request.headers.get("Accept", ""):
        return _finish("atrium", _answer(406, None, None), started)
    user = db.execute("SELECT 1 FROM atrium_users WHERE guid = ? AND client_id = ?", [user_guid, client_id]).fetchone()
    member = db.execute("SELECT 1 FROM atrium_members WHERE guid = ? AND user_guid = ?",
                        [member_guid, user_guid]).fetchone()
    if user is None or member is None:
        return _finish("atrium", _answer(404, None, None), started)
    now = to_db(datetime.now(timezone.utc))
    fetched = [row[0] for row in db.execute(
        "SELECT leg_ends_at FROM atrium_jobs WHERE member_guid = ? AND type = 'fetch_rewards'"
        " AND outcome = 'CONNECTED' AND cancelled_at IS NULL AND leg_ends_at <= ? ORDER BY id", [member_guid, now])]
    rewards = []
    if fetched:
        first, last = min(fetched), max(fetched)
        for row in db.execute("SELECT account_guid, balance, balance_type, created_at, description, expires_on,"
                              " guid, member_guid, unit_type, updated_at, user_guid FROM atrium_rewards"
                              " WHERE member_guid = ? ORDER BY rowid", [member_guid]):
            rewards.append({"account_guid": row[0], "balance": row[1], "balance_type": row[2],
                            "created_at": instant(row[3] or first), "description": row[4],
                            "expires_on": row[5], "guid": row[6], "member_guid": row[7], "unit_type": row[8],
                            "updated_at": instant(row[9] or last), "user_guid": row[10]})
    return _finish("atrium", _answer(200, {"rewards": rewards}, BETA + "; charset=utf-8"), started)


@app.post("/myrewards/api/v1/users/<int:user_id>/transactions")
def myrewards_credit(user_id):
    started = perf_counter()
    db = _connections(app.config["DB"])[0]
    token = request.headers.get("Authorization", "").removeprefix("Token token=").encode()
    programme = None
    for key, programme_id in db.execute("SELECT key, programme_id FROM myrewards_api_keys ORDER BY rowid"):
        if hmac.compare_digest(key.encode(), token) and programme is None:
            programme = programme_id
    if programme is None:
        return _finish("myrewards", _answer(401, None, None), started)
    if db.execute("SELECT 1 FROM myrewards_users WHERE programme_id = ? AND id = ?",
                  [programme, user_id]).fetchone() is None:
        return _finish("myrewards", _answer(204, None, None), started)
    form = request.form
    try:
        kind, variety, reason = (form["transaction[transaction_type]"], form["transaction[variety]"],
                                 form["transaction[reason]"])
        points = int(form["transaction[points]"])
    except (KeyError, ValueError):
        return _finish("myrewards", _answer(406, None, None), started)
    value = -points if kind == "Debit" else points
    db.execute("BEGIN IMMEDIATE")
    try:
        pool = db.execute("SELECT points_balance FROM myrewards_programmes WHERE id = ?", [programme]).fetchone()[0]
        found = db.execute("SELECT balance FROM myrewards_transactions WHERE user_id = ? ORDER BY seq DESC LIMIT 1",
                           [user_id]).fetchone()
        balance = (found[0] if found else 0) + value
        if balance < 0 or pool - value < 0:
            db.execute("ROLLBACK")
            return _finish("myrewards", _answer(402 if balance < 0 else 412, None, None), started)
        transaction_id = db.execute(
            "INSERT INTO sandbox_sequences (name, value) VALUES ('myrewards:transaction', 1)"
            " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value").fetchone()[0]
        db.execute("INSERT INTO myrewards_transactions (id, user_id, transaction_type, variety, value, balance,"
                   " pool_delta, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [transaction_id, user_id, kind, variety, value, balance, -value, reason,
                    to_db(datetime.now(timezone.utc))])
        db.execute("UPDATE myrewards_programmes SET points_balance = points_balance - ? WHERE id = ?",
                   [value, programme])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return _finish("myrewards", _answer(200, {"id": transaction_id}, JSON), started)


@app.get("/ping")
def ping():
    return {"status": "ok"}


def main(argv=None) -> None:
    from sandbox.apis import API_PACKAGES
    from sandbox.core.scenarios import build_world
    from sandbox.server import SandboxServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--world", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    build_world(args.db, args.world, API_PACKAGES)
    app.config["DB"] = args.db
    SandboxServer(app, host=args.host, port=args.port, workers=args.workers, quiet=True).run()


if __name__ == "__main__":
    main()
