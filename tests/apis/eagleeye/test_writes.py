"""The writes around an exchange: wallet-level credit and debit, earn, void, campaign
accounts, wallet delete, reward banks, link delete; each keeps the ledger and the
negative-balance and AUTOTOPUP rules, and a refusal changes nothing."""
import pytest

from tests.apis.eagleeye.helpers import (ACCOUNT, BANK, CAMPAIGN, REWARD, WALLET, assert_error, assert_ledgers_balance,
                                         reward_bank, set_balance, state, world)

CREDIT = f"/services/wallet/{WALLET}/transaction/credit"
DEBIT = f"/services/wallet/{WALLET}/transaction/debit"
TRANSACTIONS = f"/wallet/{WALLET}/account/{ACCOUNT}/transactions"


def _world(balance=500, **scheme) -> dict:
    doc = world(schemes=[{"id": "1001", "name": "Points", **scheme}],
                campaigns=[{"id": CAMPAIGN, "name": "2-for-1"}, {"id": "2002", "name": "sold out",
                                                                "issuance_limit_total": 0}],
                reward_banks=[reward_bank(reward={"threshold": 0}),
                              {"pointsRewardBankId": "3002", "mode": "PERSONAL", "exchangeLimit": None,
                               "rewards": [{"pointsRewardBankRewardId": "4002", "resourceId": CAMPAIGN, "cost": 10}]}])
    return set_balance(doc, balance)


def _events(api) -> list[tuple]:
    return [(t["event"], t["status"], t["value"]) for t in api.get(TRANSACTIONS).get_json()["results"]]


# -- wallet-level credit and debit ------------------------------------------------------------------

def test_wallet_credit_is_a_credit_wallet_transaction(air):
    api = air(_world())
    response = api.post(CREDIT, {"accountId": ACCOUNT, "value": 70, "transactionDetails": {"why": "goodwill"},
                                 "walletTransaction": {"reference": "credit-1"}})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["type"], body["status"], body["reference"], body["walletId"]) == ("CREDIT", "SETTLED", "credit-1",
                                                                                    WALLET)
    [posting] = body["accounts"]
    assert (posting["event"], posting["value"], posting["balancesAfter"]["current"]) == ("CREDIT", 70, 570)
    assert posting["transactionDetails"] == {"why": "goodwill"} and posting["account"]["balances"]["current"] == 570
    assert body["location"]["incomingIdentifier"] == "STORE1"
    assert api.balance() == 570
    assert_ledgers_balance(api.http)


def test_wallet_debit_follows_autotopup(air):
    api = air(_world(100, autotopup=True))
    body = api.post(DEBIT, {"accountId": ACCOUNT, "value": 130}).get_json()
    assert body["type"] == "DEBIT"
    assert [(p["event"], p["value"], p["balancesAfter"]["current"]) for p in body["accounts"]] == [
        ("DEBIT", 130, -30), ("AUTOTOPUP", 30, 0)]
    assert api.balance() == 0
    assert_ledgers_balance(api.http)


def test_wallet_debit_refused_when_negatives_are_not_allowed(air):
    api = air(_world(100, allow_negative_balance=False))
    before = state(api.http)
    assert_error(api.post(DEBIT, {"accountId": ACCOUNT, "value": 101}), 422, "NEGBAL")
    assert state(api.http) == before
    assert api.post(DEBIT, {"accountId": ACCOUNT, "value": 100}).status_code == 201
    assert api.balance() == 0


@pytest.mark.parametrize("body, status", [
    ({"value": 5}, 400), ({"accountId": ACCOUNT}, 400), ({"accountId": ACCOUNT, "value": 0}, 400),
    ({"accountId": ACCOUNT, "value": "5"}, 400), ({"accountId": ACCOUNT, "value": 5.5}, 400),
    ({"accountId": "6002", "value": 5}, 404), ({"accountId": "9999", "value": 5}, 404),
])
def test_wallet_movement_refusals_change_nothing(air, body, status):
    api = air(_world())
    before = state(api.http)
    for path in (CREDIT, DEBIT):
        assert_error(api.post(path, body), status)
    assert_error(api.post("/services/wallet/9999/transaction/credit", {"accountId": ACCOUNT, "value": 5}), 404)
    assert state(api.http) == before


