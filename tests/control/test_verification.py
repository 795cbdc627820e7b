"""Verification as WireMock users expect: ``GET /_sandbox/requests/count`` with the
journal's filters, and ``GET /_sandbox/requests/unmatched`` with near misses."""
import re

import pytest

ATRIUM = {"MX-Client-ID": "atrium-client", "MX-API-Key": "atrium-api-key",
          "Accept": "application/vnd.mx.atrium.v1+json"}
USER = "/atrium/users/USR-fa7537f3-48aa-a683-a02a-b18940482f54"
KEY = ("", "TEST_B4BYA15POHYQ284HBND1")
BALANCE = "/saasquatch/api/v1/test_abo912126tastastt/reward/balance?accountId=613611"


@pytest.fixture
def client(make_app):
    return make_app("default").test_client()


def test_count_answers_how_many_journal_entries_match_the_filters(client):
    assert client.get("/_sandbox/requests/count").json == {"count": 0}
    for _ in range(3):
        client.get(USER, headers=ATRIUM)
    client.get(USER)                                       # 401
    client.get(BALANCE, auth=KEY)
    client.post("/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredeem",
                json={"accountId": "613611", "unit": "CENTS", "amount": 1}, auth=KEY)
    count = lambda query="": client.get("/_sandbox/requests/count" + query).json["count"]
    assert count() == 6
    assert count("?api=atrium") == 4 and count("?api=atrium&status=200") == 3 and count("?status=401") == 1
    assert count("?api=saasquatch&method=post") == 1 and count("?path=reward/balance") == 1
    assert count("?limit=2") == 2
    # the same filters select the same entries as the journal itself
    for query in ("", "?api=atrium", "?status=200", "?method=GET&path=users"):
        assert count(query) == len(client.get("/_sandbox/requests" + query).json["requests"])
    client.delete("/_sandbox/requests")
    assert count() == 0


@pytest.mark.parametrize("query", ["?api=atrum", "?api=control", "?status=abc", "?limit=0", "?colour=red"])
def test_a_filter_the_journal_cannot_apply_is_a_400_with_problems(client, query):
    for path in ("/_sandbox/requests", "/_sandbox/requests/count", "/_sandbox/requests/unmatched"):
        r = client.get(path + query)
        assert r.status_code == 400 and r.json["error"] == "invalid filter"
        assert r.json["problems"] and all(p["message"] for p in r.json["problems"])


def test_an_unknown_api_in_a_filter_names_the_apis(client):
    r = client.get("/_sandbox/requests?api=atrum")
    assert r.json["problems"] == [{"path": "api", "message": "unknown api 'atrum'; expected one of "
                                                             "atrium, myrewards, saasquatch, eagleeye"}]


def test_unmatched_lists_requests_no_route_matched_newest_last_with_near_misses(client):
    client.get("/atrum/users/USR-1", headers=ATRIUM)                     # a wrong base URL
    client.get(USER, headers=ATRIUM)                                     # served: not listed
    client.get("/atrium/users/USR-unknown", headers=ATRIUM)              # a route matched (404 for the id)
    client.post("/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredem", json={}, auth=KEY)   # a typo
    client.delete(BALANCE, auth=KEY)                                     # a method the route does not take
    client.get("/users/USR-1/members", headers=ATRIUM)                   # the mount prefix left out
    r = client.get("/_sandbox/requests/unmatched")
    assert r.status_code == 200
    entries = r.json["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/atrum/users/USR-1", 404),
        ("POST", "/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredem", 404),
        ("DELETE", "/saasquatch/api/v1/test_abo912126tastastt/reward/balance", 405),
        ("GET", "/users/USR-1/members", 404)]
    assert entries == sorted(entries, key=lambda e: e["id"])
    nearest = [e["near_misses"][0] for e in entries]
    assert nearest == [
        {"methods": ["DELETE", "GET", "PUT"], "path": "/atrium/users/{user_guid}"},
        {"methods": ["POST"], "path": "/saasquatch/api/v1/{tenant_alias}/credit/bulkredeem"},
        {"methods": ["GET"], "path": "/saasquatch/api/v1/{tenant_alias}/reward/balance"},
        {"methods": ["GET", "POST"], "path": "/atrium/users/{user_guid}/members"}]
    assert all(1 <= len(e["near_misses"]) <= 3 for e in entries)
    # every near miss is a route the sandbox serves, with the methods it takes
    served = {}
    for rule in client.application.url_map.iter_rules():
        path = re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", rule.rule)
        served.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    for entry in entries:
        for miss in entry["near_misses"]:
            assert set(miss["methods"]) == served[miss["path"]], miss


def test_unmatched_is_empty_when_everything_was_served_and_takes_the_journal_filters(client):
    client.get(USER, headers=ATRIUM)
    assert client.get("/_sandbox/requests/unmatched").json == {"requests": []}
    client.get("/atrium/nowhere", headers=ATRIUM)
    client.get("/nowhere/at/all")
    assert [e["path"] for e in client.get("/_sandbox/requests/unmatched?api=atrium").json["requests"]] \
        == ["/atrium/nowhere"]
    [far] = [e for e in client.get("/_sandbox/requests/unmatched").json["requests"] if e["path"] == "/nowhere/at/all"]
    assert isinstance(far["near_misses"], list)


def test_a_namespace_has_its_own_count_and_unmatched(client):
    client.get("/_ns/job-1/atrum/users", headers=ATRIUM)
    assert client.get("/_sandbox/requests/count").json == {"count": 0}
    assert client.get("/_ns/job-1/_sandbox/requests/count").json == {"count": 1}
    [entry] = client.get("/_sandbox/requests/unmatched", headers={"X-Sandbox-Namespace": "job-1"}).json["requests"]
    assert entry["path"] == "/atrum/users" and entry["near_misses"][0]["path"] == "/atrium/users"
