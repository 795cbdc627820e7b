"""The dashboard in-process: pages hold no state and need no token, parts hold the state and
need it, secrets stay masked, every API in the registry has a state page, and the derived
state matches what the APIs answer."""
from __future__ import annotations

import html
import re

import pytest

from sandbox.apis import API_PACKAGES
from sandbox.dashboard.journal_view import curl_command, pretty
from tests.core import dummy_api

from .pages import ATRIUM, ATRIUM_BETA, MEMBER, SAASQUATCH_AUTH, SAASQUATCH_TENANT, USER

PAGES = ["/_sandbox/ui", "/_sandbox/ui/requests", "/_sandbox/ui/state/atrium", "/_sandbox/ui/faults",
         "/_sandbox/ui/webhooks", "/_sandbox/ui/snapshots"]
PARTS = ["/_sandbox/ui/part/overview", "/_sandbox/ui/part/requests", "/_sandbox/ui/part/faults",
         "/_sandbox/ui/part/webhooks", "/_sandbox/ui/part/snapshots",
         *[f"/_sandbox/ui/part/state/{api.name}" for api in API_PACKAGES]]
SECRETS = ["atrium-api-key", "TEST_B4BYA15POHYQ284HBND1", "0987654321", "SECRETKEY"]


@pytest.fixture
def client(make_app):
    return make_app("default").test_client()


def page_text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def cells(response, table: str) -> list[list[str]]:
    """The body rows of one state table (``aria-labelledby="table-<name>"``) as text."""
    text = response.get_data(as_text=True)
    section = text.split(f'aria-labelledby="table-{table}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1], re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in rows]


def column(response, table: str, name: str) -> list[str]:
    text = response.get_data(as_text=True)
    section = text.split(f'aria-labelledby="table-{table}"', 1)[1].split("</thead>", 1)[0]
    names = [html.unescape(n) for n in re.findall(r'<th scope="col">(.*?)</th>', section)]
    return [row[names.index(name)] for row in cells(response, table)]


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_no_token_and_hold_no_state(make_app, path):
    client = make_app("default", admin_token="s3cret").test_client()
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert 'data-token-required="yes"' in body and "s3cret" not in body
    assert not any(secret in body for secret in SECRETS + ["USR-", "MBR-"])


@pytest.mark.parametrize("path", PARTS)
def test_parts_need_the_admin_token_like_the_control_api(make_app, path):
    client = make_app("default", admin_token="s3cret").test_client()
    refused = client.get(path)
    assert refused.status_code == 401 and refused.json["error"]
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_the_overview_shows_what_serve_prints(client):
    r = client.get("/_sandbox/ui/part/overview")
    text = page_text(r)
    assert "default" in text and "http://localhost/atrium" in text and "http://localhost/_sandbox" in text
    assert "MX-Client-ID=atrium-client, MX-API-Key=atrium-api-key" in text      # as serve's banner has it
    assert "tenant_alias=test_abo912126tastastt, api_key=TEST_B4BYA15POHYQ284HBND1" in text
    page = client.get("/_sandbox/ui").get_data(as_text=True)
    assert '<option value="atrium/lockout-after-rewards">' in page               # the scenario picker


def test_a_namespaced_dashboard_stays_in_its_namespace(client):
    page = client.get("/_ns/qa-7/_sandbox/ui/requests").get_data(as_text=True)
    assert 'data-control="/_ns/qa-7/_sandbox"' in page
    assert 'data-part="/_ns/qa-7/_sandbox/ui/part/requests"' in page
    assert 'href="/_ns/qa-7/_sandbox/ui/faults"' in page
    client.get("/_ns/qa-7/atrium/users", headers=ATRIUM)
    assert "/atrium/users" in page_text(client.get("/_ns/qa-7/_sandbox/ui/part/requests"))
    assert "No requests" in page_text(client.get("/_sandbox/ui/part/requests"))
    overview = page_text(client.get("/_ns/qa-7/_sandbox/ui/part/overview"))
    assert "http://localhost/_ns/qa-7/atrium" in overview and "qa-7" in overview


def test_the_requests_part_is_newest_first_filtered_and_escaped(client):
    client.get("/atrium/users", headers=ATRIUM)
    client.get("/myrewards/api/v2/users/123/transactions", headers={"Authorization": "Token token=xxx"})
    client.get("/atrium/<script>alert(1)</script>", headers=ATRIUM)
    body = client.get("/_sandbox/ui/part/requests").get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body
    ids = [int(i) for i in re.findall(r'data-entry="(\d+)"', body)]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)
    only = page_text(client.get("/_sandbox/ui/part/requests?api=myrewards&method=&status=200&path=transactions"))
    assert "/myrewards/" in only and "/atrium/" not in only
    bad = client.get("/_sandbox/ui/part/requests?status=abc")
    assert bad.status_code == 400 and bad.json["problems"][0]["path"] == "status"


