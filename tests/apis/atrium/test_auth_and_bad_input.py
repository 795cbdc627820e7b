"""Every route: MX's auth headers (401), the versioned Accept header (406), and bad
input of any kind answered in MX's error shape with state left as it was."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.apis.atrium.world import BETA, USER, V1, credentials, member_path, world
from tests.support import error_shape_problem, examples

MEMBER_BODY = {"member": {"institution_code": "mxbank", "credentials": credentials(password="other")}}
ROUTES = [
    ("GET", "/atrium/users", None),
    ("POST", "/atrium/users", {"user": {"identifier": "new"}}),
    ("GET", f"/atrium/users/{USER}", None),
    ("PUT", f"/atrium/users/{USER}", {"user": {"metadata": "m"}}),
    ("DELETE", f"/atrium/users/{USER}", None),
    ("GET", "/atrium/institutions", None),
    ("GET", "/atrium/institutions/mxbank", None),
    ("GET", "/atrium/institutions/mxbank/credentials", None),
    ("POST", f"/atrium/users/{USER}/members", MEMBER_BODY),
    ("GET", f"/atrium/users/{USER}/members", None),
    ("GET", member_path(), None),
    ("PUT", member_path(), {"member": {"metadata": "m"}}),
    ("DELETE", member_path(), None),
    ("GET", member_path(suffix="/status"), None),
    ("GET", member_path(suffix="/challenges"), None),
    ("PUT", member_path(suffix="/resume"), {"member": {"challenges": [{"guid": "CRD-x", "value": "correct"}]}}),
    ("GET", member_path(suffix="/credentials"), None),
    ("GET", member_path(suffix="/accounts"), None),
    ("GET", member_path(suffix="/transactions"), None),
    *[("POST", member_path(suffix=f"/{kind}"), None)
      for kind in ("aggregate", "fetch_rewards", "identify", "verify", "fetch_statements", "extend_history")],
    ("GET", member_path(suffix="/rewards"), None),
    ("GET", member_path(suffix="/rewards/RWD-miles"), None),
]
BETA_ONLY = {member_path(suffix=s) for s in ("/fetch_rewards", "/rewards", "/rewards/RWD-miles")}
BODY_ROUTES = [r for r in ROUTES if r[2] is not None]
ids = [f"{m} {p}" for m, p, _ in ROUTES]


def assert_mx_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert error_shape_problem("atrium", response) is None, error_shape_problem("atrium", response)


@pytest.mark.parametrize("headers", [
    {},
    {"MX-Client-ID": "partner"},
    {"MX-API-Key": "partner-key"},
    {"MX-Client-ID": "partner", "MX-API-Key": "wrong"},
    {"MX-Client-ID": "nobody", "MX-API-Key": "partner-key"},
    {"MX-Client-ID": "partner", "MX-API-Key": "basic-key"},          # another client's key
    {"MX-Client-ID": "partner", "MX-API-Key": ""},
])
@pytest.mark.parametrize("method,path,body", ROUTES, ids=ids)
def test_bad_credentials_are_401_and_change_nothing(atrium, headers, method, path, body):
    before = atrium.state()
    response = atrium.http.open(path, method=method, json=body, headers={"Accept": BETA, **headers})
    assert_mx_error(response, 401)
    assert response.get_json()["error"]["message"] == "Invalid MX-API-Key or MX-Client-ID provided."
    assert atrium.state() == before


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ids)
def test_header_names_are_case_insensitive(atrium, method, path, body):
    headers = {"mx-api-key": "partner-key", "MX-CLIENT-ID": "partner", "accept": BETA}
    response = atrium.http.open(path, method=method, json=body, headers=headers)
    assert response.status_code not in (401, 406)


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "application/vnd.mx.atrium.v2+json",
                                    "text/html", "application/vnd.mx.atrium.v1+pdf"])
@pytest.mark.parametrize("method,path,body", ROUTES, ids=ids)
def test_without_a_valid_version_in_accept_it_is_406(atrium, accept, method, path, body):
    before = atrium.state()
    headers = {"MX-API-Key": "partner-key", "MX-Client-ID": "partner"}
    if accept is not None:
        headers["Accept"] = accept
    response = atrium.http.open(path, method=method, json=body, headers=headers)
    assert_mx_error(response, 406)
    assert atrium.state() == before


def ready(atrium_world, path, body):
    """A world in which ``path`` can succeed: MX Bank supporting every premium job, a
    fetched reward to read, a challenge to answer."""
    doc = world(institutions=[{"code": "mxbank", "supports_account_identification": True,
                               "supports_account_statement": True, "supports_transaction_history": True}])
    if path.endswith("/resume"):
        mxbank = doc["atrium"]["users"][0]["members"][0]
        mxbank.update(connection_status="CHALLENGED", credentials={"username": "test_atrium", "password": "challenge"})
    atrium = atrium_world(doc)
    if path.endswith("/rewards/RWD-miles"):
        atrium.post(member_path(suffix="/fetch_rewards"))
        atrium.advance("3s")
    if path.endswith("/resume"):
        challenge = atrium.get(member_path(suffix="/challenges")).get_json()["challenges"][0]
        body = {"member": {"challenges": [{"guid": challenge["guid"], "value": "correct"}]}}
    return atrium, body


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ids)
def test_v1_serves_everything_but_the_beta_endpoints(atrium_world, method, path, body):
    atrium, body = ready(atrium_world, path, body)
    v1 = atrium.call(method, path, json=body, accept=V1)
    if path in BETA_ONLY:
        assert v1.status_code == 406
    else:
        assert v1.status_code < 400, v1.get_data(as_text=True)
        if v1.status_code != 204:
            assert v1.headers["Content-Type"] == "application/vnd.mx.atrium.v1+json; charset=utf-8"


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ids)
def test_the_beta_header_is_accepted_everywhere(atrium_world, method, path, body):
    atrium, body = ready(atrium_world, path, body)
    response = atrium.call(method, path, json=body, accept=f"text/html, {BETA};q=0.9")
    assert response.status_code < 400, response.get_data(as_text=True)
    if response.status_code != 204:
        assert response.headers["Content-Type"] == "application/vnd.mx.atrium.beta+json; charset=utf-8"


BAD_BODIES = [
    b"{", b"not json", b"[1, 2]", b'"user"', b"null", b"\xff\xfe\x00", b"[" * 50000 + b"]" * 50000,
    json.dumps({"user": "x", "member": "x"}).encode(),
    json.dumps({"user": {"identifier": 10 ** 400},
                "member": {"institution_code": 10 ** 400, "identifier": 10 ** 400,
                           "challenges": [{"guid": 10 ** 400, "value": -1e308}]}}).encode(),
    json.dumps({"user": {"identifier": ["a"], "is_disabled": "perhaps"},
                "member": {"institution_code": {"a": 1}, "credentials": [1, "x", None],
                           "challenges": [[{"guid": 1}]]}}).encode(),
    b'{"user": {"identifier": "\\ud800"}, "member": {"institution_code": "\\ud800", "identifier": "\\ud800",'
    b' "challenges": [{"guid": "\\ud800", "value": "x"}]}}',
    b'{"user": {"is_disabled": NaN}, "member": {"institution_code": "mxbank", "credentials": [{"guid": Infinity}],'
    b' "challenges": null}}',
]


@pytest.mark.parametrize("raw", BAD_BODIES, ids=[repr(b[:30]) for b in BAD_BODIES])
@pytest.mark.parametrize("method,path,body", BODY_ROUTES, ids=[f"{m} {p}" for m, p, _ in BODY_ROUTES])
def test_bad_bodies_are_400_in_mx_shape_and_change_nothing(atrium, raw, method, path, body):
    before = atrium.state()
    response = atrium.call(method, path, data=raw, headers={"Content-Type": "application/json"})
    assert_mx_error(response, 400)
    assert atrium.state() == before


def test_unicode_round_trips(atrium):
    text = "Zoë 👩‍💻 東京 \u0000 end"
    user = atrium.post("/atrium/users", json={"user": {"identifier": text, "metadata": text}}).get_json()["user"]
    assert atrium.get(f"/atrium/users/{user['guid']}").get_json()["user"]["identifier"] == text


@pytest.mark.parametrize("method,path", [
    ("GET", "/atrium/nothing"), ("GET", "/atrium/users/USR-alice/nothing"), ("GET", "/atrium/"),
    ("GET", "/atrium"), ("GET", "/atrium/users/%F0%9F%92%A9"), ("GET", "/atrium/users/USR-%00"),
    ("GET", "/atrium/institutions/" + "x" * 5000),
])
def test_unknown_paths_are_404_in_mx_shape(atrium, method, path):
    response = atrium.call(method, path)
    assert_mx_error(response, 404)
    assert response.get_json()["error"]["message"] == "Invalid item/id/URL requested."


def test_a_wrong_method_is_405_in_mx_shape(atrium):
    response = atrium.call("PATCH", "/atrium/users")
    assert_mx_error(response, 405)


def test_a_body_over_the_limit_is_413_in_mx_shape(atrium):
    response = atrium.call("POST", "/atrium/users", data=b"x" * (1024 * 1024 + 1),
                           headers={"Content-Type": "application/json"})
    assert_mx_error(response, 413)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10)
member_like = st.fixed_dictionaries({"member": st.dictionaries(
    st.sampled_from(["institution_code", "credentials", "identifier", "metadata", "skip_aggregation",
                     "is_oauth", "challenges"]), json_values, max_size=4)})


@settings(max_examples=examples(60))
@given(body=member_like | json_values)
def test_arbitrary_json_never_breaks_the_member_routes(atrium, body):
    for method, path in (("POST", f"/atrium/users/{USER}/members"), ("PUT", member_path()),
                         ("PUT", member_path(suffix="/resume"))):
        response = atrium.call(method, path, data=json.dumps(body), headers={"Content-Type": "application/json"})
        assert response.status_code < 500
        assert response.headers["Content-Type"].startswith("application/vnd.mx.atrium.")
