"""X-EES-AUTH-CLIENT-ID / X-EES-AUTH-HASH: published test vectors, the
accepted path forms, and 401 in the AIR error shape for everything else."""
import json

import pytest

from sandbox.apis.eagleeye.auth import replay_headers, request_hash
from tests.apis.eagleeye.helpers import (CLIENT, EXCHANGE_BODY, EXCHANGE_PATH, OTHER_CLIENT, SECRET, WALLET,
                                         AirClient, assert_error, sign, state, world)

# (path and query, body, secret, sha256): the "API authentication" page's example, vectors from
# public AIR clients' tests, and three computed with hashlib
VECTORS = [
    ("/wallet/555555", b"", "0987654321", "76e132ab2154bb7139258b65134ddaf74c12a4242ce136b87a7335292fddc068"),
    ("/some/path", b'{"some":"arbitrary","json":"data"}', "some-secret",
     "01ec08cfb3aa78bc8fcec38ed1d4298d3c44eb7b19647e817c30b7ff628bb180"),
    ("/2.0/token/create",
     b'{"resourceType":"CAMPAIGN","resourceId":62577,"consumerIdentifier":{"reference":"BLC-63728"}}',
     "someClientSecret", "5b1a4327673c7325adb3f3632d4acdb498fcf0693964efd17d0fb2c398f4e392"),
    ("/wallet?identity-value=abc", b"", "0987654321",
     "8fa95021d6d06b1016f38ac53852dc15fd27b68536e15ce85d57ee128ca29271"),
    ("/2.0/services/wallet/555555/transaction/exchange/pointsreward", b'{"x":1}', "0987654321",
     "197ac8b89932b8304f918da396dee18ad70da3e59ad00dd56aa7cd23f3ad5100"),
    ("/services/wallet/555555/transaction/exchange/pointsreward", b'{"x":1}', "0987654321",
     "a75d61bafba97b3fe2bed1cb2df89406101994940a3a781135169cca7fa69b9d"),
]


@pytest.mark.parametrize("path, body, secret, expected", VECTORS)
def test_published_vectors(path, body, secret, expected):
    assert request_hash(path, body, secret) == expected


def _send(client, method, path, body, hash_, client_id="ees-client"):
    return client.open("/eagleeye" + path, method=method, data=body,
                       headers={"X-EES-AUTH-CLIENT-ID": client_id, "X-EES-AUTH-HASH": hash_})


def test_vectors_verify_against_the_default_world(make_app):
    """The default world's client has the authentication page's secret, so its own
    examples verify; a body that is not an exchange then fails validation, not auth."""
    client = make_app("default").test_client()
    path, body, _, digest = VECTORS[0]
    assert _send(client, "GET", path, body, digest).status_code == 200
    path, body, _, digest = VECTORS[3]
    assert_error(_send(client, "GET", path, body, digest), 404, "NOTFOUND")   # no identity "abc"
    for path, body, _, digest in VECTORS[4:]:
        assert_error(_send(client, "POST", path, body, digest), 400, "BADREQ")


def test_hash_over_full_path_and_uppercase_hex_accepted(air):
    api = air()
    path = f"/eagleeye/wallet/{WALLET}"
    digest = sign(path, b"", SECRET).upper()
    assert _send(api.http, "GET", f"/wallet/{WALLET}", b"", digest).status_code == 200


def test_percent_encoded_path_is_hashed_as_sent(air):
    api = air()
    encoded = "/wallet/%35%30%30%31"      # /wallet/5001
    response = _send(api.http, "GET", encoded, b"", sign(encoded, b"", SECRET))
    assert response.status_code == 200
    assert response.get_json()["walletId"] == WALLET


