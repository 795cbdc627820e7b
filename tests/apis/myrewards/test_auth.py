"""Authentication (401), per-resource permissions (403) and programme scoping, on every route."""
from __future__ import annotations

import pytest

from sandbox.apis.myrewards.auth import replay_headers, token_from_header

from .helpers import BASE, small_world, state

# (method, path, resource, access, a body the route accepts)
ROUTES = [
    ("GET", "/api/v2/registration_questions", "users", "read", None),
    ("GET", "/api/v2/user_groups", "users", "read", None),
    ("GET", "/api/v2/user_group", "users", "read", None),
    ("GET", "/api/v2/user_groups/1", "users", "read", None),
    ("POST", "/api/v2/users", "users", "write", {"username": "z", "firstname": "Z", "lastname": "Z", "tsandcs": True,
                                                 "registration_answers_attributes": [{"registration_question_id": 5, "answer": "1"}]}),
    ("PUT", "/api/v2/users/10", "users", "write", {"firstname": "Al"}),
    ("PATCH", "/api/v2/users/10", "users", "write", {"firstname": "Al"}),
    ("GET", "/api/v2/users/10/transactions", "transactions", "read", None),
    ("GET", "/api/v2/users/10/transactions/last", "transactions", "read", None),
    ("POST", "/api/v1/users/10/transactions", "transactions", "write",
     {"transaction": {"transaction_type": "Credit", "variety": "Adjustment", "points": 1, "reason": "x"}}),
    ("GET", "/api/v2/performance/data_fields", "performance", "read", None),
    ("GET", "/api/v2/performance/promotions", "performance", "read", None),
    ("GET", "/api/v2/performance/promotions/7/data_fields", "performance", "read", None),
    ("POST", "/api/v2/performance/data", "performance", "write",
     {"data": [{"date_of_sale": "2026-01-05", "product_or_activity": "SKU-1", "quantity": 1, "username": "alice",
                "Venue Code": "V1", "Hero name": "Bat"}]}),
    ("POST", "/api/v2/performance/promotions/7/data", "performance", "write",
     {"data": [{"date_of_sale": "2026-01-05", "product_or_activity": "SKU-1", "quantity": 1, "user_id": 10,
                "venue_code": "V1", "hero_name": "Bat"}]}),
]
ROUTE_IDS = [f"{m} {p}" for m, p, *_ in ROUTES]
SUCCESS = {"GET": 200, "PUT": 200, "PATCH": 200, "POST": None}


def call(client, method, path, body, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    return client.open(BASE + path, method=method, json=body, headers=headers)


@pytest.fixture
def client(shared_small):
    return shared_small


@pytest.mark.parametrize("method, path, resource, access, body", ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("authorization", [
    None, "", "Token token=", "Token token=wrong", "Basic eHh4Og==", "Token", "token=k", "Token token=k:",
    "Token token=with-secret", "Token token=with-secret:wrong", "Token token=k:extra", "Token token=K",
    "Token token=\u00e9\u00e9", "Token token=" + "k" * 5000,
])
def test_bad_credentials_are_401_and_change_nothing(client, method, path, resource, access, body, authorization):
    before = state(client)
    response = call(client, method, path, body, authorization)
    assert response.status_code == 401
    assert response.get_json() == {"errors": ["HTTP Token: Access denied."]}
    assert response.headers["WWW-Authenticate"] == 'Token realm="Application"'
    assert state(client) == before


@pytest.mark.parametrize("method, path, resource, access, body", ROUTES, ids=ROUTE_IDS)
def test_each_route_needs_its_permission(small, make_app, method, path, resource, access, body):
    others = {"read": ["write"], "write": ["read"]}[access]
    everything_else = {r: ["read", "write"] for r in ("users", "transactions", "performance") if r != resource}
    world = small_world(api_keys=[{"key": "partial", "permissions": {**everything_else, resource: others}},
                                  {"key": "exact", "permissions": {resource: [access]}}])
    client = make_app(world).test_client()
    before = state(client)
    refused = call(client, method, path, body, "Token token=partial")
    assert refused.status_code == 403
    assert refused.get_json() == {"errors": [f"This API key does not have {access} permission for {resource}"]}
    assert state(client) == before
    allowed = call(client, method, path, body, "Token token=exact")
    assert allowed.status_code in (200, 201), allowed.get_data(as_text=True)


@pytest.mark.parametrize("authorization", [
    "Token token=k", "TOKEN token=k", "token token=k", 'Token token="k"', "Token token=k, nonce=1",
    "Bearer k", "Token token=with-secret:s3cret", 'Token token="with-secret:s3cret"',
])
def test_accepted_header_forms(client, authorization):
    assert call(client, "GET", "/api/v2/user_groups", None, authorization).status_code == 200


def test_key_without_a_permissions_entry_has_all_of_them(small):
    client = small()
    assert call(client, "GET", "/api/v2/user_groups", None, "Token token=k").status_code == 200
    assert call(client, "GET", "/api/v2/user_groups", None, "Token token=nothing").status_code == 403


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v2/users/10/transactions"), ("GET", "/api/v2/users/10/transactions/last"),
    ("PUT", "/api/v2/users/10"), ("GET", "/api/v2/user_groups/1"),
    ("GET", "/api/v2/performance/promotions/7/data_fields"),
])
def test_another_programmes_records_are_not_found(client, method, path):
    response = call(client, method, path, {"firstname": "X"}, "Token token=other")
    assert response.status_code == 404 and response.get_json()["errors"][0].endswith("not found")


def test_another_programmes_user_is_204_on_the_v1_post(client):
    body = {"transaction": {"transaction_type": "Credit", "variety": "Adjustment", "points": 1, "reason": "x"}}
    assert call(client, "POST", "/api/v1/users/10/transactions", body, "Token token=other").status_code == 204


def test_lists_are_scoped_to_the_keys_programme(client):
    groups = call(client, "GET", "/api/v2/user_groups", None, "Token token=other").get_json()
    promotions = call(client, "GET", "/api/v2/performance/promotions", None, "Token token=other").get_json()
    assert groups == [] and [p["id"] for p in promotions] == [9]


def test_token_parsing():
    assert token_from_header('Token token="abc==", realm="x"') == "abc=="
    assert token_from_header("Token token=abc;x=1") == "abc"
    assert token_from_header("Bearer abc") == "abc"
    assert token_from_header("Token other=abc") is None
    assert token_from_header("Digest token=abc") is None
    assert token_from_header(None) is None


def test_replay_headers_name_a_key_of_the_world():
    section = small_world()["myrewards"]
    assert replay_headers(section, {"key": "k"}, "GET", "/myrewards/x", b"") == {"Authorization": "Token token=k"}
    assert replay_headers(section, {"key": "with-secret"}, "GET", "/", b"") == {
        "Authorization": "Token token=with-secret:s3cret"}
    with pytest.raises(KeyError):
        replay_headers(section, {"key": "missing"}, "GET", "/", b"")
    with pytest.raises(ValueError):
        replay_headers(section, {"client": "k"}, "GET", "/", b"")
