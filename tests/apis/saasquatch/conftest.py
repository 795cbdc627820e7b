"""Worlds and a small client for the SaaSquatch tests.

Worlds start with the sandbox clock frozen at NOW, so a reward's state (pending, expired,
...) is decided by the dates the test gives it; tests move time through /_sandbox/clock.
"""
from __future__ import annotations

import base64
import copy

import pytest

NOW = "2026-03-01T00:00:00Z"
NOW_MS = 1772323200000
ALIAS, KEY = "test_tenant_a", "TEST_KEY_A"
OTHER_ALIAS, OTHER_KEY = "test_tenant_b", "TEST_KEY_B"


def basic(key: str, *, as_username: bool = False) -> dict:
    pair = f"{key}:" if as_username else f":{key}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def credit(reward_id: str, assigned: int, *, user: str = "u1", unit: str = "CENTS", **extra) -> dict:
    return {"id": reward_id, "userId": user, "type": "CREDIT", "unit": unit,
            "assignedCredit": assigned, "dateGiven": "2026-01-01T00:00:00Z", **extra}


def discount(reward_id: str, percent: int, source: str, *, user: str = "u1", **extra) -> dict:
    return {"id": reward_id, "userId": user, "type": "PCT_DISCOUNT", "discountPercent": percent,
            "rewardSource": source, "dateGiven": "2026-01-01T00:00:00Z", **extra}


def fueltank(reward_id: str, code: str, *, user: str = "u1", **extra) -> dict:
    return {"id": reward_id, "userId": user, "type": "FUELTANK", "fuelTankCode": code,
            "amount": 1000, "unit": "CENTS", "fueltankType": "CREDIT",
            "dateGiven": "2026-01-01T00:00:00Z", **extra}


def account(account_id: str, rewards: list, users=("u1", "u2")) -> dict:
    return {"id": account_id, "users": [{"id": u, "firstName": u.upper()} for u in users],
            "rewards": rewards}


def world(accounts: list, *, other_accounts: list | None = None, name: str = "saasquatch-test",
          **tenant_settings) -> dict:
    """Tenant A holds ``accounts``; tenant B (``other_accounts``) is there to prove isolation."""
    tenants = [{"tenant_alias": ALIAS, "api_key": KEY, "accounts": accounts, **tenant_settings}]
    if other_accounts is not None:
        tenants.append({"tenant_alias": OTHER_ALIAS, "api_key": OTHER_KEY,
                        "accounts": other_accounts})
    return {"name": name, "clock": NOW, "saasquatch": {"tenants": copy.deepcopy(tenants)}}


class Squatch:
    """Calls tenant A's API (or another tenant's, with ``alias``/``key``)."""

    def __init__(self, client, alias: str = ALIAS, key: str = KEY):
        self.client, self.alias, self.key = client, alias, key

    def url(self, path: str) -> str:
        return f"/saasquatch/api/v1/{self.alias}{path}"

    def get(self, path: str, **query):
        return self.client.get(self.url(path), query_string=query, headers=basic(self.key))

    def post(self, path: str, body=None):
        if body is None:
            return self.client.post(self.url(path), headers=basic(self.key))
        return self.client.post(self.url(path), json=body, headers=basic(self.key))

    def balances(self, account_id: str, **filters) -> list:
        response = self.get("/reward/balance", accountId=account_id, **filters)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def credit_balance(self, account_id: str, unit: str = "CENTS", **filters) -> dict:
        found = [b for b in self.balances(account_id, **filters)
                 if b["type"] == "CREDIT" and b["unit"] == unit]
        assert len(found) == 1, found
        return found[0]

    def bulk_redeem(self, account_id: str, amount, unit: str = "CENTS"):
        return self.post("/credit/bulkredeem", {"accountId": account_id, "unit": unit, "amount": amount})

    def reward(self, reward_id: str) -> dict:
        response = self.get(f"/reward/{reward_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def state(self) -> dict:
        return self.client.get("/_sandbox/state/saasquatch").json["tables"]

    def advance(self, by: str) -> None:
        assert self.client.post("/_sandbox/clock/advance", json={"by": by}).status_code == 200


@pytest.fixture
def squatch(make_app):
    """``squatch(world_dict)`` -> a Squatch client for tenant A of a fresh app."""

    def build(world_doc: dict, **settings) -> Squatch:
        return Squatch(make_app(world_doc, **settings).test_client())

    return build
