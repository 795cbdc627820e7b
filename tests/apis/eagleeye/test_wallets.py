"""Wallets, accounts, credit/debit and the reads; a partner flow written only from the
vendor's public pages."""
import hashlib
import json
import urllib.parse

import pytest

from tests.apis.eagleeye.helpers import ACCOUNT, WALLET, assert_error, assert_ledgers_balance, state, world


class PartnerClient:
    """What a partner writes from the vendor's pages and public clients: every call on the wallet
    host, `/2.0` API prefix, hash = sha256(prefix + path + ?query + payload + secret)."""

    def __init__(self, http, base: str, client_id: str, secret: str, prefix: str = "/2.0"):
        self.http, self.base, self.client_id, self.secret, self.prefix = http, base, client_id, secret, prefix

    def call(self, method, path, query=None, data=None):
        server_path = self.prefix + path + ("?" + urllib.parse.urlencode(query) if query else "")
        payload = json.dumps(data) if data is not None else ""
        digest = hashlib.sha256(f"{server_path}{payload}{self.secret}".encode()).hexdigest()
        response = self.http.open(self.base + server_path, method=method, data=payload, headers={
            "X-EES-AUTH-CLIENT-ID": self.client_id, "X-EES-AUTH-HASH": digest, "Content-Type": "application/json"})
        return response.status_code, response.get_json()


def test_partner_flow_against_the_default_world(make_app):
    air = PartnerClient(make_app("default").test_client(), "/eagleeye", "ees-client", "0987654321")
    status, wallet = air.call("POST", "/services/wallet", data={
        "state": "DEFAULT", "status": "ACTIVE", "type": "CONSUMER",
        "identities": [{"state": "DEFAULT", "status": "ACTIVE", "type": "CUSTOMER_ID", "value": "3333333333333333"}]})
    assert status == 201 and wallet["identities"][0]["value"] == "3333333333333333"
    wallet_id = wallet["walletId"]
    status, found = air.call("GET", "/wallet", query={"identity-value": "3333333333333333"})
    assert (status, found["walletId"]) == (200, wallet_id)

    status, account = air.call("POST", f"/wallet/{wallet_id}/scheme/100620987/account",
                               data={"status": "ACTIVE", "state": "EARNBURN"})
    assert status == 201 and account["type"] == "POINTS" and account["balances"]["current"] == 0
    account_id = account["accountId"]
    status, credit = air.call("PATCH", f"/wallet/{wallet_id}/account/{account_id}/credit", data={"value": 400})
    assert status == 200 and credit["event"] == "CREDIT" and credit["balancesAfter"]["current"] == 400

    status, rewards = air.call("GET", "/banks/pointsreward/84592/rewards")
    reward = rewards["results"][0]
    assert (reward["cost"], reward["threshold"]) == (150, 170)
    status, exchange = air.call("POST", f"/services/wallet/{wallet_id}/transaction/exchange/pointsreward", data={
        "accountId": account_id, "pointsRewardBankId": reward["pointsRewardBankId"],
        "pointsRewardBankRewardId": reward["pointsRewardBankRewardId"],
        "walletTransaction": {"reference": "partner-0001"}})
    assert status == 201
    wallet_transaction_id = exchange["walletTransactionId"]
    account_transaction_id = exchange["accounts"][0]["accountTransactionId"]

    status, points = air.call("GET", f"/wallet/{wallet_id}/account/{account_id}")
    assert points["balances"]["current"] == 250 and points["balances"]["usable"] == 250
    status, accounts = air.call("GET", f"/wallet/{wallet_id}/accounts")
    coupons = [a for a in accounts["results"] if a["type"] == "ECOUPON"]
    assert [c["campaignId"] for c in coupons] == [reward["resourceId"]]
    status, history = air.call("GET", f"/wallet/{wallet_id}/account/{account_id}/transactions")
    assert [t["event"] for t in history["results"]] == ["CREATE", "CREDIT", "EXCHANGE"]
    status, transaction = air.call("GET", f"/wallet/{wallet_id}/transaction/{wallet_transaction_id}")
    assert transaction["reference"] == "partner-0001" and transaction["type"] == "EXCHANGE"
    assert {"accountId": account_id, "accountTransactionId": account_transaction_id} in transaction["accounts"]
    status, transactions = air.call("GET", f"/wallet/{wallet_id}/transactions")
    assert transactions["total"] == 1


def test_the_default_world_exchanges_like_the_seed_example(make_app):
    """500 points, cost 150, threshold 170: three exchanges, then the threshold stops it."""
    air = PartnerClient(make_app("default").test_client(), "/eagleeye", "ees-client", "0987654321", prefix="")
    body = {"accountId": "4102305275", "rewardBankId": "84592", "rewardId": "186252"}
    path = "/services/wallet/555555/transaction/exchange/pointsreward"
    assert [air.call("POST", path, data=body)[0] for _ in range(4)] == [201, 201, 201, 422]
    assert air.call("GET", "/wallet/555555/account/4102305275")[1]["balances"]["current"] == 50


# -- wallets -------------------------------------------------------------------------------------

def test_create_wallet_defaults(air):
    api = air()
    response = api.post("/wallet", {})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["type"], body["state"], body["identities"]) == ("ACTIVE", "CONSUMER", "DEFAULT", [])
    assert api.get(f"/wallet/{body['walletId']}").get_json()["walletId"] == body["walletId"]


