"""The control API says what is wrong: a body without Content-Type is read as JSON, an
unknown named fault lists the names the API knows, times are ISO-8601, and health and the
docs need no token while everything that reads or changes state does."""
import json
import re

import pytest


@pytest.fixture
def client(make_app):
    return make_app("default").test_client()


@pytest.mark.parametrize("method, path, body", [
    ("PUT", "/_sandbox/clock", {"frozen_at": "2026-01-15T09:00:00Z"}),
    ("POST", "/_sandbox/clock/advance", {"by": "1h"}),
    ("POST", "/_sandbox/faults", {"api": "atrium", "status": 503}),
    ("POST", "/_sandbox/snapshots", {"name": "s"}),
    ("POST", "/_sandbox/scenario", {"name": "sent-without-a-header"}),
])
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_without_a_json_content_type_is_read_as_json(client, method, path, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    r = client.open(path, method=method, data=json.dumps(body), headers=headers)
    # (a world declared as another type is read as YAML, of which JSON is a part)
    assert r.status_code in (200, 201), r.json
    if path == "/_sandbox/clock":
        assert client.get("/_sandbox/clock").json["now"] == "2026-01-15T09:00:00Z"


def test_a_body_that_is_not_json_still_says_so(client):
    r = client.put("/_sandbox/clock", data="frozen_at=2026")
    assert r.status_code == 400 and r.json["error"] == "the body is not valid JSON"


def test_an_unknown_named_fault_is_a_400_listing_the_names_the_api_knows(client):
    r = client.post("/_sandbox/faults", json={"api": "eagleeye", "name": "rollback_fail"})
    assert r.status_code == 400 and r.json["error"] == "invalid fault"
    assert r.json["problems"] == [{"path": "name", "message": "eagleeye has no named fault 'rollback_fail'; "
                                                              "the named faults it knows: rollback_fails"}]
    r = client.post("/_sandbox/faults", json={"api": "atrium", "name": "rollback_fails"})
    assert r.status_code == 400 and "the named faults it knows: none" in r.json["problems"][0]["message"]
    assert client.get("/_sandbox/faults").json == {"faults": []}
    assert client.post("/_sandbox/faults", json={"api": "eagleeye", "name": "rollback_fails"}).status_code == 201


def test_a_fault_for_an_unknown_api_is_a_400_with_problems(client):
    r = client.post("/_sandbox/faults", json={"api": "atrum", "status": 503})
    assert r.status_code == 400 and r.json["problems"][0]["path"] == "api"
    assert "atrium, myrewards, saasquatch, eagleeye" in r.json["problems"][0]["message"]


def test_namespaces_last_used_is_iso_8601_like_every_other_time(client):
    client.get("/_ns/job-1/_sandbox/health")
    [entry] = client.get("/_sandbox/namespaces").json["namespaces"]
    assert entry["name"] == "job-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", entry["last_used"])


def test_health_and_the_docs_need_no_token_and_state_still_does(make_app):
    client = make_app("default", admin_token="s3cret").test_client()
    for path in ("/_sandbox/health", "/_sandbox/docs", "/_sandbox/openapi.json", "/atrium/openapi.json", "/"):
        assert client.get(path).status_code == 200, path
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 200, path
    for method, path in [("GET", "/_sandbox/scenario"), ("GET", "/_sandbox/requests"),
                         ("GET", "/_sandbox/requests/count"), ("GET", "/_sandbox/requests/unmatched"),
                         ("GET", "/_sandbox/state/atrium"), ("GET", "/_sandbox/snapshots"),
                         ("POST", "/_sandbox/snapshots"), ("POST", "/_sandbox/reset"),
                         ("GET", "/_sandbox/namespaces"), ("PUT", "/_sandbox/clock")]:
        missing = client.open(path, method=method, json={})
        assert missing.status_code == 401 and "SANDBOX_ADMIN_TOKEN" in missing.json["error"], path
        assert missing.json["error"].startswith("the control API needs Authorization: Bearer <token>")
        wrong = client.open(path, method=method, json={}, headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401 and wrong.json["error"].startswith("wrong admin token"), path


def test_a_builtin_scenario_named_without_content_type_loads(client):
    r = client.post("/_sandbox/scenario", data=json.dumps({"builtin": "atrium/lockout-after-rewards"}))
    assert r.status_code == 200 and r.json["name"] == "atrium-lockout-after-rewards"
