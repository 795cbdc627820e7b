import pytest
import requests


@pytest.mark.rewards_sandbox(scenario="default")
def test_bulkredeem_debits_the_balance(rewards_sandbox):
    base = rewards_sandbox.base_url("saasquatch")     # http://127.0.0.1:PORT/_ns/<test>/saasquatch
    tenant, auth = "test_abo912126tastastt", ("", "TEST_B4BYA15POHYQ284HBND1")
    rewards_sandbox.clock.freeze("2026-01-15T09:00:00Z")

    r = requests.post(f"{base}/api/v1/{tenant}/credit/bulkredeem",
                      json={"accountId": "613611", "unit": "CENTS", "amount": 100}, auth=auth)
    assert r.status_code == 200 and r.json()["creditRedeemed"] == 100

    too_much = {"accountId": "613611", "unit": "CENTS", "amount": 10**9}
    r = requests.post(f"{base}/api/v1/{tenant}/credit/bulkredeem", json=too_much, auth=auth)
    assert r.status_code == 402 and r.json()["apiErrorCode"] == "INSUFFICIENT_CREDIT"
    assert [e["status"] for e in rewards_sandbox.requests(api="saasquatch")] == [200, 402]
