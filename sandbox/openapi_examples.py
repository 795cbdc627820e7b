"""The examples in the OpenAPI documents: what the default world answers, recorded.

``python -m sandbox.openapi_examples`` walks each API's happy path on a fresh default world
(its clock frozen, so every id and instant is the same each time) and writes the first answer
of each operation and status to ``openapi_examples.json`` beside this file, which the
documents read (``core.openapi``). ``--check`` exits 1 when the file is not what the default
world answers today (a test runs it, and checks every recorded answer against the document).
"""
from __future__ import annotations

import base64
import json
import sys
import tempfile
from pathlib import Path

FILE = Path(__file__).with_name("openapi_examples.json")
CLOCK = "2026-01-15T09:00:00Z"
USER, MEMBER = "USR-fa7537f3-48aa-a683-a02a-b18940482f54", "MBR-7c6f361b-e582-15b6-60c0-358f12466b4b"
TENANT, WALLET, POINTS = "/api/v1/test_abo912126tastastt", "555555", "4102305275"
ATRIUM = {"MX-API-Key": "atrium-api-key", "MX-Client-ID": "atrium-client",
          "Accept": "application/vnd.mx.atrium.v1+json"}
BETA = {**ATRIUM, "Accept": "application/vnd.mx.atrium.beta+json"}
SAASQUATCH = {"Authorization": "Basic " + base64.b64encode(b":TEST_B4BYA15POHYQ284HBND1").decode()}
MYREWARDS = {"Authorization": "Token token=xxx"}


class _Recorder:
    def __init__(self, app):
        self.app, self.client, self.found = app, app.test_client(), {}

    def call(self, api: str, method: str, path: str, body=None, headers=None, may_refuse=False):
        raw = b"" if body is None else json.dumps(body).encode()
        headers = {**(headers or {}), "Content-Type": "application/json"}
        if api == "eagleeye":
            from sandbox.apis.eagleeye.auth import request_hash

            headers.update({"X-EES-AUTH-CLIENT-ID": "ees-client",
                            "X-EES-AUTH-HASH": request_hash(path, raw, "0987654321")})
        prefix = "/_sandbox" if api == "control" else f"/{api}"
        response = self.client.open(prefix + path, method=method, data=raw, headers=headers)
        if response.status_code >= 400 and may_refuse:
            return None
        assert response.status_code < 400, (method, path, response.status_code, response.get_data()[:300])
        key = f"{method} {self._view(prefix + path.split('?')[0], method)}"
        data = response.get_json(silent=True)
        if data is not None:
            self.found.setdefault(api, {}).setdefault(key, {}).setdefault(str(response.status_code), data)
        return data

    def _view(self, path: str, method: str) -> str:
        """The name of the view that serves ``method path`` (alias paths share it)."""
        rule, _ = self.app.url_map.bind("sandbox").match(path, method=method, return_rule=True)
        return rule.endpoint.split(".", 1)[1]