# -- earn and void ---------------------------------------------------------------------------------

def test_earn_raises_the_balance_and_the_lifetime(air):
    api = air(_world())
    response = api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/earn", {"value": 25})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["event"], body["value"], body["balancesAfter"]) == ("EARN", 25, {"current": 525, "lifetime": 525})
    assert_ledgers_balance(api.http)


def test_void_reverses_a_credit_and_marks_it_voided(air):
    api = air(_world())
    credit = api.post(CREDIT, {"accountId": ACCOUNT, "value": 40}).get_json()
    transaction_id = credit["accounts"][0]["accountTransactionId"]
    response = api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/transaction/{transaction_id}/void")
    assert response.status_code == 200
    void = response.get_json()
    assert (void["event"], void["value"], void["parentAccountTransactionId"]) == ("VOID", 40, transaction_id)
    assert api.balance() == 500
    assert _events(api)[1:] == [("CREDIT", "VOIDED", 40), ("VOID", "ACTIVE", 40)]
    wallet_transaction = api.get(f"/wallet/{WALLET}/transaction/{credit['walletTransactionId']}").get_json()
    assert wallet_transaction["status"] == "VOIDED"
    before = state(api.http)
    assert_error(api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/transaction/{transaction_id}/void"), 422,
                 "NOTVOIDABLE")
    assert state(api.http) == before
    assert_ledgers_balance(api.http)


def test_a_void_that_leaves_a_negative_balance_is_topped_up(air):
    api = air(_world(0, autotopup=True))
    credit = api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/credit", {"value": 50}).get_json()
    assert api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/debit", {"value": 30}).status_code == 200
    api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/transaction/{credit['accountTransactionId']}/void")
    assert _events(api)[-2:] == [("VOID", "ACTIVE", 50), ("AUTOTOPUP", "ACTIVE", 30)]
    assert api.balance() == 0
    assert_ledgers_balance(api.http)


def test_a_void_the_scheme_forbids_is_refused(air):
    api = air(_world(0, allow_negative_balance=False))
    credit = api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/credit", {"value": 50}).get_json()
    api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/debit", {"value": 30})
    before = state(api.http)
    assert_error(api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/transaction/{credit['accountTransactionId']}/void"),
                 422, "NEGBAL")
    assert state(api.http) == before


