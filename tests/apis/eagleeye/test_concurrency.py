"""Concurrent exchanges against the real server (gunicorn, 4 workers): each exchange is
one write transaction, so no limit, balance rule or fault count is ever passed."""
import hashlib
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.apis.eagleeye.helpers import CLIENT, SECRET

pytestmark = pytest.mark.slow

WORLD = {
    "name": "eagleeye-concurrency",
    "eagleeye": {
        "clients": [{"client_id": CLIENT, "secret": SECRET}],
        "schemes": [{"id": "1001"}, {"id": "1002", "allow_negative_balance": False}],
        "campaigns": [{"id": "2001"}, {"id": "2002", "issuance_limit_total": 0}],
        "reward_banks": [
            {"pointsRewardBankId": "3001", "mode": "PUBLIC", "exchangeLimit": 25,
             "rewards": [{"pointsRewardBankRewardId": "4001", "resourceId": "2001", "cost": 10}]},
            {"pointsRewardBankId": "3002", "mode": "PUBLIC", "exchangeLimit": None,
             "rewards": [{"pointsRewardBankRewardId": "4002", "resourceId": "2001", "cost": 10, "threshold": 0},
                         {"pointsRewardBankRewardId": "4003", "resourceId": "2002", "cost": 10}]},
        ],
        "wallets": [
            {"walletId": "5001", "accounts": [{"accountId": "6001", "scheme_id": "1001", "balance": 1_000_000}]},
            {"walletId": "5002", "accounts": [{"accountId": "6002", "scheme_id": "1002", "balance": 1000}]},
            {"walletId": "5003", "accounts": [{"accountId": "6003", "scheme_id": "1001", "balance": 1_000_000}]},
        ],
    },
}


def _exchanger(url: str):
    session = requests.Session()

    def exchange(job):
        wallet, account, bank, reward = job
        path = f"/services/wallet/{wallet}/transaction/exchange/pointsreward"
        body = json.dumps({"accountId": account, "rewardBankId": bank, "rewardId": reward}).encode()
        digest = hashlib.sha256(path.encode() + body + SECRET.encode()).hexdigest()
        response = session.post(f"{url}/eagleeye{path}", data=body, timeout=30, headers={
            "X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": digest, "Content-Type": "application/json"})
        return wallet, response.status_code, response.json().get("errorCode")

    return exchange


def _run(url: str, jobs: list) -> Counter:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return Counter(pool.map(_exchanger(url), jobs))


def test_concurrent_exchanges_respect_limits_balances_and_faults(live_server):
    server = live_server(WORLD, workers=4)
    armed = requests.post(f"{server.url}/_sandbox/faults", timeout=10,
                          json={"api": "eagleeye", "name": "rollback_fails", "times": 3})
    assert armed.status_code == 201
    jobs = ([("5001", "6001", "3001", "4001")] * 120        # exchange limit 25
            + [("5002", "6002", "3002", "4002")] * 150      # 1000 points, cost 10, no negatives
            + [("5003", "6003", "3002", "4003")] * 20)      # issuance always fails; 3 rollbacks fail
    results = _run(server.url, jobs)

    assert not [r for r in results if r[1] >= 500]
    assert results == Counter({("5001", 201, None): 25, ("5001", 422, "ELE"): 95,
                               ("5002", 201, None): 100, ("5002", 422, "NEGBAL"): 50,
                               ("5003", 207, None): 3, ("5003", 422, "ISSUANCE"): 17})
    tables = requests.get(f"{server.url}/_sandbox/state/eagleeye", timeout=10).json()["tables"]
    balances = {a["account_id"]: a["current"] for a in tables["accounts"] if a["type"] == "POINTS"}
    assert balances == {"6001": 1_000_000 - 250, "6002": 0, "6003": 1_000_000 - 30}
    for account_id, balance in balances.items():
        assert sum(t["delta"] for t in tables["account_transactions"] if t["account_id"] == account_id) == balance
    assert sum(1 for a in tables["accounts"] if a["type"] == "ECOUPON") == 125
