"""Every API's money operation under load: the real server with 4 gunicorn workers, at
least 2,000 requests per operation from 24 threads against a few shared balances.

Afterwards: no answer >= 500, no "database is locked", exactly as many successes as the
rules allow, no balance below what its rules allow, every ledger summing to its balance,
and every success in the ledger exactly once (load.py)."""
from __future__ import annotations

from collections import Counter

import pytest

from .harness import SCALE
from .load import (assert_served_cleanly, atrium_job, control, eagleeye_call, eagleeye_exchange, eagleeye_ledgers, fire,
                   myrewards_ledgers, myrewards_transaction, saasquatch_bulkredeem, saasquatch_ledgers,
                   saasquatch_redeemed, state)

pytestmark = pytest.mark.slow

CLOCK = "2026-03-01T00:00:00Z"
N = 2000 * SCALE                     # requests per money operation


def report(name: str, **figures) -> None:
    print(f"[reliability] concurrency, {name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


def test_myrewards_debits_and_pool_credits(live_server):
    spenders = {1: 4000 * SCALE, 2: 3000 * SCALE, 3: 2005 * SCALE}     # balances; debits of 10
    earners, pool = (4, 5), 12_345 * SCALE                              # pool credits of 10
    users = [{"id": uid, "username": f"spender{uid}", "transactions": [
        {"transaction_type": "Credit", "variety": "Order Adjustment", "points": points, "reason": "start"}]}
        for uid, points in spenders.items()] + [{"id": uid, "username": f"earner{uid}"} for uid in earners]
    server = live_server({"name": "load-myrewards", "clock": CLOCK, "myrewards": {"programmes": [
        {"id": 1, "name": "Load", "points_balance": pool, "api_keys": [{"key": "k"}], "users": users}]}}, workers=4)
    before = state(server.url, "myrewards")

    debits = [("Debit", "Redemption", list(spenders)[i % 3]) for i in range(N)]
    credits = [("Credit", "Programme Points", earners[i % 2]) for i in range(N)]
    jobs = [job for pair in zip(debits, credits) for job in pair]
    answers = fire(jobs, lambda job: myrewards_transaction(server.url, "k", job[2], job[0], job[1], 10))
    assert_served_cleanly(answers, server)

    ok = Counter((a.job[0], a.job[2]) for a in answers if a.status == 200)
    refused = Counter((a.job[0], a.status) for a in answers if a.status != 200)
    assert {uid: ok[("Debit", uid)] for uid in spenders} == {uid: b // 10 for uid, b in spenders.items()}
    assert sum(ok[("Credit", uid)] for uid in earners) == pool // 10
    assert refused == {("Debit", 402): N - sum(b // 10 for b in spenders.values()), ("Credit", 412): N - pool // 10}

    tables = state(server.url, "myrewards")
    checks = myrewards_ledgers(tables)
    new_ids = [r["id"] for r in tables["transactions"] if r["seq"] > max(x["seq"] for x in before["transactions"])]
    success_ids = [a.json()["id"] for a in answers if a.status == 200]
    assert sorted(new_ids) == sorted(success_ids) and len(set(success_ids)) == len(success_ids)
    balances = {r["user_id"]: r["balance"] for r in sorted(tables["transactions"], key=lambda r: r["seq"])}
    assert {uid: balances[uid] for uid in spenders} == {uid: b % 10 for uid, b in spenders.items()}
    assert tables["programmes"][0]["points_balance"] == pool % 10
    report("MyRewards debit + pool credit", requests=len(answers), debits_ok=sum(ok[("Debit", u)] for u in spenders),
           credits_ok=sum(ok[("Credit", u)] for u in earners), refused=sum(refused.values()),
           ledger_rows_matched=len(success_ids), invariant_checks=checks)


def _credit(reward_id: str, assigned: int, **dates) -> dict:
    return {"id": reward_id, "userId": "u1", "type": "CREDIT", "unit": "CENTS", "assignedCredit": assigned,
            "dateGiven": "2026-01-01T00:00:00Z", **dates}


def test_saasquatch_bulkredeem(live_server):
    amounts = {"acct-1": 7, "acct-2": 11, "acct-3": 13}
    totals = {"acct-1": 3000 * SCALE, "acct-2": 4000 * SCALE, "acct-3": 4500 * SCALE}
    accounts = []
    for n, (account, total) in enumerate(totals.items()):
        parts = [total // 4] * 3 + [total - 3 * (total // 4)]
        rewards = [_credit(f"{n}{i:023x}", part, dateExpires=f"2026-0{4 + i}-01T00:00:00Z")
                   for i, part in enumerate(parts)]
        rewards += [_credit(f"{n}{8:023x}", 999, dateExpires="2026-02-01T00:00:00Z"),         # expired
                    _credit(f"{n}{9:023x}", 999, dateScheduledFor="2026-06-01T00:00:00Z")]    # pending
        accounts.append({"id": account, "users": [{"id": "u1"}], "rewards": rewards})
    server = live_server({"name": "load-saasquatch", "clock": CLOCK, "saasquatch": {"tenants": [
        {"tenant_alias": "load", "api_key": "LOAD_KEY", "accounts": accounts}]}}, workers=4)

    jobs = [list(amounts)[i % 3] for i in range(N)]
    answers = fire(jobs, lambda account: saasquatch_bulkredeem(server.url, "load", "LOAD_KEY", account, amounts[account]))
    assert_served_cleanly(answers, server)

    tables = state(server.url, "saasquatch")
    checks = saasquatch_ledgers(tables)
    successes = 0
    for account, amount in amounts.items():
        mine = [a for a in answers if a.job == account]
        allowed = totals[account] // amount
        assert Counter(a.status for a in mine) == {200: allowed, 402: len(mine) - allowed}
        # each success saw a different balance: the k-th debit left total - k * amount
        left = sorted(a.json()["creditAvailable"] for a in mine if a.status == 200)
        assert left == [totals[account] - k * amount for k in range(allowed, 0, -1)]
        assert saasquatch_redeemed(tables, "load", account) == allowed * amount
        successes += allowed
    untouched = {r["pk"] for r in tables["rewards"] if r["id"][1:] in (f"{8:023x}", f"{9:023x}")}
    assert not [r for r in tables["redemptions"] if r["reward_pk"] in untouched]     # expired, pending
    report("SaaSquatch bulkredeem", requests=len(answers), successes=successes,
           refused_402=len(answers) - successes, ledger_rows=len(tables["redemptions"]), invariant_checks=checks + 3)


def test_eagleeye_exchanges_against_a_limit_and_a_strict_balance(live_server):
    limit, limited = 40 * SCALE, ["5001", "5002", "5003", "5004", "5005"]
    strict_balance, strict = 1500 * SCALE, ["5101", "5102", "5103"]
    wallets = [{"walletId": w, "accounts": [{"accountId": f"6{w[1:]}", "scheme_id": "1001", "balance": 10**9}]}
               for w in limited]
    wallets += [{"walletId": w, "accounts": [{"accountId": f"6{w[1:]}", "scheme_id": "1002", "balance": strict_balance}]}
                for w in strict]
    server = live_server({"name": "load-eagleeye", "clock": CLOCK, "eagleeye": {
        "clients": [{"client_id": "c", "secret": "s"}],
        "schemes": [{"id": "1001"}, {"id": "1002", "allow_negative_balance": False}],
        "campaigns": [{"id": "2001"}],
        "reward_banks": [
            {"pointsRewardBankId": "3001", "mode": "PUBLIC", "exchangeLimit": limit,
             "rewards": [{"pointsRewardBankRewardId": "4001", "resourceId": "2001", "cost": 1, "threshold": 0}]},
            {"pointsRewardBankId": "3002", "mode": "PUBLIC", "exchangeLimit": None,
             "rewards": [{"pointsRewardBankRewardId": "4002", "resourceId": "2001", "cost": 10, "threshold": 0}]}],
        "wallets": wallets}}, workers=4)

    jobs = [(limited[i % 5], "3001", "4001") for i in range(N)] + [(strict[i % 3], "3002", "4002") for i in range(N)]
    jobs = [job for pair in zip(jobs[:N], jobs[N:]) for job in pair]
    answers = fire(jobs, lambda j: eagleeye_exchange(server.url, "c", "s", j[0], f"6{j[0][1:]}", j[1], j[2]))
    assert_served_cleanly(answers, server)

    per_wallet = Counter((a.job[0], a.status, (a.json() or {}).get("errorCode")) for a in answers)
    for wallet in limited:
        assert per_wallet[(wallet, 201, None)] == limit and per_wallet[(wallet, 422, "ELE")] == N // 5 - limit
    allowed = strict_balance // 10
    for wallet in strict:
        mine = sum(1 for a in answers if a.job[0] == wallet)
        assert per_wallet[(wallet, 201, None)] == allowed and per_wallet[(wallet, 422, "NEGBAL")] == mine - allowed

    tables = state(server.url, "eagleeye")
    strict_accounts = {f"6{w[1:]}" for w in strict}
    checks = eagleeye_ledgers(tables, strict_accounts)
    success_ids = [a.json()["walletTransactionId"] for a in answers if a.status == 201]
    settled = [w["wallet_transaction_id"] for w in tables["wallet_transactions"]
               if w["type"] == "EXCHANGE" and w["status"] == "SETTLED"]
    assert sorted(settled) == sorted(success_ids) and len(set(success_ids)) == len(success_ids)
    assert sum(1 for a in tables["accounts"] if a["type"] == "ECOUPON") == len(success_ids)
    current = {a["account_id"]: a["current"] for a in tables["accounts"] if a["type"] == "POINTS"}
    assert all(current[a] == 0 for a in strict_accounts)
    report("Eagle Eye exchange (limit + strict balance)", requests=len(answers), successes=len(success_ids),
           refused_ELE=sum(v for k, v in per_wallet.items() if k[2] == "ELE"),
           refused_NEGBAL=sum(v for k, v in per_wallet.items() if k[2] == "NEGBAL"),
           ledger_rows_matched=len(settled), invariant_checks=checks)


def test_eagleeye_wallet_debits_earns_and_voids(live_server):
    """Wallet-level debits against a balance that may not go negative, earns on another
    account, then each successful debit voided by four racing requests."""
    balance = 1500 * SCALE
    server = live_server({"name": "load-eagleeye-writes", "clock": CLOCK, "eagleeye": {
        "clients": [{"client_id": "c", "secret": "s"}],
        "schemes": [{"id": "1001"}, {"id": "1002", "allow_negative_balance": False}],
        "wallets": [{"walletId": "5001", "accounts": [{"accountId": "6001", "scheme_id": "1002", "balance": balance}]},
                    {"walletId": "5002", "accounts": [{"accountId": "6002", "scheme_id": "1001"}]}]}}, workers=4)

    jobs = [job for i in range(N) for job in (("debit", i), ("earn", i))]

    def send(job):
        if job[0] == "debit":
            return eagleeye_call(server.url, "c", "s", "POST", "/services/wallet/5001/transaction/debit",
                                 {"accountId": "6001", "value": 10})
        return eagleeye_call(server.url, "c", "s", "PATCH", "/wallet/5002/account/6002/earn", {"value": 1})

    answers = fire(jobs, send)
    assert_served_cleanly(answers, server)
    outcome = Counter((a.job[0], a.status, (a.json() or {}).get("errorCode")) for a in answers)
    allowed = balance // 10
    assert outcome == {("debit", 201, None): allowed, ("debit", 422, "NEGBAL"): N - allowed, ("earn", 200, None): N}

    debits = [a.json()["accounts"][0]["accountTransactionId"] for a in answers if a.status == 201][:50]
    voids = fire([d for d in debits for _ in range(4)], lambda d: eagleeye_call(
        server.url, "c", "s", "PATCH", f"/wallet/5001/account/6001/transaction/{d}/void"))
    assert_served_cleanly(voids, server)
    per_debit = Counter((v.job, v.status, (v.json() or {}).get("errorCode")) for v in voids)
    assert per_debit == {**{(d, 200, None): 1 for d in debits}, **{(d, 422, "NOTVOIDABLE"): 3 for d in debits}}

    tables = state(server.url, "eagleeye")
    checks = eagleeye_ledgers(tables, {"6001"})
    current = {a["account_id"]: a["current"] for a in tables["accounts"]}
    assert current == {"6001": balance % 10 + 10 * len(debits), "6002": N}
    settled = [w for w in tables["wallet_transactions"] if w["type"] == "DEBIT"]
    assert len(settled) == allowed and sum(w["status"] == "VOIDED" for w in settled) == len(debits)
    report("Eagle Eye wallet debit + earn + void", requests=len(answers) + len(voids), debits_ok=allowed,
           refused_NEGBAL=N - allowed, earns=N, voids_ok=len(debits), voids_refused=3 * len(debits),
           invariant_checks=checks)


def test_atrium_job_starts(live_server):
    members = ["MBR-one", "MBR-two"]
    kinds = ["aggregate", "fetch_rewards", "verify", "identify"]
    rounds, per_round = 4, N // 4
    server = live_server({"name": "load-atrium", "clock": CLOCK, "atrium": {
        "institutions": [{"code": "mxbank", "supports_account_identification": True}],
        "clients": [{"client_id": "c", "api_key": "k", "features": ["rewards", "identification", "verification"]}],
        "users": [{"guid": "USR-load", "client_id": "c", "members": [
            {"guid": m, "institution_code": "mxbank"} for m in members]}]}}, workers=4)

    answers, winners = [], set()
    for round_no in range(rounds):
        now = control(server.url, "GET", "/clock")["now"]
        jobs = [(members[i % 2], kinds[(i // 2) % 4]) for i in range(per_round)]
        burst = fire(jobs, lambda j: atrium_job(server.url, "c", "k", "USR-load", j[0], j[1]))
        assert_served_cleanly(burst, server)
        for member in members:
            mine = [a for a in burst if a.job[0] == member]
            won = [a for a in mine if a.status == 200]
            assert len(won) == 1, Counter(a.status for a in mine)
            kind = won[0].job[1]
            same = sum(1 for a in mine if a.job[1] == kind)
            assert Counter(a.status for a in mine) == {200: 1, 202: same - 1, 409: len(mine) - same}
            winners.add((member, now[:19], kind))
        answers += burst
        control(server.url, "POST", "/clock/advance", {"by": "4h"})    # the job ends, the 3 h lockout too

    jobs = state(server.url, "atrium")["jobs"]
    started = {(j["member_guid"], j["started_at"][:19], j["type"]) for j in jobs}
    assert len(jobs) == rounds * len(members) and started == winners
    report("Atrium job starts", requests=len(answers), rounds=rounds, members=len(members),
           jobs_started=len(jobs), answered_202=sum(a.status == 202 for a in answers),
           answered_409=sum(a.status == 409 for a in answers), invariant_checks=rounds * len(members) * 2 + 1)
