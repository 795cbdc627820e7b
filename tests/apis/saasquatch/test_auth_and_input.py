"""Auth, tenant lookup and bad input on every route: always the vendor's error shape,
never a 500 or HTML, and state unchanged."""
import base64

import pytest

from tests.support import error_shape_problem

from .conftest import ALIAS, KEY, OTHER_ALIAS, OTHER_KEY, account, basic, credit, discount, world

ROUTES = [
    ("GET", "/reward/balance?accountId=acct", None),
    ("POST", "/credit/bulkredeem", {"accountId": "acct", "unit": "CENTS", "amount": 1}),
    ("GET", "/reward?accountId=acct", None),
    ("GET", "/reward/c1", None),
    ("POST", "/credit/c1/redeem", {"amount": 1, "unit": "CENTS"}),
    ("POST", "/reward/d1/cancel", None),
    ("POST", "/rewards/account/acct/user/u1", {"type": "PCT_DISCOUNT", "discountPercent": 5}),
]
BODY_ROUTES = [(m, p, b) for m, p, b in ROUTES if b is not None]
ERROR_KEYS = {"message", "statusCode", "apiErrorCode"}


@pytest.fixture
def client(make_app):
    doc = world([account("acct", [credit("c1", 100), discount("d1", 5, "REFERRED")])],
                other_accounts=[account("acct", [credit("c1", 999)])])
    return make_app(doc).test_client()


def call(client, method, path, body=None, *, alias=ALIAS, headers=None, **kwargs):
    url = f"/saasquatch/api/v1/{alias}{path}"
    if body is not None:
        kwargs["json"] = body
    return client.open(url, method=method, headers=headers or {}, **kwargs)


def state(client):
    return client.get("/_sandbox/state/saasquatch").json["tables"]


def assert_vendor_error(response, status, where=None):
    assert response.status_code == status, (where, response.get_data(as_text=True))
    assert error_shape_problem("saasquatch", response) is None, (where, error_shape_problem("saasquatch", response))


