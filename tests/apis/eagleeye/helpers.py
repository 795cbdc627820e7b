"""Eagle Eye test helpers: a small world, and a client that signs like AIR clients do."""
from __future__ import annotations

import copy
import hashlib
import json

from tests.support import error_shape_problem

CLIENT, SECRET = "ees-client", "ees-secret"
OTHER_CLIENT, OTHER_SECRET = "other-client", "other-secret"
WALLET, ACCOUNT, BANK, REWARD, CAMPAIGN, SCHEME = "5001", "6001", "3001", "4001", "2001", "1001"
EXCHANGE_PATH = f"/services/wallet/{WALLET}/transaction/exchange/pointsreward"
EXCHANGE_BODY = {"accountId": ACCOUNT, "rewardBankId": BANK, "rewardId": REWARD}

BASE = {
    "clients": [
        {"client_id": CLIENT, "secret": SECRET,
         "location": {"incomingIdentifier": "STORE1", "parentIncomingIdentifier": "BANNER1"}},
        {"client_id": OTHER_CLIENT, "secret": OTHER_SECRET, "location": {"incomingIdentifier": "STORE9"}},
    ],
    "schemes": [{"id": SCHEME, "name": "Loyalty Points"}],
    "campaigns": [{"id": CAMPAIGN, "name": "2-for-1 coupon"}],
    "reward_banks": [{"pointsRewardBankId": BANK, "mode": "PUBLIC", "exchangeLimit": None,
                      "rewards": [{"pointsRewardBankRewardId": REWARD, "resourceId": CAMPAIGN,
                                   "cost": 150, "threshold": 170}]}],
    "wallets": [
        {"walletId": WALLET, "identities": [{"value": "card-5001"}],
         "accounts": [{"accountId": ACCOUNT, "type": "POINTS", "scheme_id": SCHEME, "balance": 500}]},
        {"walletId": "5002", "accounts": [{"accountId": "6002", "scheme_id": SCHEME, "balance": 500}]},
    ],
}


def world(**changes) -> dict:
    """The test world; keyword arguments replace whole top-level lists of the section."""
    section = copy.deepcopy(BASE)
    section.update(copy.deepcopy(changes))
    return {"name": "eagleeye-test", "clock": "2026-01-15T09:00:00Z", "eagleeye": section}


def set_balance(world_doc: dict, balance: int, account: str = ACCOUNT) -> dict:
    for wallet in world_doc["eagleeye"]["wallets"]:
        for acct in wallet["accounts"]:
            if acct["accountId"] == account:
                acct["balance"] = balance
    return world_doc


def reward_bank(**changes) -> dict:
    bank = copy.deepcopy(BASE["reward_banks"][0])
    rewards = changes.pop("rewards", None)
    reward_changes = changes.pop("reward", {})
    bank.update(changes)
    bank["rewards"] = rewards if rewards is not None else [{**bank["rewards"][0], **reward_changes}]
    return bank


def sign(path_and_query: str, body: bytes, secret: str) -> str:
    return hashlib.sha256(path_and_query.encode() + body + secret.encode()).hexdigest()


class AirClient:
    """Signs every request over the vendor path (below /eagleeye), as AIR clients do."""

    def __init__(self, test_client, client_id: str = CLIENT, secret: str = SECRET, prefix: str = ""):
        self.http, self.client_id, self.secret, self.prefix = test_client, client_id, secret, prefix

    def call(self, method: str, path: str, body=None, *, raw: bytes | None = None, headers: dict | None = None):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        signed_path = self.prefix + path
        all_headers = {"X-EES-AUTH-CLIENT-ID": self.client_id,
                       "X-EES-AUTH-HASH": sign(signed_path, data, self.secret),
                       "Content-Type": "application/json"}
        all_headers.update(headers or {})
        return self.http.open("/eagleeye" + signed_path, method=method, data=data, headers=all_headers)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def exchange(self, body=None, wallet: str = WALLET, **overrides):
        body = dict(EXCHANGE_BODY if body is None else body, **overrides)
        return self.post(f"/services/wallet/{wallet}/transaction/exchange/pointsreward", body)

    def balance(self, account: str = ACCOUNT, wallet: str = WALLET) -> int:
        response = self.get(f"/wallet/{wallet}/account/{account}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["balances"]["current"]


def state(test_client) -> dict:
    return test_client.get("/_sandbox/state/eagleeye").get_json()["tables"]


def assert_ledgers_balance(test_client) -> None:
    """Every POINTS account's transactions sum to its balance."""
    tables = state(test_client)
    points = [account for account in tables["accounts"] if account["type"] == "POINTS"]
    assert points, tables["accounts"]            # no POINTS account would leave nothing checked
    for account in points:
        total = sum(t["delta"] for t in tables["account_transactions"] if t["account_id"] == account["account_id"])
        assert total == account["current"], account


def assert_error(response, status: int, code: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert error_shape_problem("eagleeye", response) is None, error_shape_problem("eagleeye", response)
    if code is not None:
        assert body["errorCode"] == code, body
    return body
