"""Bad input of any kind gets AIR's error shape and status, never a 500 or HTML, and
leaves state exactly as it was."""
import pytest

from tests.apis.eagleeye.helpers import (ACCOUNT, EXCHANGE_BODY, EXCHANGE_PATH, WALLET, AirClient, assert_error, state,
                                         world)

LINK_WORLD = world(reward_banks=[{"pointsRewardBankId": "3001", "mode": "PERSONAL", "rewards": [
    {"pointsRewardBankRewardId": "4001", "resourceId": "2001", "cost": 150}]}])
LINK_WORLD["eagleeye"]["wallets"][0]["links"] = [{"pointsRewardBankWalletLinkId": "7001", "pointsRewardBankId": "3001"}]

WRITE_ROUTES = [
    ("POST", "/services/wallet"),
    ("POST", "/wallet"),
    ("POST", f"/wallet/{WALLET}/scheme/1001/account"),
    ("PATCH", f"/wallet/{WALLET}/account/{ACCOUNT}/credit"),
    ("PATCH", f"/wallet/{WALLET}/account/{ACCOUNT}/debit"),
    ("POST", EXCHANGE_PATH),
    ("POST", f"/wallet/{WALLET}/link/bank/pointsreward/3001"),
    ("PATCH", f"/wallet/{WALLET}/link/bank/pointsreward/link/7001"),
]

NOT_A_JSON_OBJECT = [
    b"not json", b"{", b"[1, 2]", b"null", b'"text"', b"42", b'{"value": NaN}', b'{"value": Infinity}',
    b"\xff\xfe\x00", b"[" * 50_000 + b"]" * 50_000, b'{"value": 1' + b"0" * 5000 + b"}",
]


@pytest.fixture
def api(module_app):
    return AirClient(module_app(LINK_WORLD).test_client())


@pytest.mark.parametrize("method, path", WRITE_ROUTES)
@pytest.mark.parametrize("raw", NOT_A_JSON_OBJECT, ids=lambda raw: repr(raw[:12]))
def test_bodies_that_are_not_json_objects(api, method, path, raw):
    before = state(api.http)
    assert_error(api.call(method, path, raw=raw), 400, "BADREQ")
    assert state(api.http) == before


FIELD_CASES = {
    f"/wallet/{WALLET}/account/{ACCOUNT}/credit": [
        {}, {"value": "10"}, {"value": 10.5}, {"value": -5}, {"value": 0}, {"value": True}, {"value": None},
        {"value": 2**31}, {"value": 10**30}, {"value": []}, {"value": 10, "transactionDetails": {"k": {"n": 1}}},
        {"value": 10, "transactionDetails": {"k": "x" * 300}}, {"value": 10, "properties": "p"},
    ],
    EXCHANGE_PATH: [
        {**EXCHANGE_BODY, "accountId": []}, {**EXCHANGE_BODY, "accountId": {}}, {**EXCHANGE_BODY, "accountId": True},
        {**EXCHANGE_BODY, "accountId": ""}, {**EXCHANGE_BODY, "accountId": 1.5}, {**EXCHANGE_BODY, "accountId": -1},
        {**EXCHANGE_BODY, "accountId": "x" * 65}, {**EXCHANGE_BODY, "accountId": "a\nb"},
        {**EXCHANGE_BODY, "location": "STORE1"}, {**EXCHANGE_BODY, "location": {"incomingIdentifier": []}},
        {**EXCHANGE_BODY, "walletTransaction": []}, {**EXCHANGE_BODY, "walletTransaction": {"reference": 5}},
        {**EXCHANGE_BODY, "walletTransaction": {"meta": "m"}},
        {**EXCHANGE_BODY, "exchangeAccountTransaction": {"transactionDetails": []}},
        {**EXCHANGE_BODY, "createAccountTransaction": {"status": "not a status"}},
    ],
    "/services/wallet": [
        {"identities": "x"}, {"identities": [{"value": 5}]}, {"identities": [{}]}, {"status": "WEIRD"},
        {"friendlyName": 5}, {"identities": [{"value": "a"}, {"value": "a"}]}, {"meta": []},
        {"identities": [{"value": ""}]}, {"identities": [{"value": "v", "type": "lower"}]},
    ],
    f"/wallet/{WALLET}/scheme/1001/account": [{"status": 5}, {"meta": "x"}, {"state": ""}],
    f"/wallet/{WALLET}/link/bank/pointsreward/link/7001": [
        {"validFrom": "x"}, {"status": 5}, {"pointsRewardBankRewardId": []}, {"validTo": 12.5e300},
    ],
}


@pytest.mark.parametrize("path, body", [(p, b) for p, bodies in FIELD_CASES.items() for b in bodies])
def test_fields_of_the_wrong_type_or_range(api, path, body):
    method = "PATCH" if path.endswith(("credit", "7001")) else "POST"
    before = state(api.http)
    assert_error(api.call(method, path, body), 400, "BADREQ")
    assert state(api.http) == before


@pytest.mark.parametrize("ident", ["☃", "9" * 64, "%00", "' OR 1=1 --"])
def test_unicode_and_odd_ids_are_just_unknown(api, ident):
    before = state(api.http)
    assert_error(api.exchange(accountId=ident), 404, "NOTFOUND")
    assert state(api.http) == before


LIST_ROUTES = [f"/wallet/{WALLET}/accounts", f"/wallet/{WALLET}/transactions",
               f"/wallet/{WALLET}/account/{ACCOUNT}/transactions", f"/wallet/{WALLET}/bank/pointsreward/links",
               "/banks/pointsreward/3001/rewards"]


@pytest.mark.parametrize("path", LIST_ROUTES)
@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=100000", "offset=-1", "offset=1.5",
                                   "status=" + "x" * 300])
def test_bad_list_parameters(api, path, query):
    assert_error(api.get(f"{path}?{query}"), 400, "BADREQ")


@pytest.mark.parametrize("path", LIST_ROUTES)
def test_lists_ignore_unknown_filters_and_page(api, path):
    body = api.get(f"{path}?limit=1&offset=0&unknownFilter=1").get_json()
    assert set(body) == {"total", "orderBy", "limit", "offset", "results"}
    assert body["limit"] == 1 and len(body["results"]) == min(1, body["total"])
    assert body == api.get(f"{path}?limit=1&offset=0").get_json()      # the unknown filter changed nothing


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/eagleeye/nowhere", 404),
    ("GET", "/eagleeye/2.0/nowhere", 404),
    ("DELETE", f"/eagleeye/wallet/{WALLET}", 405),
    ("PUT", EXCHANGE_PATH, 405),
])
def test_unknown_paths_and_methods_answer_in_air_shape(api, method, path, status):
    response = api.http.open(path if path.startswith("/eagleeye") else "/eagleeye" + path, method=method)
    assert_error(response, status)
    assert response.headers["Content-Type"].startswith("application/json")


def test_a_body_over_the_limit_is_413(api):
    assert_error(api.call("POST", EXCHANGE_PATH, raw=b"{" + b" " * (1024 * 1024 + 10) + b"}"), 413)


def test_unicode_identity_values_round_trip(air):
    api = air()
    created = api.post("/services/wallet", {"identities": [{"type": "EMAIL", "value": "zoë@example.com"}]})
    assert created.status_code == 201
    found = api.get("/wallet?identity-value=zo%C3%AB%40example.com")
    assert found.status_code == 200
    assert found.get_json()["walletId"] == created.get_json()["walletId"]