@pytest.mark.parametrize("headers", [
    {}, basic("WRONG"), basic(OTHER_KEY), {"Authorization": "Bearer " + KEY},
    {"Authorization": "Basic not-base64!"}, {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe").decode()},
    {"Authorization": KEY}, basic(KEY.lower()), basic(""),
    {"Authorization": "Basic " + base64.b64encode(KEY.encode()).decode()},
], ids=["none", "wrong", "other-tenant", "bearer", "bad-base64", "bad-utf8", "bare", "lowercase", "empty",
        "no-colon"])
def test_missing_or_wrong_key_is_401_on_every_route_and_changes_nothing(client, headers):
    before = state(client)
    for method, path, body in ROUTES:
        response = call(client, method, path, body, headers=headers)
        assert_vendor_error(response, 401, (method, path))
        assert response.json["apiErrorCode"] == "UNAUTHORIZED"
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert state(client) == before


def test_unknown_tenant_is_404_on_every_route_whatever_the_key(client):
    for method, path, body in ROUTES:
        for headers in (basic(KEY), {}):
            response = call(client, method, path, body, alias="test_unknown", headers=headers)
            assert_vendor_error(response, 404, (method, path))
            assert response.json["rsCode"] == "RS038"


@pytest.mark.parametrize("as_username", [False, True])
def test_key_as_password_or_username_is_accepted_on_every_route(client, as_username):
    for method, path, body in ROUTES:
        response = call(client, method, path, body, headers=basic(KEY, as_username=as_username))
        assert response.status_code in (200, 201), (method, path, response.json)


def test_key_in_either_field_when_both_are_filled(client):
    for pair in (f"someone:{KEY}", f"{KEY}:whatever"):
        headers = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        assert call(client, "GET", "/reward/c1", headers=headers).status_code == 200


@pytest.mark.parametrize("credentials, status", [
    (f":{KEY}", 200), (f"{KEY}:", 200), (KEY, 401), (f" {KEY}", 401), ("", 401)])
def test_basic_credentials_need_the_colon_of_rfc_7617(client, credentials, status):
    """base64("KEY") is a malformed Basic header; "-u :KEY" and "-u KEY:" are not."""
    headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}
    response = call(client, "GET", "/reward/c1", headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 401:
        assert_vendor_error(response, 401)


def test_each_tenant_needs_its_own_key(client):
    assert call(client, "GET", "/reward/c1", alias=OTHER_ALIAS, headers=basic(OTHER_KEY)).json["assignedCredit"] == 999
    assert call(client, "GET", "/reward/c1", alias=OTHER_ALIAS, headers=basic(KEY)).status_code == 401


BAD_BODIES = [
    ("not-json", b"{accountId: acct", "application/json"),
    ("empty", b"", "application/json"),
    ("array", b'[{"accountId": "acct"}]', "application/json"),
    ("string", b'"hello"', "application/json"),
    ("null", b"null", "application/json"),
    ("bad-utf8", b'{"accountId": "\xff\xfe"}', "application/json"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ("huge-int", b'{"amount": 1' + b"0" * 5000 + b', "unit": "CENTS", "accountId": "acct", "type": "CREDIT"}',
     "application/json"),
    ("nan", b'{"amount": NaN, "unit": "CENTS", "accountId": "acct", "type": "CREDIT", "assignedCredit": NaN}',
     "application/json"),
    ("form", b"accountId=acct&unit=CENTS&amount=1", "application/x-www-form-urlencoded"),
    ("text", b'{"accountId": "acct", "unit": "CENTS", "amount": 1}', "text/plain"),
]


@pytest.mark.parametrize("name, data, content_type", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies_are_400_on_every_route_and_change_nothing(client, name, data, content_type):
    before = state(client)
    for method, path, _ in BODY_ROUTES:
        response = call(client, method, path, headers=basic(KEY), data=data, content_type=content_type)
        assert_vendor_error(response, 400, (method, path))
        if content_type != "application/json":
            assert response.json["rsCode"] == "RS046"
    assert state(client) == before


def test_unicode_ids_and_units_are_just_unknown(client):
    body = {"accountId": "äccount-✓", "unit": "ЦЕНТ", "amount": 1, "type": "CREDIT",
            "assignedCredit": 5}
    for method, path, _ in BODY_ROUTES:
        response = call(client, method, path.replace("acct", "äccount-✓"), body, headers=basic(KEY))
        assert response.status_code in (400, 402, 404) and ERROR_KEYS <= set(response.json), (method, path)


def test_unicode_query_values(client):
    response = call(client, "GET", "/reward/balance?accountId=%F0%9F%92%B0&userId=%E2%9C%93", headers=basic(KEY))
    assert response.status_code == 200 and response.json == []


@pytest.mark.parametrize("method, path", [
    ("GET", "/saasquatch/api/v1/%s/nothing-here"),
    ("GET", "/saasquatch/nothing-here"),
    ("DELETE", "/saasquatch/api/v1/%s/reward/c1"),
    ("GET", "/saasquatch/api/v1/%s/credit/bulkredeem"),
    ("PUT", "/saasquatch/api/v1/%s/reward/balance"),
])
def test_unknown_paths_and_methods_answer_in_the_vendor_shape(client, method, path):
    response = client.open(path.replace("%s", ALIAS), method=method, headers=basic(KEY))
    assert response.status_code in (404, 405)
    assert_vendor_error(response, response.status_code)


def test_oversized_body_is_413_in_the_vendor_shape(make_app):
    client = make_app(world([account("acct", [credit("c1", 100)])]), max_body_bytes=1024).test_client()
    response = call(client, "POST", "/credit/bulkredeem", headers=basic(KEY),
                    data=b'{"accountId": "' + b"a" * 5000 + b'"}', content_type="application/json")
    assert_vendor_error(response, 413)


def test_unknown_body_fields_are_ignored(client):
    response = call(client, "POST", "/credit/bulkredeem",
                    {"accountId": "acct", "unit": "CENTS", "amount": 1, "userId": "u1", "note": "x"},
                    headers=basic(KEY))
    assert response.status_code == 200


def test_served_at_the_root_for_clients_that_cannot_take_a_prefix(make_app):
    client = make_app(world([account("acct", [credit("c1", 100)])]), root_api="saasquatch").test_client()
    response = client.get(f"/api/v1/{ALIAS}/reward/balance?accountId=acct", headers=basic(KEY))
    assert response.status_code == 200 and response.json[0]["totalAssignedCredit"] == 100
    assert_vendor_error(client.get(f"/api/v1/{ALIAS}/reward/c1"), 401)
    assert_vendor_error(client.get("/api/v1/nowhere"), 404)


def test_each_namespace_has_its_own_balances(client):
    url = f"/saasquatch/api/v1/{ALIAS}/credit/bulkredeem"
    body = {"accountId": "acct", "unit": "CENTS", "amount": 100}
    assert client.post("/_ns/ns-one" + url, json=body, headers=basic(KEY)).status_code == 200
    assert client.post("/_ns/ns-one" + url, json=body, headers=basic(KEY)).status_code == 402
    assert client.post(url, json=body, headers=basic(KEY)).status_code == 200


def test_injected_faults_answer_in_the_vendor_shape_and_debit_nothing(client):
    fault = {"api": "saasquatch", "path": "/credit/bulkredeem$", "status": 503, "times": 1}
    assert client.post("/_sandbox/faults", json=fault).status_code == 201
    before = state(client)
    response = call(client, "POST", "/credit/bulkredeem", {"accountId": "acct", "unit": "CENTS", "amount": 1},
                    headers=basic(KEY))
    assert_vendor_error(response, 503)
    assert state(client) == before
    assert call(client, "POST", "/credit/bulkredeem", {"accountId": "acct", "unit": "CENTS", "amount": 1},
                headers=basic(KEY)).status_code == 200
