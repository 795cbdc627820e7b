"""Firing requests at a live server from many threads, and the money invariants checked
afterwards from ``GET /_sandbox/state/<api>``.

Plain ``requests`` calls on a thread pool: gunicorn's sync workers close each connection,
so a session would not be reused anyway."""
from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

THREADS = 24


@dataclass(frozen=True)
class Answer:
    job: tuple
    status: int
    text: str

    def json(self):
        return json.loads(self.text) if self.text else None


def fire(jobs: list, send, threads: int = THREADS) -> list[Answer]:
    """``send(job) -> requests.Response`` for every job, from ``threads`` threads."""
    def one(job):
        response = send(job)
        return Answer(job, response.status_code, response.text)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, jobs))


def assert_served_cleanly(answers: list[Answer], server) -> None:
    """No answer >= 500, no "database is locked" anywhere, no traceback in the log."""
    bad = [(a.job, a.status, a.text[:200]) for a in answers if a.status >= 500]
    assert not bad, bad[:5]
    assert not [a for a in answers if "database is locked" in a.text.lower()]
    log = server.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]


def state(url: str, api: str) -> dict:
    response = requests.get(f"{url}/_sandbox/state/{api}", timeout=30)
    assert response.status_code == 200
    return response.json()["tables"]


def control(url: str, method: str, path: str, body=None) -> dict:
    response = requests.request(method, f"{url}/_sandbox{path}", json=body, timeout=30)
    assert response.status_code < 300, response.text
    return response.json() if response.content else {}


# -- the APIs' money operations -------------------------------------------------------

def myrewards_transaction(url: str, key: str, user: int, kind: str, variety: str, points: int):
    body = {"transaction": {"transaction_type": kind, "variety": variety, "points": points, "reason": "load"}}
    return requests.post(f"{url}/myrewards/api/v1/users/{user}/transactions", json=body,
                         headers={"Authorization": f"Token token={key}"}, timeout=60)


def saasquatch_bulkredeem(url: str, tenant: str, key: str, account: str, amount: int):
    auth = "Basic " + base64.b64encode(f":{key}".encode()).decode()
    return requests.post(f"{url}/saasquatch/api/v1/{tenant}/credit/bulkredeem", timeout=60,
                         json={"accountId": account, "unit": "CENTS", "amount": amount},
                         headers={"Authorization": auth})


def eagleeye_exchange(url: str, client: str, secret: str, wallet: str, account: str, bank: str, reward: str):
    path = f"/services/wallet/{wallet}/transaction/exchange/pointsreward"
    return eagleeye_call(url, client, secret, "POST", path,
                         {"accountId": account, "rewardBankId": bank, "rewardId": reward})


def eagleeye_call(url: str, client: str, secret: str, method: str, path: str, body: dict | None = None):
    """A signed AIR request (the hash over the path below /eagleeye)."""
    raw = b"" if body is None else json.dumps(body).encode()
    digest = hashlib.sha256(path.encode() + raw + secret.encode()).hexdigest()
    return requests.request(method, f"{url}/eagleeye{path}", data=raw, timeout=60, headers={
        "X-EES-AUTH-CLIENT-ID": client, "X-EES-AUTH-HASH": digest, "Content-Type": "application/json"})


def atrium_job(url: str, client: str, key: str, user: str, member: str, kind: str):
    accept = "application/vnd.mx.atrium.beta+json"
    return requests.post(f"{url}/atrium/users/{user}/members/{member}/{kind}", timeout=60,
                         headers={"MX-Client-ID": client, "MX-API-Key": key, "Accept": accept})


# -- invariants -------------------------------------------------------------------------

def myrewards_ledgers(tables: dict) -> int:
    """Every user's ledger runs without gaps, never below zero, and ends at its balance;
    every pool equals its opening value plus what its users' transactions took, >= 0.
    Returns the number of checks made."""
    checks = 0
    by_user: dict = {}
    for row in sorted(tables["transactions"], key=lambda r: r["seq"]):
        by_user.setdefault(row["user_id"], []).append(row)
    for rows in by_user.values():
        running = 0
        for row in rows:
            running += row["value"]
            assert row["balance"] == running >= 0, row
            checks += 1
    assert len({r["id"] for r in tables["transactions"]}) == len(tables["transactions"])
    programme_of = {u["id"]: u["programme_id"] for u in tables["users"]}
    for programme in tables["programmes"]:
        took = sum(r["pool_delta"] for r in tables["transactions"] if programme_of[r["user_id"]] == programme["id"])
        assert programme["points_balance"] == programme["points_balance_at_load"] + took >= 0, programme
        checks += 1
    return checks


def saasquatch_ledgers(tables: dict) -> int:
    """No reward is redeemed past what was assigned, and its stored redeemed total equals
    its redemptions; returns the number of checks."""
    redeemed = Counter()
    for row in tables["redemptions"]:
        assert row["quantity_redeemed"] > 0
        redeemed[row["reward_pk"]] += row["quantity_redeemed"]
    for reward in tables["rewards"]:
        assert redeemed[reward["pk"]] <= (reward["assigned_credit"] or 0), reward
        assert reward["redeemed_credit"] == redeemed[reward["pk"]], reward   # the stored total
    assert len({r["id"] for r in tables["redemptions"]}) == len(tables["redemptions"])
    return len(tables["rewards"])


def saasquatch_redeemed(tables: dict, tenant: str, account: str) -> int:
    pks = {r["pk"] for r in tables["rewards"] if r["tenant_alias"] == tenant and r["account_id"] == account}
    return sum(r["quantity_redeemed"] for r in tables["redemptions"] if r["reward_pk"] in pks)


def eagleeye_ledgers(tables: dict, strict_accounts=()) -> int:
    """Every POINTS account's transactions sum to its balance; ``strict_accounts`` never
    go below zero; every account transaction belongs to a known wallet transaction."""
    checks = 0
    wallet_transactions = {w["wallet_transaction_id"] for w in tables["wallet_transactions"]}
    for account in tables["accounts"]:
        if account["type"] != "POINTS":
            continue
        rows = [t for t in tables["account_transactions"] if t["account_id"] == account["account_id"]]
        assert sum(t["delta"] for t in rows) == account["current"], account
        checks += 1
        if account["account_id"] in strict_accounts:
            running = 0
            for row in rows:
                running += row["delta"]
                assert running >= 0, row
            checks += 1
    for row in tables["account_transactions"]:
        assert row["wallet_transaction_id"] is None or row["wallet_transaction_id"] in wallet_transactions
    assert checks, "no POINTS account to check"
    return checks