def _atrium(r: _Recorder) -> None:
    member = f"/users/{USER}/members/{MEMBER}"
    r.call("atrium", "GET", "/users", headers=ATRIUM)
    r.call("atrium", "GET", f"/users/{USER}", headers=ATRIUM)
    r.call("atrium", "PUT", f"/users/{USER}", {"user": {"metadata": '{"first_name": "Steven"}'}}, ATRIUM)
    created = r.call("atrium", "POST", "/users", {"user": {"identifier": "example_user"}}, ATRIUM)
    r.call("atrium", "GET", "/institutions?name=mx", headers=ATRIUM)
    r.call("atrium", "GET", "/institutions/mxbank", headers=ATRIUM)
    credentials = r.call("atrium", "GET", "/institutions/mxbank/credentials", headers=ATRIUM)["credentials"]
    r.call("atrium", "GET", f"/users/{USER}/members", headers=ATRIUM)
    r.call("atrium", "GET", member, headers=ATRIUM)
    r.call("atrium", "GET", member + "/status", headers=ATRIUM)
    r.call("atrium", "GET", member + "/credentials", headers=ATRIUM)
    r.call("atrium", "GET", member + "/accounts", headers=ATRIUM)
    r.call("atrium", "GET", member + "/transactions", headers=ATRIUM)
    r.call("atrium", "PUT", member, {"member": {"metadata": "example"}}, ATRIUM)
    r.call("atrium", "POST", member + "/fetch_rewards", headers=BETA)
    r.call("control", "POST", "/clock/advance", {"seconds": 10})      # the job completes
    rewards = r.call("atrium", "GET", member + "/rewards", headers=BETA)["rewards"]
    r.call("atrium", "GET", f"{member}/rewards/{rewards[0]['guid']}", headers=BETA)
    for job in ("aggregate", "identify", "verify", "fetch_statements", "extend_history"):
        r.call("atrium", "POST", f"{member}/{job}", headers=ATRIUM, may_refuse=True)  # what mxbank supports
        r.call("control", "POST", "/clock/advance", {"seconds": 10})
    accounts = r.call("atrium", "GET", f"/users/{USER}/accounts", headers=ATRIUM)["accounts"]
    account = accounts[0]["guid"]
    r.call("atrium", "GET", f"/users/{USER}/accounts/{account}", headers=ATRIUM)
    r.call("atrium", "GET", f"{member}/accounts/{account}", headers=ATRIUM)
    found = r.call("atrium", "GET", f"/users/{USER}/transactions", headers=ATRIUM)["transactions"]
    r.call("atrium", "GET", f"/users/{USER}/accounts/{account}/transactions", headers=ATRIUM)
    if found:
        r.call("atrium", "GET", f"/users/{USER}/transactions/{found[0]['guid']}", headers=ATRIUM)
    r.call("atrium", "GET", f"{member}/account_numbers", headers=ATRIUM, may_refuse=True)
    r.call("atrium", "GET", f"/users/{USER}/accounts/{account}/account_numbers", headers=ATRIUM, may_refuse=True)
    r.call("atrium", "GET", f"{member}/account_owners", headers=ATRIUM, may_refuse=True)
    statements = r.call("atrium", "GET", f"{member}/statements", headers=ATRIUM, may_refuse=True)
    if statements and statements["statements"]:
        r.call("atrium", "GET", f"{member}/statements/{statements['statements'][0]['guid']}", headers=ATRIUM)
    r.call("atrium", "GET", "/credit_card_products/CCA-b5bcd822-6d01-4e23-b8d6-846a225e714a", headers=BETA)
    answers = [{"guid": c["guid"], "value": v} for c, v in zip(credentials, ("test_atrium", "options"))]
    new = r.call("atrium", "POST", f"/users/{created['user']['guid']}/members",
                 {"member": {"institution_code": "mxbank", "credentials": answers}}, ATRIUM)["member"]
    r.call("control", "POST", "/clock/advance", {"seconds": 10})
    new_member = f"/users/{created['user']['guid']}/members/{new['guid']}"
    challenges = r.call("atrium", "GET", new_member + "/challenges", headers=ATRIUM)
    if challenges:
        reply = [{"guid": c["guid"], "value": "correct"} for c in challenges["challenges"]]
        r.call("atrium", "PUT", new_member + "/resume", {"member": {"challenges": reply}}, ATRIUM)


def _eagleeye(r: _Recorder) -> None:
    r.call("eagleeye", "GET", f"/wallet/{WALLET}")
    r.call("eagleeye", "GET", "/wallet?identity-value=1111111111111131")
    r.call("eagleeye", "GET", f"/wallet/{WALLET}/accounts")
    r.call("eagleeye", "GET", f"/wallet/{WALLET}/account/{POINTS}")
    r.call("eagleeye", "PATCH", f"/wallet/{WALLET}/account/{POINTS}/credit", {"value": 50})
    r.call("eagleeye", "PATCH", f"/wallet/{WALLET}/account/{POINTS}/debit", {"value": 10})
    r.call("eagleeye", "GET", f"/wallet/{WALLET}/account/{POINTS}/transactions")
    r.call("eagleeye", "GET", "/banks/pointsreward/84592/rewards")
    exchanged = r.call("eagleeye", "POST", f"/services/wallet/{WALLET}/transaction/exchange/pointsreward",
                       {"accountId": POINTS, "pointsRewardBankId": "84592", "pointsRewardBankRewardId": "186252"})
    r.call("eagleeye", "GET", f"/wallet/{WALLET}/transactions")
    r.call("eagleeye", "GET", "/banks/pointsreward/84592")
    moved = r.call("eagleeye", "POST", f"/services/wallet/{WALLET}/transaction/credit",
                   {"accountId": POINTS, "value": 20, "walletTransaction": {"reference": "example-credit"}})
    if moved and moved.get("reference"):
        r.call("eagleeye", "GET", f"/wallet/transaction?reference={moved['reference']}")
    r.call("eagleeye", "GET", f"/wallet/{WALLET}/transaction/{exchanged['walletTransactionId']}")
    r.call("eagleeye", "GET", f"/wallet/{WALLET}/bank/pointsreward/links")
    wallet = r.call("eagleeye", "POST", "/wallet", {"identities": [{"type": "CUSTOMER_ID", "value": "2222"}]})
    r.call("eagleeye", "POST", f"/wallet/{wallet['walletId']}/scheme/100620987/account", {})


