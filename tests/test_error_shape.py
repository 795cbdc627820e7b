"""Every error of every API comes back in that API's own error shape.

What the shape is, each package declares (tests/support.py ``error_shape_problem``): its
error schema, content type and headers. Here every API is asked for each refusal it can
give: no credentials (401), no such path or no such object (404), a wrong method (405), an
unacceptable version (406, Atrium's), a body over the limit (413), a body that is not JSON
and one that fails validation (the vendor's validation status), on the default world.
"""
from __future__ import annotations

import base64
import json

import pytest

from sandbox import build_sandbox
from sandbox.core.scenario_files import world_document
from tests.support import error_shape_problem, mount

MAX_BODY = 2048
TOKEN = "admin-secret"
WORLD, _, _ = world_document("default")
ATRIUM_MEMBER = "/atrium/users/USR-fa7537f3-48aa-a683-a02a-b18940482f54/members/MBR-7c6f361b-e582-15b6-60c0-358f12466b4b"
TENANT = "/saasquatch/api/v1/test_abo912126tastastt"
# (API, what is refused, expected status, method, path, body, credential): a credential is
# what the API's replay auth names (None: no credentials at all)
CREDENTIALS = {"atrium": {"client": "atrium-client"}, "myrewards": {"key": "xxx"},
               "saasquatch": {"tenant": "test_abo912126tastastt"}, "eagleeye": {"client": "ees-client"},
               "control": {}}
