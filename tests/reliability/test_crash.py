"""Crash safety: under write load on three APIs, the whole server (gunicorn master and its
4 workers) is killed with SIGKILL, then started again on the same ``--db``. The database
files pass ``PRAGMA integrity_check``, every write a client saw acknowledged (2xx) is
there, nothing was written that was not sent, and the ledger invariants still hold.
Two kill-and-restart cycles."""
from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

import pytest
import requests

from sandbox.core.namespaces import journal_path_for
from tests.support import start_server

from .harness import SCALE
from .load import (eagleeye_exchange, eagleeye_ledgers, myrewards_ledgers, myrewards_transaction,
                   saasquatch_bulkredeem, saasquatch_ledgers, saasquatch_redeemed, state)

pytestmark = pytest.mark.slow

CYCLES = 2
ACKS_BEFORE_KILL = 300 * SCALE
SQ_TOTAL = 10**9
WORLD = {
    "name": "crash", "clock": "2026-03-01T00:00:00Z",
    "myrewards": {"programmes": [{"id": 1, "name": "Crash", "api_keys": [{"key": "k"}], "users": [
        {"id": 1, "username": "u", "transactions": [
            {"transaction_type": "Credit", "variety": "Order Adjustment", "points": 10**9, "reason": "start"}]}]}]},
    "saasquatch": {"tenants": [{"tenant_alias": "crash", "api_key": "KEY", "accounts": [
        {"id": "acct", "users": [{"id": "u1"}], "rewards": [
            {"userId": "u1", "type": "CREDIT", "unit": "CENTS", "assignedCredit": SQ_TOTAL}]}]}]},
    "eagleeye": {
        "clients": [{"client_id": "c", "secret": "s"}], "schemes": [{"id": "1001"}], "campaigns": [{"id": "2001"}],
        "reward_banks": [{"pointsRewardBankId": "3001", "mode": "PUBLIC", "exchangeLimit": None, "rewards": [
            {"pointsRewardBankRewardId": "4001", "resourceId": "2001", "cost": 1, "threshold": 0}]}],
        "wallets": [{"walletId": "5001", "accounts": [{"accountId": "6001", "scheme_id": "1001", "balance": 10**9}]}]},
}


class Load:
    """Threads writing to the three APIs until told to stop; what was acknowledged."""

    def __init__(self, url: str, threads: int = 12):
        self.url, self.stop = url, threading.Event()
        self.lock = threading.Lock()
        self.acked = {"myrewards": [], "eagleeye": [], "saasquatch": []}
        self.unanswered = {"myrewards": 0, "eagleeye": 0, "saasquatch": 0}
        self.unexpected: list = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _send(self, api: str):
        if api == "myrewards":
            r = myrewards_transaction(self.url, "k", 1, "Debit", "Redemption", 1)
            return r.status_code, r.json()["id"] if r.status_code == 200 else None
        if api == "eagleeye":
            r = eagleeye_exchange(self.url, "c", "s", "5001", "6001", "3001", "4001")
            return r.status_code, r.json()["walletTransactionId"] if r.status_code == 201 else None
        r = saasquatch_bulkredeem(self.url, "crash", "KEY", "acct", 3)
        return r.status_code, r.json()["creditAvailable"] if r.status_code == 200 else None

    def _run(self, n: int):
        apis = ["myrewards", "eagleeye", "saasquatch"]
        i = n
        while not self.stop.is_set():
            api = apis[i % 3]
            i += 1
            try:
                status, value = self._send(api)
            except requests.RequestException:
                with self.lock:
                    self.unanswered[api] += 1      # sent, but the server died before answering
                continue
            with self.lock:
                if status < 300:
                    self.acked[api].append(value)
                else:
                    self.unexpected.append((api, status))

    def count(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.acked.values())

    def start(self):
        for thread in self.threads:
            thread.start()

    def join(self):
        for thread in self.threads:
            thread.join(timeout=60)


def integrity(path: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_sigkill_under_write_load_loses_no_acknowledged_write(tmp_path):
    db_path = str(tmp_path / "crash.sqlite")
    server = start_server(tmp_path, WORLD, workers=4, db_path=db_path, extra_args=["--quiet"])
    acked = {"myrewards": [], "eagleeye": [], "saasquatch": []}
    unanswered = {"myrewards": 0, "eagleeye": 0, "saasquatch": 0}
    opening = state(server.url, "myrewards")
    try:
        for cycle in range(CYCLES):
            load = Load(server.url)
            load.start()
            deadline = time.monotonic() + 60
            while load.count() < ACKS_BEFORE_KILL and time.monotonic() < deadline:
                time.sleep(0.01)
            load.stop.set()                                        # no new requests; those in flight...
            os.killpg(server.proc.pid, signal.SIGKILL)            # ...die with the master and workers
            server.proc.wait(timeout=30)
            load.join()
            assert not load.unexpected, load.unexpected[:5]
            # every API had writes acknowledged before the kill, or "none was lost" proves nothing
            assert all(load.acked.values()), {api: len(v) for api, v in load.acked.items()}
            for api in acked:
                acked[api] += load.acked[api]
                unanswered[api] += load.unanswered[api]
            assert integrity(db_path) == "ok" and integrity(journal_path_for(db_path)) == "ok"

            server = start_server(tmp_path, db_path=db_path, workers=4, scenario_given=False, extra_args=["--quiet"])
            assert requests.get(server.url + "/_sandbox/health", timeout=10).json()["scenario"] == "crash"
            checks = verify(server.url, acked, unanswered, opening)
            print(f"[reliability] crash cycle {cycle + 1}: acknowledged so far "
                  + ", ".join(f"{api} {len(v)}" for api, v in acked.items())
                  + f"; unanswered at the kills {sum(unanswered.values())}; integrity_check ok (state and journal);"
                  f" all acknowledged writes present; invariant checks {checks}")
    finally:
        server.stop()


def verify(url: str, acked: dict, unanswered: dict, opening: dict) -> int:
    """Every acknowledged write is there, nothing beyond what was sent, invariants hold."""
    myrewards = state(url, "myrewards")
    checks = myrewards_ledgers(myrewards)
    new = {r["id"] for r in myrewards["transactions"]} - {r["id"] for r in opening["transactions"]}
    assert set(acked["myrewards"]) <= new
    assert len(new) <= len(acked["myrewards"]) + unanswered["myrewards"]

    eagleeye = state(url, "eagleeye")
    checks += eagleeye_ledgers(eagleeye)
    settled = {w["wallet_transaction_id"] for w in eagleeye["wallet_transactions"] if w["status"] == "SETTLED"}
    assert set(acked["eagleeye"]) <= settled
    assert len(settled) <= len(acked["eagleeye"]) + unanswered["eagleeye"]

    saasquatch = state(url, "saasquatch")
    checks += saasquatch_ledgers(saasquatch)
    debits = saasquatch_redeemed(saasquatch, "crash", "acct") // 3
    # the k-th debit answered SQ_TOTAL - 3k; debits are serialised, so the ledger holds at least the latest acked
    latest = max(((SQ_TOTAL - left) // 3 for left in acked["saasquatch"]), default=0)
    assert latest <= debits <= len(acked["saasquatch"]) + unanswered["saasquatch"]
    assert len(set(acked["saasquatch"])) == len(acked["saasquatch"])
    return checks + 6
