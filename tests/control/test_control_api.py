"""The control API in-process: health, scenarios, reset, clock, journal, faults, state,
admin token, namespaces, and error shapes under an API prefix."""
import json

import pytest

from tests.core import dummy_api

WORLD = {"name": "dummy-world", "dummy": {"wallets": [{"id": "a", "balance": 10}, {"id": "b", "balance": 4}]}}


@pytest.fixture
def app(make_app):
    return make_app(WORLD, apis=[dummy_api.API])


@pytest.fixture
def client(app):
    return app.test_client()


def balance(client, wallet="a", **kw):
    return client.get(f"/dummy/wallets/{wallet}", **kw).json["balance"]


def test_health_names_the_world(client):
    body = client.get("/_sandbox/health").json
    assert body["status"] == "ok" and body["scenario"] == "dummy-world" and body["version"]


def test_a_world_can_be_posted_as_yaml_or_json(client):
    yaml_world = "name: from-yaml\ndummy:\n  wallets: [{id: y, balance: 3}]\n"
    r = client.post("/_sandbox/scenario", data=yaml_world, content_type="application/yaml")
    assert r.status_code == 200 and r.json["name"] == "from-yaml"
    assert balance(client, "y") == 3
    r = client.post("/_sandbox/scenario", json={"name": "from-json", "dummy": {"wallets": [{"id": "j", "balance": 1}]}})
    assert r.status_code == 200 and client.get("/_sandbox/scenario").json["name"] == "from-json"
    assert client.get("/_sandbox/scenario").json["document"]["dummy"]["wallets"][0]["id"] == "j"


def test_an_invalid_world_answers_400_and_leaves_state_exactly_as_it_was(client):
    client.post("/dummy/wallets/a/spend", json={"amount": 3})
    before = client.get("/_sandbox/state/dummy").json
    r = client.post("/_sandbox/scenario", data="name: broken\ndummy:\n  wallets: [{id: 1, balance: x}]\n  nope: 1\n",
                    content_type="application/yaml")
    assert r.status_code == 400
    paths = {p["path"] for p in r.json["problems"]}
    assert paths == {"dummy.wallets[0].id", "dummy.wallets[0].balance", "dummy.nope"}
    assert all(p["file"] == "request body" for p in r.json["problems"])
    assert client.get("/_sandbox/state/dummy").json == before
    assert client.get("/_sandbox/health").json["scenario"] == "dummy-world"


@pytest.mark.parametrize("body,content_type", [
    ("name: [unclosed", "application/yaml"), ("{not json", "application/json"), ("[1, 2]", "application/json"),
    ("- just\n- a list\n", "application/yaml"), ("", "application/yaml"),
    ("[" * 100_000 + "]" * 100_000, "application/json"), ('{"name": ' + "[" * 500 + "]" * 500 + "}", "application/json")])
def test_malformed_worlds_are_400_not_500(client, body, content_type):
    r = client.post("/_sandbox/scenario", data=body, content_type=content_type)
    assert r.status_code == 400 and r.json["problems"]


def test_reset_reloads_the_startup_world(client):
    client.post("/dummy/wallets/a/spend", json={"amount": 3})
    client.post("/_sandbox/scenario", json={"name": "other"})
    r = client.post("/_sandbox/reset")
    assert r.status_code == 200 and r.json["name"] == "dummy-world"
    assert balance(client) == 10


def test_clock_freeze_advance_and_real(client):
    r = client.put("/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"})
    assert r.json == {"now": "2026-01-15T09:00:00Z", "frozen": True, "offset_seconds": 0.0}
    assert client.get("/dummy/wallets/a").json["now"] == "2026-01-15T09:00:00Z"
    r = client.post("/_sandbox/clock/advance", json={"by": "3h"})
    assert r.json["now"] == "2026-01-15T12:00:00Z" and r.json["frozen"] is True
    r = client.post("/_sandbox/clock/advance", json={"seconds": 60})
    assert r.json["now"] == "2026-01-15T12:01:00Z"
    assert client.get("/_sandbox/clock").json["now"] == "2026-01-15T12:01:00Z"
    r = client.put("/_sandbox/clock", json={"real": True})
    assert r.json["frozen"] is False


@pytest.mark.parametrize("method,path,body", [
    ("put", "/_sandbox/clock", {}), ("put", "/_sandbox/clock", {"frozen_at": "soon"}),
    ("put", "/_sandbox/clock", {"frozen_at": "2026-01-01T00:00:00Z", "real": True}),
    ("post", "/_sandbox/clock/advance", {"by": "3 fortnights"}), ("post", "/_sandbox/clock/advance", {"seconds": -5}),
    ("post", "/_sandbox/clock/advance", {"seconds": "x"}), ("post", "/_sandbox/clock/advance", []),
    ("post", "/_sandbox/faults", {"status": 503, "times": 0}), ("post", "/_sandbox/faults", {"path": "(", "status": 500}),
    ("post", "/_sandbox/faults", {"times": 1}), ("post", "/_sandbox/faults", {"api": "nope", "status": 500}),
])
def test_bad_control_bodies_are_400(client, method, path, body):
    r = getattr(client, method)(path, json=body)
    assert r.status_code == 400 and "error" in r.json