def test_only_credits_debits_and_earns_can_be_voided(air):
    api = air(_world())
    exchange = api.exchange().get_json()
    exchange_tx = exchange["accounts"][0]["accountTransactionId"]
    assert_error(api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/transaction/{exchange_tx}/void"), 422, "NOTVOIDABLE")
    assert_error(api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/transaction/999/void"), 404, "NOTFOUND")
    coupon = exchange["accounts"][-1]["accountId"]
    assert_error(api.patch(f"/wallet/{WALLET}/account/{coupon}/transaction/{exchange_tx}/void"), 400, "BADREQ")


# -- campaign accounts and wallet delete ----------------------------------------------------------

def test_campaign_account_issues_a_coupon_within_the_campaign_limits(air):
    api = air(_world())
    response = api.post(f"/wallet/{WALLET}/campaign/{CAMPAIGN}/account", {"status": "ACTIVE", "state": "LOADED"})
    assert response.status_code == 201
    coupon = response.get_json()
    assert (coupon["type"], coupon["campaignId"], coupon["balances"]) == ("ECOUPON", CAMPAIGN,
                                                                          {"available": 0, "refundable": 0})
    before = state(api.http)
    assert_error(api.post(f"/wallet/{WALLET}/campaign/2002/account", {}), 422, "ISSUANCE")
    assert_error(api.post(f"/wallet/{WALLET}/campaign/9999/account", {}), 404, "NOTFOUND")
    assert state(api.http) == before


def test_a_deleted_wallet_is_gone_from_the_api(air):
    api = air(_world())
    response = api.call("DELETE", f"/services/wallet/{WALLET}")
    assert response.status_code == 204 and response.data == b"" and "Content-Type" not in response.headers
    assert_error(api.get(f"/wallet/{WALLET}"), 404)
    assert_error(api.get("/wallet?identity-value=card-5001"), 404)
    assert_error(api.exchange(), 404)
    assert_error(api.post(CREDIT, {"accountId": ACCOUNT, "value": 1}), 404)
    assert_error(api.call("DELETE", f"/services/wallet/{WALLET}"), 404)
    assert api.get("/wallet/5002").status_code == 200
    assert_ledgers_balance(api.http)


# -- reward banks and links ------------------------------------------------------------------------

NEW_BANK = {"name": "Summer bank", "reference": "summer-1", "mode": "PRIVATE", "status": "ACTIVE",
            "exchangeLimit": 2, "rewards": [{"resourceType": "CAMPAIGN", "resourceId": CAMPAIGN, "cost": 90,
                                             "status": "ACTIVE"}]}


def test_create_read_and_amend_a_bank(air):
    api = air(_world())
    response = api.post("/banks/pointsreward", NEW_BANK)
    assert response.status_code == 201
    bank = response.get_json()
    assert (bank["name"], bank["reference"], bank["mode"], bank["exchangeLimit"]) == ("Summer bank", "summer-1",
                                                                                      "PERSONAL", 2)
    [reward] = bank["rewards"]
    assert (reward["cost"], reward["threshold"], reward["pointsRewardBankId"]) == (90, 90, bank["pointsRewardBankId"])
    bank_id = bank["pointsRewardBankId"]
    assert api.get(f"/banks/pointsreward/{bank_id}").get_json() == bank
    amended = api.patch(f"/banks/pointsreward/{bank_id}", {"status": "INACTIVE", "exchangeLimit": None})
    assert amended.status_code == 200
    assert (amended.get_json()["status"], amended.get_json()["exchangeLimit"]) == ("INACTIVE", None)
    assert_error(api.patch(f"/banks/pointsreward/{bank_id}", {"mode": "PUBLIC"}), 400, "BADREQ")
    assert_error(api.get("/banks/pointsreward/9999"), 404, "NOTFOUND")
    assert_error(api.patch("/banks/pointsreward/9999", {"status": "ACTIVE"}), 404, "NOTFOUND")


def test_a_created_public_bank_is_exchangeable(air):
    api = air(_world())
    bank = api.post("/banks/pointsreward", {**NEW_BANK, "mode": "PUBLIC", "exchangeLimit": 1}).get_json()
    body = {"accountId": ACCOUNT, "pointsRewardBankId": bank["pointsRewardBankId"],
            "pointsRewardBankRewardId": bank["rewards"][0]["pointsRewardBankRewardId"]}
    assert api.exchange(body).status_code == 201
    assert api.balance() == 410
    assert_error(api.exchange(body), 422, "ELE")


@pytest.mark.parametrize("change", [{"name": None}, {"mode": "SHARED"}, {"status": None}, {"rewards": [{"cost": 1}]},
                                    {"rewards": [{"resourceId": CAMPAIGN, "cost": -1}]}, {"exchangeLimit": "2"}])
def test_bad_banks_are_400_and_write_nothing(air, change):
    api = air(_world())
    before = state(api.http)
    body = {k: v for k, v in {**NEW_BANK, **change}.items() if v is not None}
    assert_error(api.post("/banks/pointsreward", body), 400, "BADREQ")
    assert_error(api.post("/banks/pointsreward", {**NEW_BANK, "rewards": [{"resourceId": "9999", "cost": 1}]}),
                 404, "NOTFOUND")
    assert state(api.http) == before


def test_delete_a_wallets_links_to_a_bank(air):
    api = air(_world())
    assert api.post(f"/wallet/{WALLET}/link/bank/pointsreward/3002", {}).status_code == 201
    assert api.post(f"/wallet/{WALLET}/link/bank/pointsreward/3002", {}).status_code == 201
    response = api.call("DELETE", f"/wallet/{WALLET}/link/bank/pointsreward/3002")
    assert response.status_code == 204 and response.data == b""
    assert api.get(f"/wallet/{WALLET}/bank/pointsreward/links").get_json()["total"] == 0
    assert_error(api.exchange(rewardBankId="3002", rewardId="4002"), 422, "NOLINK")
    assert_error(api.call("DELETE", f"/wallet/{WALLET}/link/bank/pointsreward/3002"), 404, "NOTFOUND")
    assert_error(api.call("DELETE", f"/wallet/{WALLET}/link/bank/pointsreward/9999"), 404, "NOTFOUND")


# -- reads -------------------------------------------------------------------------------------------

def test_wallet_transaction_by_reference(air):
    api = air(_world())
    api.exchange(walletTransaction={"reference": "order-1"})
    made = api.post(CREDIT, {"accountId": ACCOUNT, "value": 1, "walletTransaction": {"reference": "order-2"}})
    found = api.get("/wallet/transaction?reference=order-2")
    assert found.status_code == 200
    body = found.get_json()
    assert body["walletTransactionId"] == made.get_json()["walletTransactionId"] and body["type"] == "CREDIT"
    assert body["accounts"] == [{"accountId": ACCOUNT,
                                 "accountTransactionId": made.get_json()["accounts"][0]["accountTransactionId"]}]
    assert api.get("/2.0/wallet/transaction?reference=order-1").get_json()["type"] == "EXCHANGE"
    assert_error(api.get("/wallet/transaction?reference=nothing"), 404, "NOTFOUND")
    assert_error(api.get("/wallet/transaction"), 400, "BADREQ")
    api.call("DELETE", f"/services/wallet/{WALLET}")
    assert_error(api.get("/wallet/transaction?reference=order-2"), 404, "NOTFOUND")


def test_wallet_transaction_filters_order_and_children(air):
    api = air(_world())
    first = api.post(CREDIT, {"accountId": ACCOUNT, "value": 1}).get_json()
    api.http.post("/_sandbox/clock/advance", json={"by": "1d"})
    second = api.post(DEBIT, {"accountId": ACCOUNT, "value": 1}).get_json()
    listing = f"/wallet/{WALLET}/transactions"

    def ids(query):
        response = api.get(f"{listing}?{query}")
        assert response.status_code == 200, response.get_json()
        return [t["walletTransactionId"] for t in response.get_json()["results"]]

    assert ids(f"walletTransactionId={second['walletTransactionId']}") == [second["walletTransactionId"]]
    assert ids("dateCreated=2026-01-15") == [first["walletTransactionId"]]
    assert ids("transactionDateTime=2026-01-16T09:00:00%2B00:00") == [second["walletTransactionId"]]
    assert ids("lastUpdated=2026-01-17") == []
    assert ids("orderBy=dateCreated,DESC") == [second["walletTransactionId"], first["walletTransactionId"]]
    assert api.get(f"{listing}?orderBy=dateCreated,DESC").get_json()["orderBy"] == [{"name": "dateCreated",
                                                                                      "order": "DESC"}]
    children = api.get(f"{listing}?includeChildren=true").get_json()["results"][1]["accounts"]
    assert [(c["event"], c["value"]) for c in children] == [("DEBIT", 1)]
    for bad in ("orderBy=nothing", "orderBy=dateCreated,UP", "dateCreated=yesterday", "includeChildren=maybe"):
        assert_error(api.get(f"{listing}?{bad}"), 400, "BADREQ")
