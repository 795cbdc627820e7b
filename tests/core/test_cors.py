"""``SANDBOX_CORS_ORIGINS``: off by default; preflights answered before authentication."""
import pytest
import requests

from sandbox.core.cors import parse_origins
from sandbox.core.settings import settings_from_env

BALANCE = "/saasquatch/api/v1/test_abo912126tastastt/reward/balance?accountId=613611"
KEY = ("", "TEST_B4BYA15POHYQ284HBND1")
PREFLIGHT = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization, content-type"}


def test_origins_come_from_a_comma_separated_list_or_star(monkeypatch):
    assert parse_origins(None) == () and parse_origins("") == () and parse_origins(" , ") == ()
    assert parse_origins("http://a:3000, https://b.example/") == ("http://a:3000", "https://b.example")
    assert parse_origins("http://a, *") == ("*",)
    monkeypatch.setenv("SANDBOX_CORS_ORIGINS", "http://localhost:3000")
    assert settings_from_env("x.sqlite").cors_origins == ("http://localhost:3000",)
    monkeypatch.delenv("SANDBOX_CORS_ORIGINS")
    assert settings_from_env("x.sqlite").cors_origins == ()


def test_off_by_default(make_app):
    client = make_app("default").test_client()
    r = client.options(BALANCE, headers=PREFLIGHT)
    assert not [h for h in r.headers.keys() if h.lower().startswith("access-control-")]
    r = client.get(BALANCE, headers={"Origin": "http://localhost:3000"}, auth=KEY)
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


def test_any_origin_preflight_is_answered_before_authentication_and_not_journaled(make_app):
    client = make_app("default", cors_origins=("*",)).test_client()
    r = client.options(BALANCE, headers=PREFLIGHT)          # no credentials: a browser never sends them here
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    assert int(r.headers["Access-Control-Max-Age"]) > 0
    assert client.get("/_sandbox/requests").json["requests"] == []
    # the actual request is authenticated as always, and its answer (an error too) is readable
    ok = client.get(BALANCE, headers={"Origin": "http://localhost:3000"}, auth=KEY)
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == "*"
    refused = client.get(BALANCE, headers={"Origin": "http://localhost:3000"})
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == "*"
    assert [e["status"] for e in client.get("/_sandbox/requests").json["requests"]] == [200, 401]


def test_listed_origins_are_echoed_and_others_are_not(make_app):
    client = make_app("default", cors_origins=("http://localhost:3000", "https://app.example")).test_client()
    r = client.options(BALANCE, headers={**PREFLIGHT, "Origin": "https://app.example"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert r.headers["Access-Control-Allow-Credentials"] == "true" and "Origin" in r.headers["Vary"]
    other = client.options(BALANCE, headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert other.status_code != 204 and "Access-Control-Allow-Origin" not in other.headers
    plain = client.get(BALANCE, headers={"Origin": "https://evil.example"}, auth=KEY)
    assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers


def test_control_api_preflight_is_answered_before_the_admin_token(make_app):
    client = make_app("default", admin_token="s3cret", cors_origins=("*",)).test_client()
    r = client.options("/_sandbox/clock", headers={**PREFLIGHT, "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert client.put("/_sandbox/clock", json={"real": True}, headers={"Origin": "http://x"}).status_code == 401


@pytest.mark.slow
def test_the_served_command_reads_sandbox_cors_origins(live_server):
    server = live_server("default", env={"SANDBOX_CORS_ORIGINS": "http://localhost:3000"})
    r = requests.options(server.url + BALANCE, headers=PREFLIGHT)
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    r = requests.get(server.url + BALANCE, headers={"Origin": "http://localhost:3000"}, auth=KEY)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