def test_the_journal_shows_what_the_client_sent_with_secrets_masked(client):
    client.post("/dummy/wallets/a/spend", json={"amount": 2},
                headers={"Authorization": "Token token=secret:more", "MX-API-Key": "k", "X-Trace": "t1"})
    client.get("/dummy/wallets/zzz")
    entries = client.get("/_sandbox/requests").json["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/dummy/wallets/a/spend", 200), ("GET", "/dummy/wallets/zzz", 404)]
    first = entries[0]
    assert first["body"] == {"amount": 2} and first["response_body"]["balance"] == 8
    assert first["headers"]["Authorization"] == "Token ***"
    assert first["headers"]["Mx-Api-Key"] == "***" and first["headers"]["X-Trace"] == "t1"
    assert first["api"] == "dummy" and first["duration_ms"] >= 0
    filtered = client.get("/_sandbox/requests?status=404").json["requests"]
    assert [e["path"] for e in filtered] == ["/dummy/wallets/zzz"]
    assert client.get("/_sandbox/requests?method=post&limit=1").json["requests"][0]["status"] == 200
    assert client.delete("/_sandbox/requests").status_code == 204
    assert client.get("/_sandbox/requests").json["requests"] == []


def test_the_journal_is_bounded(make_app):
    app = make_app(WORLD, apis=[dummy_api.API], journal_limit=50)
    client = app.test_client()
    for _ in range(450):
        client.get("/dummy/wallets/a")
    entries = client.get("/_sandbox/requests").json["requests"]
    assert 50 <= len(entries) < 50 + 200


def test_long_bodies_are_truncated_in_the_journal(client):
    client.post("/dummy/wallets/a/spend", data="x" * 10_000, content_type="text/plain")
    body = client.get("/_sandbox/requests").json["requests"][-1]["body"]
    assert body.endswith("[truncated]") and len(body) < 5000