def test_namespace_prefix_is_not_part_of_the_vendor_path(air):
    api = air()
    path = f"/wallet/{WALLET}"
    response = api.http.get(f"/_ns/auth-test/eagleeye{path}", headers={
        "X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign(path, b"", SECRET)})
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [
    {},
    {"X-EES-AUTH-CLIENT-ID": CLIENT},
    {"X-EES-AUTH-HASH": "00" * 32},
    {"X-EES-AUTH-CLIENT-ID": "nobody", "X-EES-AUTH-HASH": sign(f"/wallet/{WALLET}", b"", SECRET)},
    {"X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": "not-a-hash"},
    {"X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign(f"/wallet/{WALLET}", b"", "wrong-secret")},
    # another client's secret, our id
    {"X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign(f"/wallet/{WALLET}", b"", "other-secret")},
    # a path the request does not have
    {"X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign("/wallet/5002", b"", SECRET)},
    # another API's credentials
    {"MX-API-Key": "sandbox-key", "MX-Client-ID": "partner-dev"},
])
def test_bad_credentials_are_401(air, headers):
    api = air()
    assert_error(api.http.get(f"/eagleeye/wallet/{WALLET}", headers=headers), 401, "AUTH")


def test_a_tampered_body_fails_auth_and_writes_nothing(air):
    api = air()
    before = state(api.http)
    signed = json.dumps(EXCHANGE_BODY).encode()
    sent = json.dumps(dict(EXCHANGE_BODY, accountId="6002")).encode()
    response = api.http.post("/eagleeye" + EXCHANGE_PATH, data=sent, headers={
        "X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign(EXCHANGE_PATH, signed, SECRET)})
    assert_error(response, 401, "AUTH")
    assert state(api.http) == before


def test_query_string_is_part_of_the_hash(air):
    api = air()
    good = api.get("/wallet?identity-value=card-5001")
    assert good.status_code == 200 and good.get_json()["walletId"] == WALLET
    digest = sign("/wallet?identity-value=card-5001", b"", SECRET)
    response = _send(api.http, "GET", "/wallet?identity-value=card-5002", b"", digest)
    assert_error(response, 401, "AUTH")


def test_every_client_of_the_world_may_call(air):
    api = air(client_id=OTHER_CLIENT, secret="other-secret")
    assert api.get(f"/wallet/{WALLET}").status_code == 200


def test_auth_comes_before_validation_and_lookup(air):
    api = AirClient(air().http, secret="wrong")
    assert_error(api.post(EXCHANGE_PATH, raw=b"not json"), 401, "AUTH")
    assert_error(api.get("/wallet/nope"), 401, "AUTH")


def test_replay_headers_sign_the_full_path():
    section = {"clients": [{"client_id": CLIENT, "secret": SECRET}]}
    path = f"/eagleeye/wallet/{WALLET}?x=1"
    headers = replay_headers(section, {"client": CLIENT}, "GET", path, b"")
    assert headers == {"X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign(path, b"", SECRET)}
    with pytest.raises(KeyError):
        replay_headers(section, {"client": "nobody"}, "GET", path, b"")


def test_replayed_headers_authenticate(air):
    api = air()
    path = f"/eagleeye/wallet/{WALLET}"
    headers = replay_headers({"clients": [{"client_id": CLIENT, "secret": SECRET}]}, {"client": CLIENT},
                             "GET", path, b"")
    assert api.http.get(path, headers=headers).status_code == 200


def test_served_at_the_root_for_clients_without_a_path_prefix(make_app):
    http = make_app(world(), root_api="eagleeye").test_client()
    for path in (f"/wallet/{WALLET}", f"/2.0/wallet/{WALLET}"):
        response = http.get(path, headers={"X-EES-AUTH-CLIENT-ID": CLIENT, "X-EES-AUTH-HASH": sign(path, b"", SECRET)})
        assert response.status_code == 200
    assert_error(http.get(f"/wallet/{WALLET}"), 401, "AUTH")


@pytest.mark.parametrize("signed, status", [
    ("/wallet/%C3%BCber-5001", 404),        # the path as sent, percent-encoded: auth passes, no such wallet
    ("/wallet/über-5001", 404),             # its UTF-8 decoding: auth passes too
    ("/wallet/\u00c3\u00bcber-5001", 401),  # the bytes re-read as latin-1: no client signs that
    ("/wallet/uber-5001", 401),
])
def test_non_ascii_path_hash_as_sent_or_as_utf8(air, signed, status):
    api = air()
    response = _send(api.http, "GET", "/wallet/%C3%BCber-5001", b"", sign(signed, b"", SECRET))
    assert_error(response, status, "NOTFOUND" if status == 404 else "AUTH")
    if status == 404:
        assert "über-5001" in response.get_json()["errorMessage"]


@pytest.mark.slow
@pytest.mark.parametrize("signed, status", [("/eagleeye/wallet/%C3%BCber", 404), ("/eagleeye/wallet/über", 404),
                                            ("/eagleeye/wallet/\u00c3\u00bcber", 401)])
def test_non_ascii_path_hash_under_gunicorn(live_server, signed, status):
    """gunicorn hands the request line over as latin-1 text of its bytes; the UTF-8 reading
    of the path is accepted, the latin-1 one is not."""
    import requests

    server = live_server("default", workers=1)
    response = requests.get(f"{server.url}/eagleeye/wallet/%C3%BCber", timeout=30, headers={
        "X-EES-AUTH-CLIENT-ID": "ees-client", "X-EES-AUTH-HASH": sign(signed, b"", "0987654321")})
    assert response.status_code == status, response.text
