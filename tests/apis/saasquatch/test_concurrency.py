"""Concurrent bulkredeem calls from several gunicorn workers against one account: exactly
as many succeed as the balance allows, and the balance ends where the ledger says."""
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .conftest import KEY, OTHER_KEY, account, basic, credit, world

pytestmark = pytest.mark.slow

AMOUNT = 7
REQUESTS = 240


def test_concurrent_bulkredeem_never_overspends(live_server):
    rewards = [credit(f"r{i}", 100 + i, user=f"u{i % 2 + 1}",
                      dateExpires=f"2026-0{4 + i % 5}-01T00:00:00Z") for i in range(10)]
    total = sum(r["assignedCredit"] for r in rewards)  # 1045
    doc = world([account("acct", rewards)], other_accounts=[account("acct", [credit("b", 500)])])
    server = live_server(doc, workers=4)
    base = f"{server.url}/saasquatch/api/v1"

    def redeem(_):
        with requests.Session() as session:
            response = session.post(f"{base}/test_tenant_a/credit/bulkredeem", headers=basic(KEY),
                                    json={"accountId": "acct", "unit": "CENTS", "amount": AMOUNT}, timeout=30)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(redeem, range(REQUESTS)))

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: total // AMOUNT, 402: REQUESTS - total // AMOUNT}, statuses
    remaining = sorted(body["creditAvailable"] for status, body in results if status == 200)
    assert remaining == [total - AMOUNT * n for n in range(total // AMOUNT, 0, -1)]

    balance = requests.get(f"{base}/test_tenant_a/reward/balance", params={"accountId": "acct"},
                           headers=basic(KEY), timeout=10).json()[0]
    listed = requests.get(f"{base}/test_tenant_a/reward", params={"accountId": "acct"},
                          headers=basic(KEY), timeout=10).json()
    ledger = sum(r["quantityRedeemed"] for reward in listed for r in reward["redemptions"])
    assert ledger == balance["totalRedeemedCredit"] == AMOUNT * (total // AMOUNT)
    assert balance["totalAssignedCredit"] - balance["totalRedeemedCredit"] == total % AMOUNT
    assert all(r["redeemedCredit"] <= r["assignedCredit"] for r in listed)
    # the other tenant's account of the same id was never touched
    other = requests.get(f"{base}/test_tenant_b/reward/balance", params={"accountId": "acct"},
                         headers=basic(OTHER_KEY), timeout=10).json()[0]
    assert other["totalRedeemedCredit"] == 0
