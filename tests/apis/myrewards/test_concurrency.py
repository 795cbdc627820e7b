"""Several gunicorn workers, many concurrent debits and credits: nobody overspends."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .helpers import assert_tables_balance

pytestmark = pytest.mark.slow

KEY = {"Authorization": "Token token=k"}
WORLD = {
    "name": "myrewards-concurrency",
    "myrewards": {"programmes": [{
        "id": 1, "name": "Race", "points_balance": 500, "api_keys": [{"key": "k"}],
        "users": [
            {"id": 1, "username": "spender", "transactions": [
                {"transaction_type": "Credit", "variety": "Order Adjustment", "points": 1000, "reason": "start"}]},
            {"id": 2, "username": "earner"},
        ],
    }]},
}


def test_concurrent_debits_and_credits_never_overspend(live_server):
    server = live_server(WORLD, workers=4)

    def send(job):
        user, kind, variety = job
        body = {"transaction": {"transaction_type": kind, "variety": variety, "points": 10, "reason": "race"}}
        return kind, requests.post(f"{server.url}/myrewards/api/v1/users/{user}/transactions", json=body,
                                   headers=KEY, timeout=30).status_code

    # 240 debits of 10 from a balance of 1000, 80 credits of 10 from a pool of 500, interleaved
    jobs = ([(1, "Debit", "Redemption")] * 3 + [(2, "Credit", "Programme Points")]) * 80
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(send, jobs))

    debits = [status for kind, status in results if kind == "Debit"]
    credits = [status for kind, status in results if kind == "Credit"]
    assert all(status < 500 for _, status in results)
    assert (debits.count(200), debits.count(402)) == (100, 140)
    assert (credits.count(200), credits.count(412)) == (50, 30)

    last = requests.get(f"{server.url}/myrewards/api/v2/users/1/transactions/last", headers=KEY, timeout=10).json()
    assert last["balance"] == 0
    tables = requests.get(f"{server.url}/_sandbox/state/myrewards", timeout=10).json()["tables"]
    assert_tables_balance(tables)
    assert tables["programmes"][0]["points_balance"] == 0
    assert len(tables["transactions"]) == 1 + 100 + 50