def _saasquatch(r: _Recorder) -> None:
    h = SAASQUATCH
    r.call("saasquatch", "GET", f"{TENANT}/reward/balance?accountId=613611", headers=h)
    rewards = r.call("saasquatch", "GET", f"{TENANT}/reward?accountId=613611", headers=h)
    credit = next(x for x in rewards if x["type"] == "CREDIT" and x["unit"] == "CENTS" and x["cancellable"])
    r.call("saasquatch", "GET", f"{TENANT}/reward/{credit['id']}", headers=h)
    r.call("saasquatch", "POST", f"{TENANT}/credit/bulkredeem", {"accountId": "613611", "unit": "CENTS", "amount": 100},
           h)
    created = r.call("saasquatch", "POST", f"{TENANT}/rewards/account/613611/user/876343",
                     {"type": "CREDIT", "unit": "CENTS", "assignedCredit": 500}, h)
    r.call("saasquatch", "POST", f"{TENANT}/credit/{created['id']}/redeem", {"unit": "CENTS", "amount": 100}, h)
    spare = r.call("saasquatch", "POST", f"{TENANT}/rewards/account/613611/user/876343",
                   {"type": "CREDIT", "unit": "CENTS", "assignedCredit": 200}, h)
    r.call("saasquatch", "POST", f"{TENANT}/reward/{spare['id']}/cancel", headers=h)
    r.call("saasquatch", "POST", f"{TENANT}/subscription",
           {"endpointUrl": "https://partner.example/hooks", "name": "balance changes"}, h)
    r.call("saasquatch", "GET", f"{TENANT}/subscription", headers=h)


def _myrewards(r: _Recorder) -> None:
    h = MYREWARDS
    r.call("myrewards", "GET", "/api/v2/registration_questions", headers=h)
    groups = r.call("myrewards", "GET", "/api/v2/user_groups", headers=h)
    r.call("myrewards", "GET", f"/api/v2/user_groups/{groups[0]['id']}", headers=h)
    r.call("myrewards", "GET", "/api/v2/users/123/transactions", headers=h)
    r.call("myrewards", "GET", "/api/v2/users/123/transactions/last", headers=h)
    r.call("myrewards", "POST", "/api/v1/users/123/transactions",
           {"transaction": {"transaction_type": "Credit", "variety": "Programme Points", "points": 50,
                            "reason": "Example"}}, h)
    r.call("myrewards", "PATCH", "/api/v2/users/123", {"user": {"company": "Wayne Enterprises"}}, h)
    r.call("myrewards", "GET", "/api/v2/performance/data_fields", headers=h)
    promotions = r.call("myrewards", "GET", "/api/v2/performance/promotions", headers=h)
    r.call("myrewards", "GET", f"/api/v2/performance/promotions/{promotions[0]['id']}/data_fields", headers=h)


def _control(r: _Recorder) -> None:
    # (not health nor snapshots: their answers hold the process id and the wall clock)
    for path in ("/scenario", "/scenarios", "/clock", "/requests/count", "/requests/unmatched", "/faults",
                 "/namespaces", "/state/saasquatch", "/webhooks/subscriptions"):
        r.call("control", "GET", path)
    r.call("control", "POST", "/faults", {"api": "saasquatch", "status": 503, "times": 1})
    r.call("control", "DELETE", "/faults")
    r.call("control", "PUT", "/clock", {"frozen_at": CLOCK})


def record() -> dict:
    """{api: {"METHOD view": {status: body}}} from a fresh default world."""
    from sandbox import build_sandbox
    from sandbox.core.scenario_files import world_document

    doc, provenance, source = world_document("default")
    with tempfile.TemporaryDirectory(prefix="rewards-sandbox-examples-") as folder:
        app = build_sandbox(str(Path(folder) / "examples.sqlite"), ({**doc, "clock": CLOCK}, provenance, source))
        recorder = _Recorder(app)
        for walk in (_atrium, _eagleeye, _saasquatch, _myrewards, _control):
            walk(recorder)
        from sandbox.core.db import forget_connection

        forget_connection(str(Path(folder) / "examples.sqlite"))
    return {api: dict(sorted(ops.items())) for api, ops in sorted(recorder.found.items())}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = json.dumps(record(), indent=1, sort_keys=False) + "\n"
    if "--check" in argv:
        if not FILE.exists() or FILE.read_text() != text:
            print(f"{FILE.name} is not what the default world answers: run python -m sandbox.openapi_examples")
            return 1
        return 0
    FILE.write_text(text)
    print(f"wrote {FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
