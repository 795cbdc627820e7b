"""Campaign issuance checked after the debit: a breach rolls back, restores balances and
leaves VOIDED traces; the rollback_fails fault turns exactly `times` of them into 207."""
import pytest

from tests.apis.eagleeye.helpers import (ACCOUNT, CAMPAIGN, WALLET, assert_error, assert_ledgers_balance, reward_bank,
                                         set_balance, state, world)


def _world(balance=500, autotopup=False, **campaign) -> dict:
    doc = world(campaigns=[{"id": CAMPAIGN, "name": "2-for-1", **campaign}],
                schemes=[{"id": "1001", "name": "Points", "autotopup": autotopup}],
                reward_banks=[reward_bank(reward={"threshold": 0})])
    return set_balance(doc, balance)


def _arm(api, times: int) -> None:
    response = api.http.post("/_sandbox/faults", json={"api": "eagleeye", "name": "rollback_fails", "times": times})
    assert response.status_code == 201


def _remaining(api) -> int:
    return sum(f["remaining"] for f in api.http.get("/_sandbox/faults").get_json()["faults"])


@pytest.mark.parametrize("campaign", [
    {"issuance_limit_total": 0},
    {"issuance_limit_per_wallet": 0},
    {"issuance_start": "2026-01-16T00:00:00Z"},
    {"issuance_end": "2026-01-14T00:00:00Z"},
])
def test_issuance_breach_rolls_back_and_leaves_voided_traces(air, campaign):
    api = air(_world(**campaign))
    body = assert_error(api.exchange(walletTransaction={"reference": "r-1"}), 422, "ISSUANCE")
    assert "rolled back" in body["errorMessage"]
    assert api.balance() == 500
    wallet_transactions = api.get(f"/wallet/{WALLET}/transactions").get_json()["results"]
    assert [(t["type"], t["status"], t["reference"]) for t in wallet_transactions] == [("EXCHANGE", "VOIDED", "r-1")]
    listed = api.get(f"/wallet/{WALLET}/account/{ACCOUNT}/transactions").get_json()["results"]
    exchange, void = listed[1:]
    assert (exchange["event"], exchange["status"], exchange["value"]) == ("EXCHANGE", "VOIDED", 150)
    assert (void["event"], void["value"], void["parentAccountTransactionId"]) == (
        "VOID", 150, exchange["accountTransactionId"])
    assert void["balancesAfter"]["current"] == 500
    refs = {r["accountTransactionId"] for r in wallet_transactions[0]["accounts"]}
    assert refs == {exchange["accountTransactionId"], void["accountTransactionId"]}
    accounts = api.get(f"/wallet/{WALLET}/accounts?type=ECOUPON").get_json()
    assert accounts["total"] == 0
    assert_ledgers_balance(api.http)


def test_rollback_restores_an_autotopup_too(air):
    api = air(_world(balance=100, autotopup=True, issuance_limit_total=0))
    assert_error(api.exchange(), 422, "ISSUANCE")
    assert api.balance() == 100
    events = [(t["event"], t["status"]) for t in
              api.get(f"/wallet/{WALLET}/account/{ACCOUNT}/transactions").get_json()["results"]]
    assert events == [("CREDIT", "ACTIVE"), ("EXCHANGE", "VOIDED"), ("AUTOTOPUP", "VOIDED"),
                      ("VOID", "ACTIVE"), ("VOID", "ACTIVE")]
    assert_ledgers_balance(api.http)


def test_issuance_limits_count_issued_coupons(air):
    api = air(_world(balance=10_000, issuance_limit_total=2))
    assert [api.exchange().status_code for _ in range(2)] == [201, 201]
    assert_error(api.exchange(), 422, "ISSUANCE")
    assert_error(api.exchange(wallet="5002", accountId="6002"), 422, "ISSUANCE")   # the total is for everyone
    assert api.balance() == 10_000 - 300


def test_per_wallet_issuance_limit(air):
    api = air(_world(balance=10_000, issuance_limit_per_wallet=1))
    assert api.exchange().status_code == 201
    assert_error(api.exchange(), 422, "ISSUANCE")
    assert api.exchange(wallet="5002", accountId="6002").status_code == 201


def test_issuance_window_is_inclusive_and_follows_the_sandbox_clock(air):
    api = air(_world(issuance_start="2026-01-15T09:00:00Z", issuance_end="2026-01-15T10:00:00Z"))
    assert api.exchange().status_code == 201               # clock is at the start
    api.http.put("/_sandbox/clock", json={"frozen_at": "2026-01-15T10:00:00Z"})
    assert api.exchange().status_code == 201
    api.http.post("/_sandbox/clock/advance", json={"seconds": 1})
    assert_error(api.exchange(), 422, "ISSUANCE")


def test_rollback_fails_gives_207_exactly_times(air):
    api = air(_world(balance=10_000, issuance_limit_total=0))
    _arm(api, times=2)
    statuses = [api.exchange().status_code for _ in range(4)]
    assert statuses == [207, 207, 422, 422]
    assert _remaining(api) == 0
    # the two failed rollbacks kept their debit; the two real rollbacks restored theirs
    assert api.balance() == 10_000 - 300
    listed = api.get(f"/wallet/{WALLET}/transactions").get_json()["results"]
    assert [t["status"] for t in listed] == ["ACTIVE", "ACTIVE", "VOIDED", "VOIDED"]
    assert_ledgers_balance(api.http)


def test_the_207_body_has_the_details(air):
    api = air(_world(issuance_limit_total=0))
    _arm(api, times=1)
    response = api.exchange()
    assert response.status_code == 207
    body = response.get_json()
    assert body["walletTransaction"]["type"] == "EXCHANGE"
    assert body["walletTransaction"]["status"] == "ACTIVE"
    assert [t["event"] for t in body["accountTransactions"]] == ["EXCHANGE"]
    assert body["accountTransactions"][0]["balancesAfter"]["current"] == 350
    assert [e["errorCode"] for e in body["errors"]] == ["ISSUANCE", "ROLLBACK"]
    assert all(e["errorMessage"] for e in body["errors"])


def test_the_fault_waits_for_a_failing_exchange(air):
    """Successful exchanges and refusals before any write do not consume it."""
    doc = _world(balance=10_000, issuance_limit_total=1)
    api = air(doc)
    _arm(api, times=1)
    assert api.exchange().status_code == 201
    assert_error(api.exchange(accountId="9999"), 404)
    assert _remaining(api) == 1
    assert api.exchange().status_code == 207
    assert _remaining(api) == 0


@pytest.mark.parametrize("autotopup, balance", [(False, 500), (True, 100)])
def test_a_rolled_back_exchange_changes_nothing_but_the_traces(air, autotopup, balance):
    api = air(_world(balance=balance, autotopup=autotopup, issuance_limit_total=0))
    account_before = api.get(f"/wallet/{WALLET}/account/{ACCOUNT}").get_json()
    before = state(api.http)
    assert api.http.post("/_sandbox/clock/advance", json={"by": "1h"}).status_code == 200
    assert_error(api.exchange(), 422, "ISSUANCE")
    after = state(api.http)
    for table in ("wallets", "identities", "links", "banks", "rewards", "campaigns", "schemes", "clients"):
        assert after[table] == before[table]
    # "restored to the state before this API call": lastUpdated included
    assert after["accounts"] == before["accounts"]
    assert api.get(f"/wallet/{WALLET}/account/{ACCOUNT}").get_json() == account_before