def test_a_fault_makes_exactly_times_calls_fail(client):
    r = client.post("/_sandbox/faults", json={"api": "dummy", "method": "POST", "path": "/spend$",
                                              "status": 503, "times": 2})
    assert r.status_code == 201 and r.json["remaining"] == 2
    assert client.get("/dummy/wallets/a").status_code == 200  # method does not match
    statuses = [client.post("/dummy/wallets/a/spend", json={"amount": 1}).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    failed = client.post("/dummy/wallets/b/spend", json={"amount": 1})
    assert failed.status_code == 200
    assert balance(client) == 8  # the failed calls did not spend
    assert client.get("/_sandbox/faults").json["faults"][0]["remaining"] == 0


def test_fault_body_and_vendor_shape(client):
    client.post("/_sandbox/faults", json={"api": "dummy", "path": "wallets/a$", "status": 500})
    r = client.get("/dummy/wallets/a")
    assert r.status_code == 500 and r.json == {"dummy_error": "Injected fault", "status": 500}
    client.post("/_sandbox/faults", json={"path": "wallets/a$", "status": 429, "body": {"custom": True}})
    r = client.get("/dummy/wallets/a")
    assert r.status_code == 429 and r.json == {"custom": True}
    assert client.delete("/_sandbox/faults").status_code == 204
    assert client.get("/_sandbox/faults").json["faults"] == []


def test_a_delay_fault_slows_a_call_down(client):
    client.post("/_sandbox/faults", json={"path": "wallets/a$", "delay_ms": 150, "times": 1})
    r = client.get("/dummy/wallets/a")
    assert r.status_code == 200
    entry = client.get("/_sandbox/requests").json["requests"][-1]
    assert entry["duration_ms"] >= 150


def test_named_faults_are_taken_by_the_api_not_by_path(app, client):
    from sandbox.core import faults
    from sandbox.core.db import connect

    client.post("/_sandbox/faults", json={"api": "dummy", "name": "rollback_fails", "times": 1})
    assert client.get("/dummy/wallets/a").status_code == 200
    db = connect(app.extensions["sandbox"].settings.db_path)
    assert faults.take_named(db, "dummy", "rollback_fails") is True
    assert faults.take_named(db, "dummy", "rollback_fails") is False
    db.close()


def test_state_export(client):
    state = client.get("/_sandbox/state/dummy").json
    assert state["scenario"] == "dummy-world"
    assert {w["id"]: w["balance"] for w in state["tables"]["wallets"]} == {"a": 10, "b": 4}
    assert client.get("/_sandbox/state/nope").status_code == 404


def test_the_admin_token_is_required_when_set(make_app):
    client = make_app(WORLD, apis=[dummy_api.API], admin_token="s3cret").test_client()
    assert client.get("/_sandbox/clock").status_code == 401
    assert client.get("/_sandbox/clock", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/_sandbox/clock", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/dummy/wallets/a").status_code == 200  # the emulated APIs are not affected


def test_errors_under_an_api_prefix_use_that_apis_shape(client):
    r = client.get("/dummy/nowhere")
    assert r.status_code == 404 and r.json == {"dummy_error": "Resource not found", "status": 404}
    r = client.delete("/dummy/wallets/a")
    assert r.status_code == 405 and r.json["status"] == 405 and "GET" in r.headers["Allow"]
    r = client.post("/dummy/wallets/a/spend", data=b"x" * (1024 * 1024 + 1), content_type="application/json")
    assert r.status_code == 413 and r.json["status"] == 413
    r = client.post("/dummy/wallets/a/spend", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json["status"] == 400
    r = client.get("/elsewhere")
    assert r.status_code == 404 and r.json == {"error": "Resource not found"}
    assert b"<html" not in client.get("/_sandbox/nothing").data.lower()


def test_an_unexpected_exception_is_a_vendor_shaped_500_without_a_traceback(make_app, monkeypatch):
    app = make_app(WORLD, apis=[dummy_api.API])
    client = app.test_client()

    def explode(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("tests.core.dummy_api.schemas.to_iso", explode)
    r = client.get("/dummy/wallets/a")
    assert r.status_code == 500 and r.json == {"dummy_error": "Internal server error", "status": 500}
    assert b"Traceback" not in r.data and b"boom" not in r.data


def test_namespaces_are_isolated_by_header_and_by_path_prefix(client):
    assert client.post("/dummy/wallets/a/spend", json={"amount": 4},
                       headers={"X-Sandbox-Namespace": "job1"}).json["balance"] == 6
    assert balance(client, headers={"X-Sandbox-Namespace": "job1"}) == 6
    assert client.get("/_ns/job1/dummy/wallets/a").json["balance"] == 6
    assert balance(client) == 10
    assert client.get("/_ns/job2/dummy/wallets/a").json["balance"] == 10
    client.put("/_ns/job2/_sandbox/clock", json={"frozen_at": "2030-01-01T00:00:00Z"})
    assert client.get("/_ns/job2/dummy/wallets/a").json["now"] == "2030-01-01T00:00:00Z"
    assert client.get("/_sandbox/clock").json["frozen"] is False
    client.post("/_ns/job2/_sandbox/faults", json={"status": 503, "times": 5})
    assert client.get("/dummy/wallets/a").status_code == 200
    assert client.get("/_ns/job2/dummy/wallets/a").status_code == 503
    journal_default = client.get("/_sandbox/requests").json["requests"]
    journal_job1 = client.get("/_ns/job1/_sandbox/requests").json["requests"]
    assert [e["path"] for e in journal_job1] == ["/dummy/wallets/a/spend", "/dummy/wallets/a", "/dummy/wallets/a"]
    assert [e["path"] for e in journal_default] == ["/dummy/wallets/a", "/dummy/wallets/a"]
    names = {n["name"] for n in client.get("/_sandbox/namespaces").json["namespaces"]}
    assert names == {"job1", "job2"}
    assert client.delete("/_sandbox/namespaces/job1").status_code == 204
    assert balance(client, headers={"X-Sandbox-Namespace": "job1"}) == 10  # recreated fresh
    assert client.delete("/_sandbox/namespaces/nope").status_code == 404
    assert client.delete("/_sandbox/namespaces/default").status_code == 400
    assert client.get("/dummy/wallets/a", headers={"X-Sandbox-Namespace": "../etc"}).status_code == 400


def test_at_the_cap_a_new_namespace_is_refused_unless_one_is_idle(make_app):
    client = make_app(WORLD, apis=[dummy_api.API], namespace_limit=3).test_client()
    for name in ["n1", "n2", "n3"]:
        assert client.post(f"/_ns/{name}/dummy/wallets/a/spend", json={"amount": 1}).status_code == 200
    refused = client.post("/_ns/n4/dummy/wallets/a/spend", json={"amount": 1})
    assert refused.status_code == 503 and "3 namespaces" in refused.json["dummy_error"]
    assert int(refused.headers["Retry-After"]) >= 1
    names = [n["name"] for n in client.get("/_sandbox/namespaces").json["namespaces"]]
    assert names == ["n1", "n2", "n3"]
    assert client.get("/_ns/n1/dummy/wallets/a").json["balance"] == 9       # nobody's state was dropped
    idle = make_app(WORLD, apis=[dummy_api.API], namespace_limit=3, namespace_idle_seconds=0).test_client()
    for name in ["n1", "n2", "n3", "n4"]:
        assert idle.post(f"/_ns/{name}/dummy/wallets/a/spend", json={"amount": 1}).status_code == 200
    names = [n["name"] for n in idle.get("/_sandbox/namespaces").json["namespaces"]]
    assert len(names) == 3 and "n4" in names