def test_a_request_shows_in_full_with_its_secrets_masked(client):
    body = {"member": {"institution_code": "mxbank", "credentials": [
        {"guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "value": "test_atrium"},
        {"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": "hunter2-secret"}]}}
    r = client.post(f"/atrium/users/{USER}/members?x=1", json=body, headers=ATRIUM)
    assert r.status_code in (200, 202)
    entry_id = re.findall(r'data-entry="(\d+)"', client.get("/_sandbox/ui/part/requests").get_data(as_text=True))[0]
    detail = client.get(f"/_sandbox/ui/part/requests/{entry_id}")
    text = page_text(detail)
    assert "hunter2-secret" not in text and "atrium-api-key" not in text
    assert '"value": "***"' in text and "Mx-Api-Key" in text and "***" in text
    assert '"institution_code": "mxbank"' in text                      # pretty-printed request body
    assert f"curl -X POST 'http://localhost/atrium/users/{USER}/members?x=1'" in text
    assert "-H 'Mx-Api-Key: ***'" in text
    missing = client.get("/_sandbox/ui/part/requests/999999")
    assert missing.status_code == 404 and missing.json["error"]


def test_the_curl_command_repeats_the_request():
    entry = {"method": "PUT", "path": "/myrewards/api/v2/users/123", "query": "a=1&b=2",
             "headers": {"Host": "x", "Content-Length": "20", "Authorization": "Token ***",
                         "Content-Type": "application/json"},
             "body": {"surname": "O'Brien"}}
    assert curl_command(entry, "http://127.0.0.1:8080/_ns/qa") == (
        "curl -X PUT 'http://127.0.0.1:8080/_ns/qa/myrewards/api/v2/users/123?a=1&b=2' \\\n"
        "  -H 'Authorization: Token ***' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  --data-raw '{\"surname\": \"O'\"'\"'Brien\"}'")
    head = {"method": "HEAD", "path": "/atrium/users", "query": "", "headers": {}, "body": ""}
    assert curl_command(head, "http://h") == "curl --head http://h/atrium/users"
    get = {"method": "GET", "path": "/a", "query": "", "headers": {"Accept": "*/*"}, "body": None}
    assert curl_command(get, "http://h") == "curl http://h/a \\\n  -H 'Accept: */*'"
    assert pretty({"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}' and pretty(None) == "" and pretty("x<") == "x<"


@pytest.mark.parametrize("api", [api.name for api in API_PACKAGES])
def test_every_api_in_the_registry_has_a_state_page_with_every_table(client, api):
    exported = client.get(f"/_sandbox/state/{api}").json["tables"]
    r = client.get(f"/_sandbox/ui/part/state/{api}")
    assert r.status_code == 200
    shown = re.findall(r'aria-labelledby="table-([a-z_]+)"', r.get_data(as_text=True))
    assert set(exported) <= set(shown)
    text = page_text(r)
    assert not any(secret in text for secret in SECRETS), "a secret column is shown unmasked"
    assert client.get(f"/_sandbox/ui/state/{api}").status_code == 200


def test_an_api_without_a_description_is_shown_whole(make_app):
    client = make_app({"name": "w", "dummy": {"wallets": [{"id": "a", "balance": 10}]}},
                      apis=[dummy_api.API]).test_client()
    r = client.get("/_sandbox/ui/part/state/dummy")
    assert cells(r, "wallets") == [["a", "10"]] and len(cells(r, "ledger")) == 1
    assert client.get("/_sandbox/ui/state").headers["Location"].endswith("/_sandbox/ui/state/dummy")
    assert client.get("/_sandbox/ui/state/atrium").status_code == 404
    assert client.get("/_sandbox/ui/part/state/atrium").status_code == 404


def test_atrium_members_show_the_status_the_api_answers_as_the_clock_moves(client):
    client.put("/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"})
    assert client.post(f"/atrium/users/{USER}/members/{MEMBER}/fetch_rewards", headers=ATRIUM_BETA).status_code == 200
    member = client.get(f"/atrium/users/{USER}/members/{MEMBER}", headers=ATRIUM).json["member"]
    r = client.get("/_sandbox/ui/part/state/atrium")
    assert column(r, "members", "connection_status") == [member["connection_status"]]
    assert column(r, "members", "is_being_aggregated") == ["true"] and member["is_being_aggregated"] is True
    assert column(r, "jobs", "state") == ["running"]
    client.post("/_sandbox/clock/advance", json={"by": "1h"})
    r = client.get("/_sandbox/ui/part/state/atrium")
    assert column(r, "members", "is_being_aggregated") == ["false"]
    assert column(r, "jobs", "state") == ["ended CONNECTED"]
    assert column(r, "members", "password") == ["***"]


def test_a_focused_atrium_member_lists_its_jobs_rewards_and_accounts_and_links_its_user(client):
    client.post(f"/atrium/users/{USER}/members/{MEMBER}/fetch_rewards", headers=ATRIUM_BETA)
    body = client.get(f"/_sandbox/ui/part/state/atrium?row=members/{MEMBER}").get_data(as_text=True)
    focus = body.split('class="focus"', 1)[1].split("</section>\n<nav", 1)[0]
    assert f"Member {MEMBER}" in focus and f'href="?row=users/{USER}"' in focus
    related = re.findall(r'<h3 id="related-(\w+)">', focus)
    assert related[:1] == ["jobs"] and {"rewards", "accounts", "transactions"} <= set(related)
    missing = page_text(client.get("/_sandbox/ui/part/state/atrium?row=members/MBR-nope"))
    assert "No members row MBR-nope" in missing


def test_saasquatch_balances_are_what_the_api_answers(client):
    client.post(f"/saasquatch/api/v1/{SAASQUATCH_TENANT}/credit/bulkredeem", auth=SAASQUATCH_AUTH,
                json={"accountId": "613611", "unit": "CENTS", "amount": 100})
    answer = client.get(f"/saasquatch/api/v1/{SAASQUATCH_TENANT}/reward/balance?accountId=613611",
                        auth=SAASQUATCH_AUTH).json
    r = client.get("/_sandbox/ui/part/state/saasquatch")
    credit = next(b for b in answer if b["type"] == "CREDIT" and b["unit"] == "CENTS")
    row = [i for i, t in enumerate(column(r, "balances", "type")) if t == "CREDIT"][0]
    for field in ("totalAssignedCredit", "totalRedeemedCredit", "totalPendingCredit", "count"):
        assert column(r, "balances", field)[row] == str(credit[field])
    assert len(cells(r, "balances")) == len(answer)


def test_myrewards_users_show_their_balance_and_the_programme_its_pool(client):
    token = {"Authorization": "Token token=xxx"}
    posted = client.post("/myrewards/api/v1/users/123/transactions", headers=token, json={"transaction": {
        "transaction_type": "Credit", "variety": "Programme Points", "points": 50, "reason": "t"}})
    assert posted.status_code == 200
    last = client.get("/myrewards/api/v2/users/123/transactions/last", headers=token).json
    r = client.get("/_sandbox/ui/part/state/myrewards")
    balances = dict(zip(column(r, "users", "id"), column(r, "users", "balance")))
    assert balances["123"] == str(last["balance"]) == "500"
    pool = client.get("/_sandbox/state/myrewards").json["tables"]["programmes"][0]["points_balance"]
    assert column(r, "programmes", "points_balance") == [str(pool)]
    assert column(r, "api_keys", "key") == ["***", "***"]


def test_the_webhooks_part_lists_each_delivery_its_attempts_and_a_redeliver_form(client):
    from sandbox.core import events
    from sandbox.core.db import borrowed
    from sandbox.core.timeutil import utcnow

    assert "No events yet" in page_text(client.get("/_sandbox/ui/part/webhooks"))
    client.post("/_sandbox/webhooks/subscriptions", json={"api": "saasquatch", "url": "http://127.0.0.1:9/hooks",
                                                          "client": SAASQUATCH_TENANT})
    client.post(f"/saasquatch/api/v1/{SAASQUATCH_TENANT}/credit/bulkredeem", auth=SAASQUATCH_AUTH,
                json={"accountId": "613611", "unit": "CENTS", "amount": 100})
    (delivery,) = client.get("/_sandbox/webhooks").get_json()["webhooks"]
    with borrowed(client.application.extensions["sandbox"].settings.db_path) as db:     # one failed attempt
        (claimed,) = events.claim(db, [delivery["id"]], "test", 1e12)
        events.record_attempt(db, claimed["id"], "test", utcnow(), 1e12, 503, None, 12.5)
    text = client.get("/_sandbox/ui/part/webhooks").get_data(as_text=True)
    assert f'data-path="/webhooks/{delivery["id"]}/redeliver"' in text
    shown = page_text(client.get("/_sandbox/ui/part/webhooks"))
    assert "user.reward.balance.changed" in shown and "http://127.0.0.1:9/hooks" in shown
    assert "503 (12.5 ms)" in shown and "pending" in shown


def test_the_snapshots_part_lists_this_namespaces_snapshots_with_their_controls(client):
    assert "No snapshots saved" in page_text(client.get("/_sandbox/ui/part/snapshots"))
    assert client.post("/_ns/other/_sandbox/snapshots", json={"name": "elsewhere"}).status_code == 201
    assert client.post("/_sandbox/snapshots", json={"name": "before-redeem"}).status_code == 201
    part = client.get("/_sandbox/ui/part/snapshots").get_data(as_text=True)
    assert 'data-snapshot="before-redeem"' in part and "elsewhere" not in part
    assert 'data-method="POST" data-path="/snapshots/before-redeem/restore"' in part
    assert 'data-method="DELETE" data-path="/snapshots/before-redeem"' in part
    assert "default" in page_text(client.get("/_sandbox/ui/part/snapshots"))       # the world it holds