def test_an_identity_value_belongs_to_one_wallet(air):
    api = air()
    before = state(api.http)
    assert_error(api.post("/services/wallet", {"identities": [{"value": "card-5001"}]}), 409, "DUPLICATE")
    assert state(api.http) == before


def test_wallet_lookups(air):
    api = air()
    assert_error(api.get("/wallet"), 400, "BADREQ")
    assert_error(api.get("/wallet?identity-value=nobody"), 404, "NOTFOUND")
    assert_error(api.get("/wallet/9999"), 404, "NOTFOUND")


# -- accounts -----------------------------------------------------------------------------------

def test_one_points_account_per_scheme(air):
    api = air()
    assert_error(api.post(f"/wallet/{WALLET}/scheme/1001/account", {}), 409, "DUPLICATE")
    assert_error(api.post(f"/wallet/{WALLET}/scheme/9999/account", {}), 404, "NOTFOUND")
    assert_error(api.post("/wallet/9999/scheme/1001/account", {}), 404, "NOTFOUND")
    created = api.post("/services/wallet", {}).get_json()
    opened = api.post(f"/wallet/{created['walletId']}/scheme/1001/account", {})
    assert opened.status_code == 201 and opened.get_json()["state"] == "EARNBURN"


def test_credit_and_debit_move_the_balance_through_the_ledger(air):
    api = air()
    credit = api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/credit",
                       {"value": 100, "transactionDetails": {"reason": "goodwill"}}).get_json()
    assert credit["balancesBefore"] == {"current": 500, "lifetime": 500}
    assert credit["balancesAfter"] == {"current": 600, "lifetime": 600}
    assert credit["transactionDetails"] == {"reason": "goodwill"}
    debit = api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/debit", {"value": 1000}).get_json()
    assert debit["event"] == "DEBIT" and debit["balancesAfter"]["current"] == -400   # negatives allowed
    assert api.balance() == -400
    assert_ledgers_balance(api.http)


def test_debit_follows_the_scheme_settings(air):
    doc = world(schemes=[{"id": "1001", "allow_negative_balance": False}, {"id": "1002", "autotopup": True}])
    doc["eagleeye"]["wallets"][0]["accounts"].append({"accountId": "6009", "scheme_id": "1002", "balance": 10})
    api = air(doc)
    before = state(api.http)
    assert_error(api.patch(f"/wallet/{WALLET}/account/{ACCOUNT}/debit", {"value": 501}), 422, "NEGBAL")
    assert state(api.http) == before
    assert api.patch(f"/wallet/{WALLET}/account/6009/debit", {"value": 25}).status_code == 200
    events = [t["event"] for t in api.get(f"/wallet/{WALLET}/account/6009/transactions").get_json()["results"]]
    assert events == ["CREDIT", "DEBIT", "AUTOTOPUP"]
    assert api.balance("6009") == 0


@pytest.mark.parametrize("path, status", [
    (f"/wallet/{WALLET}/account/9999/credit", 404),
    (f"/wallet/9999/account/{ACCOUNT}/credit", 404),
    (f"/wallet/5002/account/{ACCOUNT}/credit", 404),
])
def test_credit_refusals(air, path, status):
    assert_error(air().patch(path, {"value": 1}), status)


def test_coupon_accounts_hold_no_points(air):
    api = air()
    coupon = api.exchange().get_json()["accounts"][1]["accountId"]
    assert_error(api.patch(f"/wallet/{WALLET}/account/{coupon}/credit", {"value": 1}), 400, "BADREQ")


# -- reads and lists -------------------------------------------------------------------------------

def test_lists_page_and_filter(air):
    api = air()
    for _ in range(3):
        api.exchange()
    page = api.get(f"/wallet/{WALLET}/accounts?limit=2&offset=1").get_json()
    assert (page["total"], page["limit"], page["offset"], len(page["results"])) == (4, 2, 1, 2)
    assert page["orderBy"] == [{"name": "accountId", "order": "ASC"}]
    assert api.get(f"/wallet/{WALLET}/accounts?type=ECOUPON").get_json()["total"] == 3
    assert api.get(f"/wallet/{WALLET}/accounts?type=POINTS&status=ACTIVE").get_json()["total"] == 1
    history = api.get(f"/wallet/{WALLET}/account/{ACCOUNT}/transactions?event=EXCHANGE").get_json()
    assert history["total"] == 3 and "account" not in history["results"][0]
    assert api.get(f"/wallet/{WALLET}/transactions?status=SETTLED&limit=1").get_json()["total"] == 3


def test_read_refusals(air):
    api = air()
    transaction = api.exchange().get_json()["walletTransactionId"]
    assert api.get(f"/wallet/{WALLET}/transaction/{transaction}").status_code == 200
    assert_error(api.get(f"/wallet/5002/transaction/{transaction}"), 404, "NOTFOUND")
    assert_error(api.get(f"/wallet/{WALLET}/transaction/1"), 404, "NOTFOUND")
    assert_error(api.get(f"/wallet/{WALLET}/account/9999"), 404, "NOTFOUND")
    assert_error(api.get(f"/wallet/{WALLET}/account/9999/transactions"), 404, "NOTFOUND")
    assert_error(api.get("/wallet/9999/accounts"), 404, "NOTFOUND")
    assert_error(api.get("/wallet/9999/bank/pointsreward/links"), 404, "NOTFOUND")
    assert_error(api.get("/banks/pointsreward/9999/rewards"), 404, "NOTFOUND")
