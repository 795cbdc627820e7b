"""Helpers shared by the MyRewards tests."""
from __future__ import annotations

import copy

from tests.reliability.load import myrewards_ledgers

KEY = {"Authorization": "Token token=xxx"}          # the default world's key
SMALL_KEY = {"Authorization": "Token token=k"}       # small_world's key
BASE = "/myrewards"

PROGRAMME = {
    "id": 1, "name": "Small", "points_balance": 1000, "identifier_field": "username",
    "required_fields": ["firstname", "lastname", "tsandcs"],
    "api_keys": [
        {"key": "k"},
        {"key": "read-only", "permissions": {"users": ["read"], "transactions": ["read"], "performance": ["read"]}},
        {"key": "nothing", "permissions": {}},
        {"key": "with-secret", "secret": "s3cret"},
    ],
    "registration_questions": [
        {"id": 5, "label": "Staff number", "mandatory": "true", "field_type": "text", "field_name": "staff_number"},
        {"id": 6, "label": "Favourite colour", "mandatory": "false", "field_type": "select", "options": "red blue"},
    ],
    "user_groups": [
        {"id": 1, "name": "root", "default": "false", "position": 1},
        {"id": 2, "name": "staff", "parent_id": 1, "default": "true", "position": 2},
        {"id": 3, "name": "managers", "parent_id": 1, "position": 1},
    ],
    "users": [
        {"id": 10, "username": "alice", "email": "alice@example.com", "firstname": "Alice", "lastname": "A",
         "tsandcs": True, "registration_answers_attributes": [{"registration_question_id": 5, "answer": "S1"}],
         "transactions": [{"transaction_type": "Credit", "variety": "Order Adjustment", "points": 100,
                           "reason": "opening balance", "created_at": "2026-01-01T00:00:00Z"}]},
        {"id": 11, "username": "bob", "email": "bob@example.com", "firstname": "Bob", "lastname": "B",
         "tsandcs": True, "registration_answers_attributes": [{"registration_question_id": 5, "answer": "S2"}]},
    ],
    "data_fields": [
        {"id": 50, "name": "Venue Code", "mandatory": True, "field_type": "free_text", "position": 1},
    ],
    "promotions": [
        {"id": 7, "name": "Spring", "products": [{"sku": "SKU-1", "points": 10}, {"sku": "SKU-0", "points": 0}],
         "data_fields": [
             {"id": 51, "name": "hero_name", "label": "Hero name", "mandatory": True, "field_type": "free_text"},
             {"id": 52, "name": "Superpower", "mandatory": False, "field_type": "list_values",
              "answers": "Flight\r\nStrength"},
             {"id": 53, "name": "Visits", "field_type": "numeric"},
             {"id": 54, "name": "Visit date", "field_type": "date"},
         ]},
        {"id": 8, "name": "Old", "status": "archived", "products": [{"sku": "SKU-OLD", "points": 5}]},
    ],
}
OTHER_PROGRAMME = {
    "id": 2, "name": "Other", "points_balance": 50, "api_keys": [{"key": "other"}],
    "users": [{"id": 20, "username": "carol", "firstname": "Carol", "lastname": "C", "tsandcs": True,
               "transactions": [{"transaction_type": "Credit", "variety": "Adjustment", "points": 30,
                                 "reason": "hello", "created_at": "2026-01-01T00:00:00Z"}]}],
    "promotions": [{"id": 9, "name": "Theirs", "products": [{"sku": "SKU-1", "points": 1}]}],
}


def small_world(**changes) -> dict:
    programme = copy.deepcopy(PROGRAMME)
    programme.update(changes)
    return {"name": "myrewards-small", "clock": "2026-02-01T10:00:00Z",
            "myrewards": {"programmes": [programme, copy.deepcopy(OTHER_PROGRAMME)]}}


def credit(points=100, variety="Programme Points", kind="Credit", reason="test", **extra) -> dict:
    return {"transaction": {"transaction_type": kind, "variety": variety, "points": points, "reason": reason, **extra}}


def debit(points=100, variety="Programme Points", **extra) -> dict:
    return credit(points, variety, "Debit", **extra)


def state(client) -> dict:
    """The MyRewards tables as the control API exports them."""
    return client.get("/_sandbox/state/myrewards").get_json()["tables"]


def assert_books_balance(client) -> None:
    """Every user's ledger runs without gaps and never below zero, and every
    programme's pool equals its start minus what programme-affecting transactions took."""
    assert_tables_balance(state(client))


def assert_tables_balance(tables: dict) -> None:
    myrewards_ledgers(tables)       # the same invariants the reliability suite checks


def balance(client, user_id: int, headers=KEY) -> int:
    response = client.get(f"{BASE}/api/v2/users/{user_id}/transactions/last", headers=headers)
    return response.get_json()["balance"] if response.status_code == 200 else 0


def pool(client, programme_id: int = 1) -> int:
    return next(p["points_balance"] for p in state(client)["programmes"] if p["id"] == programme_id)