TOO_BIG = {"padding": "x" * (MAX_BODY + 1)}
NOT_JSON = b"{not json"
CASES = [
    ("atrium", "no credentials", 401, "GET", "/atrium/users", None, None),
    ("atrium", "no such path", 404, "GET", "/atrium/nothing/here", None, "auth"),
    ("atrium", "no such object", 404, "GET", "/atrium/users/USR-nobody", None, "auth"),
    ("atrium", "wrong method", 405, "PATCH", "/atrium/users", None, "auth"),
    ("atrium", "no API version", 406, "GET", "/atrium/users", None, "auth, no Accept"),
    ("atrium", "body over the limit", 413, "POST", "/atrium/users", TOO_BIG, "auth"),
    ("atrium", "body not JSON", 400, "POST", "/atrium/users", NOT_JSON, "auth"),
    ("atrium", "invalid body", 400, "POST", "/atrium/users", {"user": {"is_disabled": "maybe"}}, "auth"),
    ("atrium", "invalid query", 400, "GET", f"{ATRIUM_MEMBER}/transactions?from_date=soon", None, "auth"),
    ("atrium", "no such object (beta Accept)", 404, "GET", f"{ATRIUM_MEMBER}/rewards/RWD-nothing", None, "auth"),
    ("atrium", "no such path (beta Accept)", 404, "GET", "/atrium/rewards/nothing", None, "auth"),
    ("atrium", "no such product (beta Accept)", 404, "GET", "/atrium/credit_card_products/CCA-nothing", None, "auth"),
    ("atrium", "no such account", 404, "GET", "/atrium/users/USR-fa7537f3-48aa-a683-a02a-b18940482f54/accounts/ACT-x",
     None, "auth"),
    ("atrium", "no account numbers before verify", 404, "GET", f"{ATRIUM_MEMBER}/account_numbers", None, "auth"),
    ("atrium", "invalid query (user transactions)", 400, "GET",
     "/atrium/users/USR-fa7537f3-48aa-a683-a02a-b18940482f54/transactions?to_date=31/01/2026", None, "auth"),
    ("myrewards", "no credentials", 401, "GET", "/myrewards/api/v2/users/123/transactions", None, None),
    ("myrewards", "no such path", 404, "GET", "/myrewards/api/v9/nothing", None, "auth"),
    ("myrewards", "no such object", 404, "GET", "/myrewards/api/v2/users/999999/transactions", None, "auth"),
    ("myrewards", "wrong method", 405, "DELETE", "/myrewards/api/v2/users/123/transactions", None, "auth"),
    ("myrewards", "body over the limit", 413, "POST", "/myrewards/api/v2/users", TOO_BIG, "auth"),
    ("myrewards", "body not JSON", 400, "POST", "/myrewards/api/v2/users", NOT_JSON, "auth"),
    ("myrewards", "invalid body", 406, "POST", "/myrewards/api/v1/users/123/transactions",
     {"transaction": {"transaction_type": "Credit", "variety": "Programme Points", "points": "many",
                      "reason": "r"}}, "auth"),
    ("myrewards", "transaction body not JSON", 400, "POST", "/myrewards/api/v1/users/123/transactions", NOT_JSON,
     "auth"),
    ("myrewards", "user update body not JSON", 400, "PUT", "/myrewards/api/v2/users/123", NOT_JSON, "auth"),
    ("myrewards", "sales data body not JSON", 400, "POST", "/myrewards/api/v2/performance/data", NOT_JSON, "auth"),
    ("myrewards", "type not exactly Credit", 406, "POST", "/myrewards/api/v1/users/123/transactions",
     {"transaction": {"transaction_type": "credit", "variety": "Programme Points", "points": 1, "reason": "r"}},
     "auth"),
    ("myrewards", "username taken", 422, "POST", "/myrewards/api/v2/users",
     {"username": "brucewayne", "email": "b2@example.com", "firstname": "B", "lastname": "W", "tsandcs": "true",
      "registration_answers_attributes": [{"registration_question_id": "2", "answer": "x"}]}, "auth"),
    ("myrewards", "user not found", 204, "POST", "/myrewards/api/v1/users/999999/transactions",
     {"transaction": {}}, "auth"),
    ("saasquatch", "no credentials", 401, "GET", f"{TENANT}/reward?accountId=613611", None, None),
    ("saasquatch", "Basic credentials without a colon", 401, "GET", f"{TENANT}/reward?accountId=613611", None,
     "Basic without a colon"),
    ("saasquatch", "unit in another case", 402, "POST", f"{TENANT}/credit/bulkredeem",
     {"accountId": "613611", "unit": "cents", "amount": 1}, "auth"),
    ("saasquatch", "no such path", 404, "GET", "/saasquatch/api/v9/nothing", None, "auth"),
    ("saasquatch", "no such object", 404, "GET", f"{TENANT}/reward/aaaaaaaaaaaaaaaaaaaaaaaa", None, "auth"),
    ("saasquatch", "wrong method", 405, "DELETE", f"{TENANT}/reward/balance", None, "auth"),
    ("saasquatch", "body over the limit", 413, "POST", f"{TENANT}/credit/bulkredeem", TOO_BIG, "auth"),
    ("saasquatch", "body not JSON", 400, "POST", f"{TENANT}/credit/bulkredeem", NOT_JSON, "auth"),
    ("saasquatch", "invalid body", 400, "POST", f"{TENANT}/credit/bulkredeem",
     {"accountId": "613611", "unit": "CENTS", "amount": "ten"}, "auth"),
    ("saasquatch", "invalid query", 400, "GET", f"{TENANT}/reward/balance?accountId=613611&rewardTypeFilter=NOPE",
     None, "auth"),
    ("eagleeye", "no credentials", 401, "GET", "/eagleeye/wallet/555555", None, None),
    ("eagleeye", "no such path", 404, "GET", "/eagleeye/nothing/here", None, "auth"),
    ("eagleeye", "no such object", 404, "GET", "/eagleeye/wallet/999999", None, "auth"),
    ("eagleeye", "wrong method", 405, "DELETE", "/eagleeye/wallet/555555", None, "auth"),
    ("eagleeye", "body over the limit", 413, "PATCH", "/eagleeye/wallet/555555/account/4102305275/credit",
     TOO_BIG, "auth"),
    ("eagleeye", "body not JSON", 400, "PATCH", "/eagleeye/wallet/555555/account/4102305275/credit", NOT_JSON,
     "auth"),
    ("eagleeye", "invalid body", 400, "PATCH", "/eagleeye/wallet/555555/account/4102305275/credit",
     {"value": "ten"}, "auth"),
    ("eagleeye", "wallet debit of no points", 400, "POST", "/eagleeye/services/wallet/555555/transaction/debit",
     {"accountId": "4102305275", "value": 0}, "auth"),
    ("eagleeye", "no such account transaction", 404, "PATCH",
     "/eagleeye/wallet/555555/account/4102305275/transaction/1/void", None, "auth"),
    ("eagleeye", "bank without a name", 400, "POST", "/eagleeye/banks/pointsreward",
     {"mode": "PUBLIC", "status": "ACTIVE"}, "auth"),
    ("eagleeye", "no such bank", 404, "GET", "/eagleeye/banks/pointsreward/1", None, "auth"),
    ("eagleeye", "transaction by no reference", 400, "GET", "/eagleeye/wallet/transaction", None, "auth"),
    ("eagleeye", "wallet link never made", 404, "DELETE", "/eagleeye/wallet/555555/link/bank/pointsreward/84592",
     None, "auth"),
    ("eagleeye", "invalid query", 400, "GET", "/eagleeye/wallet/555555/accounts?limit=none", None, "auth"),
    ("control", "no credentials", 401, "GET", "/_sandbox/clock", None, None),
    ("control", "no such path", 404, "GET", "/_sandbox/nothing", None, "auth"),
    ("control", "no such object", 404, "GET", "/_sandbox/state/nothing", None, "auth"),
    ("control", "wrong method", 405, "PATCH", "/_sandbox/clock", None, "auth"),
    ("control", "body over the limit", 413, "PUT", "/_sandbox/clock", TOO_BIG, "auth"),
    ("control", "body not JSON", 400, "PUT", "/_sandbox/clock", NOT_JSON, "auth"),
    ("control", "invalid body", 400, "PUT", "/_sandbox/clock", {"frozen_at": "soon"}, "auth"),
    ("control", "invalid query", 400, "GET", "/_sandbox/requests?limit=none", None, "auth"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = build_sandbox(str(tmp_path_factory.mktemp("shape") / "s.sqlite"), "default",
                        max_body_bytes=MAX_BODY, admin_token=TOKEN)
    return app.test_client()


def send(client, api, method, path, body, credential):
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if raw else {}
    if credential is not None:
        if api == "control":
            headers["Authorization"] = f"Bearer {TOKEN}"
        else:
            headers.update(mount(api).auth_headers(WORLD[api], CREDENTIALS[api], method, path, raw))
            if credential == "auth, no Accept":
                del headers["Accept"]
            if credential == "Basic without a colon":
                headers["Authorization"] = "Basic " + base64.b64encode(b"TEST_B4BYA15POHYQ284HBND1").decode()
    return client.open(path, method=method, data=raw, headers=headers)


@pytest.mark.parametrize("api, refused, status, method, path, body, credential", CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_every_error_is_in_the_apis_own_shape(client, api, refused, status, method, path, body, credential):
    response = send(client, api, method, path, body, credential)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    problem = error_shape_problem(api, response)
    assert problem is None, problem


def test_every_api_is_asked_for_every_refusal():
    asked = {(api, refused) for api, refused, *_ in CASES}
    for api in ("atrium", "myrewards", "saasquatch", "eagleeye", "control"):
        for refused in ("no credentials", "no such path", "no such object", "wrong method", "body over the limit",
                        "body not JSON", "invalid body"):
            assert (api, refused) in asked, (api, refused)
    assert {api.name for api in __import__("sandbox.apis", fromlist=["API_PACKAGES"]).API_PACKAGES} | {"control"} \
        == {api for api, *_ in CASES}


@pytest.mark.parametrize("api", ["atrium", "myrewards", "saasquatch", "eagleeye", "control"])
def test_the_check_refuses_another_apis_shape(client, api):
    """The check is not vacuous: each API's 404 is refused as any other API's error."""
    path = {"control": "/_sandbox/nothing"}.get(api, f"/{api}/nothing/here")
    response = send(client, api, "GET", path, None, "auth")
    others = [other for other in CREDENTIALS if other != api]
    assert all(error_shape_problem(other, response) is not None for other in others)
