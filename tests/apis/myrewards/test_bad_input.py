"""Bad input of any kind, on every route: the vendor's error shape, never a 5xx or HTML,
and the state left exactly as it was."""
from __future__ import annotations

import json

import pytest

from tests.support import error_shape_problem

from .helpers import BASE, SMALL_KEY, state

WRITE_ROUTES = [
    ("POST", "/api/v1/users/10/transactions"),
    ("POST", "/api/v2/users"),
    ("PUT", "/api/v2/users/10"),
    ("PATCH", "/api/v2/users/10"),
    ("POST", "/api/v2/performance/data"),
    ("POST", "/api/v2/performance/promotions/7/data"),
]
READ_ROUTES = [
    "/api/v2/registration_questions", "/api/v2/user_groups", "/api/v2/user_groups/{id}",
    "/api/v2/users/{id}/transactions", "/api/v2/users/{id}/transactions/last",
    "/api/v2/performance/data_fields", "/api/v2/performance/promotions",
    "/api/v2/performance/promotions/{id}/data_fields",
]
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
GARBAGE = {
    "not json": (b"{'transaction': }", JSON_TYPE),
    "truncated": (b'{"data": [{"quantity": 1', JSON_TYPE),
    "not utf-8": (b'{"username": "\xff\xfe"}', JSON_TYPE),
    "deeply nested": (b"[" * 20_000 + b"]" * 20_000, JSON_TYPE),
    "a number": (b"12", JSON_TYPE),
    "a string": (b'"hello"', JSON_TYPE),
    "null": (b"null", JSON_TYPE),
    "an array": (b"[1, 2, 3]", JSON_TYPE),
    "huge number": (b'{"transaction": {"points": 1' + b"0" * 400 + b'}, "data": [{"quantity": 1e400}]}', JSON_TYPE),
    "NaN": (b'{"transaction": {"points": NaN}}', JSON_TYPE),
    "wrong types everywhere": (json.dumps({
        "transaction": {"transaction_type": ["Credit"], "variety": {"x": 1}, "points": "1e3", "reason": None},
        "username": {"a": 1}, "firstname": [1], "tsandcs": "perhaps", "user_group_id": -3,
        "registration_answers_attributes": {"x": {"registration_question_id": "q"}},
        "data": [{"quantity": "two", "user_id": "me", "date_of_sale": 20260101, "product_or_activity": ["SKU-1"]}],
    }).encode(), JSON_TYPE),
    "unicode": (json.dumps({"transaction": {"transaction_type": "Crédit", "variety": "Prögramme ☃", "points": "٣",
                                            "reason": "\u0000" * 300},
                            "username": "\ud800", "email": "☃@☃", "mobile": "+٤٤٧٨٧٦٥٤٣٢١٠",
                            "data": [{"date_of_sale": "２０２６-01-01", "quantity": "１"}]}).encode(), JSON_TYPE),
    "form garbage": (b"transaction[points]]]=1&&=&data[][=x&[=1&a[b][][c]=2&email=%ZZ", FORM_TYPE),
    "form with bad utf-8": (b"username=%ff%fe&transaction[points]=%ff", FORM_TYPE),
    "form with too many fields": (b"&".join(b"f%d=1" % i for i in range(10_500)), FORM_TYPE),
    "plain text": (b"points=100", "text/plain"),
    "xml": (b"<transaction><points>1</points></transaction>", "application/xml"),
}


def assert_vendor_error(response):
    assert response.status_code < 500, response.get_data(as_text=True)
    assert error_shape_problem("myrewards", response) is None, error_shape_problem("myrewards", response)


@pytest.mark.parametrize("method, path", WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES])
@pytest.mark.parametrize("body, content_type", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_bodies(shared_small, method, path, body, content_type):
    before = state(shared_small)
    response = shared_small.open(BASE + path, method=method, data=body,
                                 headers={**SMALL_KEY, "Content-Type": content_type})
    if not (method in ("PUT", "PATCH") and response.status_code == 200):   # a PUT of nothing changes nothing
        assert_vendor_error(response)
    assert state(shared_small) == before


@pytest.mark.parametrize("path", READ_ROUTES)
@pytest.mark.parametrize("record_id", ["99999999999999999999999999", "%E2%98%83", "1.5", "-1", "0", "1%00",
                                       "1e5", "abc", "+1", "%20"])
def test_garbage_ids_in_read_paths(shared_small, path, record_id):
    if "{id}" in path:
        response = shared_small.get(BASE + path.replace("{id}", record_id), headers=SMALL_KEY)
        assert response.status_code == 404
        assert_vendor_error(response)
        assert response.get_json()["errors"][0].endswith(" not found")
    else:                          # a list names no record: a garbage id beside it is ignored
        response = shared_small.get(f"{BASE}{path}?id={record_id}", headers=SMALL_KEY)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert isinstance(response.get_json(), list)


# What a garbage id gets on each write route: the v1 POST answers an unknown user with the
# reference's bodiless 204; the others name their record in the path (404), except the two
# routes that take it in the body: a sales-data upload's promotion_id (404, as in the
# path) and a new user's user_group_id (422, a format problem of that field).
WRITE_REFUSALS = {
    "/api/v1/users/10/transactions": (204, None),
    "/api/v2/users": (422, "user_group_id must be an id (a whole number)"),
    "/api/v2/users/10": (404, "User not found"),
    "/api/v2/performance/data": (404, "Promotion not found"),
    "/api/v2/performance/promotions/7/data": (404, "Promotion not found"),
}


@pytest.mark.parametrize("method, path", WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES])
@pytest.mark.parametrize("record_id", ["99999999999999999999999999", "%E2%98%83", "1.5", "-1"])
def test_garbage_ids_in_write_paths(shared_small, method, path, record_id):
    before = state(shared_small)
    body = {"firstname": "X", "data": [{}], "transaction": {}}
    if "/10" in path or "/7/" in path:
        target = path.replace("/10", f"/{record_id}").replace("/7/", f"/{record_id}/")
    else:
        target = path
        body["promotion_id" if path.endswith("/data") else "user_group_id"] = record_id
    response = shared_small.open(BASE + target, method=method, json=body, headers=SMALL_KEY)
    status, message = WRITE_REFUSALS[path]
    assert response.status_code == status, response.get_data(as_text=True)
    assert_vendor_error(response)
    if message is not None:
        assert message in response.get_json()["errors"], response.get_json()
    assert state(shared_small) == before


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/", 404), ("GET", "/api/v2/nothing", 404), ("POST", "/api/v2/users/10/transactions", 405),
    ("DELETE", "/api/v2/users/10", 405), ("GET", "/api/v1/users/10/transactions", 405),
    ("POST", "/api/v2/registration_questions", 405), ("GET", "/api/v3/users", 404),
])
def test_unknown_paths_and_methods_use_the_vendor_shape(shared_small, method, path, status):
    response = shared_small.open(BASE + path, method=method, headers=SMALL_KEY)
    assert response.status_code == status
    assert_vendor_error(response)


def test_a_body_over_the_size_limit_is_413_in_the_vendor_shape(make_app):
    from .helpers import small_world

    client = make_app(small_world(), max_body_bytes=1000).test_client()
    response = client.post(BASE + "/api/v2/users", data=b"x" * 5000,
                           headers={**SMALL_KEY, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert_vendor_error(response)
