"""Every route of every API, as a request that tenant ``a`` or ``b`` of world.py can make,
and the credentials each API needs (Eagle Eye's signed hash included).

``test_catalogue_covers_every_served_route`` (test_hostile_input.py) compares this list with
each API's served OpenAPI document, so a new route cannot be left out of the reliability
tests silently.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from sandbox.apis import API_PACKAGES
from sandbox.control import CONTROL

APIS = tuple(api.name for api in API_PACKAGES)   # the registry's
PREFIX = {**{api.name: api.prefix for api in API_PACKAGES}, "control": CONTROL.prefix}
BETA = "application/vnd.mx.atrium.beta+json"


@dataclass(frozen=True)
class Route:
    api: str
    method: str
    template: str                  # the path as the OpenAPI document writes it
    params: dict = field(default_factory=dict)
    query: dict | None = None
    body: dict | None = None
    setup: tuple = ()              # routes the owner calls first, after a reset
    namespace: str | None = None   # sent under /_ns/<namespace>
    body_refs: bool = False        # the body names objects of the tenant (ids), not just new values

    @property
    def key(self) -> tuple[str, str]:
        return self.method.upper(), self.template

    def path(self, **params) -> str:
        """The full path (mount prefix included), each parameter percent-encoded."""
        values = {**self.params, **params}
        return PREFIX[self.api] + self.template.format(**{k: _quote(v) for k, v in values.items()})

    def url(self, query: dict | None = None, **params) -> str:
        query = self.query if query is None else query
        return self.path(**params) + ("?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query.items())
                                      if query else "")

    def with_(self, **changes) -> "Route":
        return replace(self, **changes)


# the first challenge of each tenant's MBR-*-mfa member (deterministic ids)
CHALLENGE = {"a": "CRD-e6521a5d-34b5-5525-a1fd-795f4a3222c2", "b": "CRD-14e5cdfd-d268-5323-b765-28dbc6c1d679"}


def _quote(value) -> str:
    """Percent-encoded UTF-8; a lone surrogate becomes the invalid bytes it stands for."""
    return quote(str(value), safe="", errors="surrogatepass")


def _atrium(t: str) -> list[Route]:
    user = {"user_guid": f"USR-{t}"}
    member = {**user, "member_guid": f"MBR-{t}"}
    m = "/users/{user_guid}/members/{member_guid}"
    jobs = ("aggregate", "fetch_rewards", "identify", "verify", "fetch_statements", "extend_history")
    return [
        Route("atrium", "GET", "/institutions", query={"name": "MX"}),
        Route("atrium", "GET", "/institutions/{code}", {"code": "mxbank"}),
        Route("atrium", "GET", "/institutions/{code}/credentials", {"code": "mxbank"}),
        Route("atrium", "GET", "/credit_card_products/{guid}", {"guid": "CCA-shared"}),
        Route("atrium", "POST", "/users", body={"user": {"identifier": f"new-{t}", "metadata": "{}"}}),
        Route("atrium", "GET", "/users", query={"page": 1, "records_per_page": 10}),
        Route("atrium", "GET", "/users/{user_guid}", user),
        Route("atrium", "PUT", "/users/{user_guid}", user, body={"user": {"metadata": "changed"}}),
        Route("atrium", "DELETE", "/users/{user_guid}", user),
        Route("atrium", "POST", "/users/{user_guid}/members", user, body={"member": {
            "institution_code": "mxbank", "identifier": "m2",
            "credentials": [{"guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "value": "test_atrium"},
                            {"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": "another"}]}}),
        Route("atrium", "GET", "/users/{user_guid}/members", user),
        Route("atrium", "GET", m, member),
        Route("atrium", "PUT", m, member, body={"member": {"metadata": "changed"}}),
        Route("atrium", "DELETE", m, member),
        *[Route("atrium", "POST", f"{m}/{job}", member) for job in jobs],
        Route("atrium", "GET", f"{m}/status", member),
        Route("atrium", "GET", f"{m}/challenges", {**user, "member_guid": f"MBR-{t}-mfa"}),
        Route("atrium", "PUT", f"{m}/resume", {**user, "member_guid": f"MBR-{t}-mfa"},
              body={"member": {"challenges": [{"guid": CHALLENGE[t], "value": "correct"}]}}),
        Route("atrium", "GET", f"{m}/credentials", member),
        Route("atrium", "GET", f"{m}/accounts", member),
        Route("atrium", "GET", f"{m}/accounts/{{account_guid}}", {**member, "account_guid": f"ACT-{t}"}),
        Route("atrium", "GET", "/users/{user_guid}/accounts", user, query={"page": 1, "records_per_page": 10}),
        Route("atrium", "GET", "/users/{user_guid}/accounts/{account_guid}", {**user, "account_guid": f"ACT-{t}"}),
        Route("atrium", "GET", "/users/{user_guid}/accounts/{account_guid}/transactions",
              {**user, "account_guid": f"ACT-{t}"}, query={"from_date": "2026-01-01"}),
        Route("atrium", "GET", "/users/{user_guid}/transactions", user,
              query={"from_date": "2026-01-01", "to_date": "2026-01-31"}),
        Route("atrium", "GET", "/users/{user_guid}/transactions/{transaction_guid}",
              {**user, "transaction_guid": f"TRN-{t}"}),
        Route("atrium", "GET", f"{m}/transactions", member, query={"from_date": "2026-01-01"}),
        Route("atrium", "GET", f"{m}/account_numbers", member),
        Route("atrium", "GET", "/users/{user_guid}/accounts/{account_guid}/account_numbers",
              {**user, "account_guid": f"ACT-{t}"}),
        Route("atrium", "GET", f"{m}/account_owners", member),
        Route("atrium", "GET", f"{m}/statements", member, query={"page": 1, "records_per_page": 10}),
        Route("atrium", "GET", f"{m}/statements/{{statement_guid}}", {**member, "statement_guid": f"STA-{t}"}),
        Route("atrium", "GET", f"{m}/rewards", member),
        Route("atrium", "GET", f"{m}/rewards/{{reward_guid}}", {**member, "reward_guid": f"RWD-{t}"}),
    ]


def _myrewards(t: str) -> list[Route]:
    pid = 1 if t == "a" else 2
    user, group, promo = {"user_id": pid * 10}, {"group_id": pid * 10 + 1}, {"promotion_id": pid * 10 + 1}
    claim = {"date_of_sale": "2026-01-10", "product_or_activity": "SKU-1", "quantity": 2, "user_id": pid * 10}
    return [
        Route("myrewards", "POST", "/api/v1/users/{user_id}/transactions", user, body={"transaction": {
            "transaction_type": "Credit", "variety": "Programme Points", "points": 10, "reason": "reliability"}}),
        Route("myrewards", "POST", "/api/v2/performance/data", body={"data": [claim], "promotion_id": promo["promotion_id"]},
              body_refs=True),
        Route("myrewards", "GET", "/api/v2/performance/data_fields"),
        Route("myrewards", "GET", "/api/v2/performance/promotions"),
        Route("myrewards", "POST", "/api/v2/performance/promotions/{promotion_id}/data", promo, body={"data": [claim]},
              body_refs=True),
        Route("myrewards", "GET", "/api/v2/performance/promotions/{promotion_id}/data_fields", promo),
        Route("myrewards", "GET", "/api/v2/registration_questions"),
        Route("myrewards", "GET", "/api/v2/user_group"),
        Route("myrewards", "GET", "/api/v2/user_group/{group_id}", group),
        Route("myrewards", "GET", "/api/v2/user_groups"),
        Route("myrewards", "GET", "/api/v2/user_groups/{group_id}", group),
        Route("myrewards", "POST", "/api/v2/users", body={"username": f"new-{t}", "firstname": "New"}),
        Route("myrewards", "PATCH", "/api/v2/users/{user_id}", user, body={"firstname": "Patched"}),
        Route("myrewards", "PUT", "/api/v2/users/{user_id}", user, body={"firstname": "Put"}),
        Route("myrewards", "GET", "/api/v2/users/{user_id}/transactions", user),
        Route("myrewards", "GET", "/api/v2/users/{user_id}/transactions/last", user),
    ]


def _saasquatch(t: str) -> list[Route]:
    base = "/api/v1/{tenant_alias}"
    tenant = {"tenant_alias": f"tenant_{t}"}
    credit = {**tenant, "reward_id": "aaaaaaaaaaaaaaaaaaaaaaa1"}
    hook = {**tenant, "url": f"http://127.0.0.1:9/hooks-{t}"}
    subscribe = Route("saasquatch", "POST", f"{base}/subscription", tenant, body={"endpointUrl": hook["url"]})
    return [
        Route("saasquatch", "POST", f"{base}/credit/{{reward_id}}/redeem", credit, body={"amount": 5, "unit": "CENTS"}),
        Route("saasquatch", "POST", f"{base}/credit/bulkredeem", tenant,
              body={"accountId": "acct-1", "unit": "CENTS", "amount": 5}),
        Route("saasquatch", "GET", f"{base}/reward", tenant, query={"accountId": "acct-1"}),
        Route("saasquatch", "GET", f"{base}/reward/{{reward_id}}", credit),
        Route("saasquatch", "POST", f"{base}/reward/{{reward_id}}/cancel",
              {**tenant, "reward_id": "aaaaaaaaaaaaaaaaaaaaaaa2"}),
        Route("saasquatch", "GET", f"{base}/reward/balance", tenant, query={"accountId": "acct-1"}),
        Route("saasquatch", "POST", f"{base}/rewards/account/{{account_id}}/user/{{user_id}}",
              {**tenant, "account_id": "acct-1", "user_id": "u1"},
              body={"type": "CREDIT", "unit": "CENTS", "assignedCredit": 50}),
        subscribe,
        Route("saasquatch", "GET", f"{base}/subscription", tenant),
        Route("saasquatch", "DELETE", f"{base}/subscription/{{url}}", hook, setup=(subscribe,)),
        Route("saasquatch", "POST", f"{base}/subscription/{{url}}/test", hook, setup=(subscribe,)),
    ]


def _eagleeye(t: str) -> list[Route]:
    wallet = {"wallet_id": "5001"}
    account = {**wallet, "account_id": "6001"}
    exchange = Route("eagleeye", "POST", "/services/wallet/{wallet_id}/transaction/exchange/pointsreward", wallet,
                     body={"accountId": "6001", "rewardBankId": "3001", "rewardId": "4001"})
    credit = Route("eagleeye", "POST", "/services/wallet/{wallet_id}/transaction/credit", wallet,
                   body={"accountId": "6001", "value": 10, "walletTransaction": {"reference": f"ref-{t}"}},
                   body_refs=True)
    return [
        Route("eagleeye", "GET", "/banks/pointsreward/{bank_id}/rewards", {"bank_id": "3001"}),
        Route("eagleeye", "POST", "/services/wallet", body={"identities": [{"type": "CARD", "value": f"new-{t}"}]}),
        exchange,
        Route("eagleeye", "POST", "/wallet", body={"friendlyName": "w", "identities": [{"value": f"other-{t}"}]}),
        Route("eagleeye", "GET", "/wallet", query={"identity-value": f"card-{t}"}),
        Route("eagleeye", "GET", "/wallet/{wallet_id}", wallet),
        Route("eagleeye", "GET", "/wallet/{wallet_id}/account/{account_id}", account),
        Route("eagleeye", "PATCH", "/wallet/{wallet_id}/account/{account_id}/credit", account, body={"value": 10}),
        Route("eagleeye", "PATCH", "/wallet/{wallet_id}/account/{account_id}/debit", account, body={"value": 10}),
        Route("eagleeye", "GET", "/wallet/{wallet_id}/account/{account_id}/transactions", account),
        Route("eagleeye", "GET", "/wallet/{wallet_id}/accounts", wallet, query={"type": "POINTS"}),
        Route("eagleeye", "GET", "/wallet/{wallet_id}/bank/pointsreward/links", wallet),
        Route("eagleeye", "POST", "/wallet/{wallet_id}/link/bank/pointsreward/{bank_id}",
              {**wallet, "bank_id": "3002"}, body={"status": "ACTIVE"}),
        Route("eagleeye", "PATCH", "/wallet/{wallet_id}/link/bank/pointsreward/link/{link_id}",
              {**wallet, "link_id": "7001"}, body={"status": "ACTIVE"}),
        Route("eagleeye", "POST", "/wallet/{wallet_id}/scheme/{scheme_id}/account",
              {**wallet, "scheme_id": "1002"}, body={}),
        Route("eagleeye", "GET", "/wallet/{wallet_id}/transaction/{wallet_transaction_id}",
              {**wallet, "wallet_transaction_id": "442000001"}, setup=(exchange,)),   # the exchange's id
        Route("eagleeye", "GET", "/wallet/{wallet_id}/transactions", wallet,
              query={"orderBy": "dateCreated,DESC", "includeChildren": "true"}),
        credit,
        Route("eagleeye", "POST", "/services/wallet/{wallet_id}/transaction/debit", wallet,
              body={"accountId": "6001", "value": 10}, body_refs=True),
        Route("eagleeye", "PATCH", "/wallet/{wallet_id}/account/{account_id}/earn", account, body={"value": 10}),
        Route("eagleeye", "PATCH", "/wallet/{wallet_id}/account/{account_id}/transaction/{account_transaction_id}/void",
              {**account, "account_transaction_id": "7900000001"}),      # the opening balance's CREDIT
        Route("eagleeye", "POST", "/wallet/{wallet_id}/campaign/{campaign_id}/account",
              {**wallet, "campaign_id": "2001"}, body={"status": "ACTIVE"}),
        Route("eagleeye", "DELETE", "/services/wallet/{wallet_id}", wallet),
        Route("eagleeye", "POST", "/banks/pointsreward", body={
            "name": f"bank-{t}", "mode": "PUBLIC", "status": "ACTIVE",
            "rewards": [{"resourceId": "2001", "cost": 5}]}, body_refs=True),
        Route("eagleeye", "GET", "/banks/pointsreward/{bank_id}", {"bank_id": "3001"}),
        Route("eagleeye", "PATCH", "/banks/pointsreward/{bank_id}", {"bank_id": "3001"}, body={"status": "ACTIVE"}),
        Route("eagleeye", "DELETE", "/wallet/{wallet_id}/link/bank/pointsreward/{bank_id}",
              {**wallet, "bank_id": "3002"}),
        Route("eagleeye", "GET", "/wallet/transaction", query={"reference": f"ref-{t}"}, setup=(credit,)),
    ]


def _control() -> list[Route]:
    reset = Route("control", "POST", "/reset")        # the world's tenant_a (a step before may load another)
    subscription = Route("control", "POST", "/webhooks/subscriptions", setup=(reset,),
                         body={"api": "saasquatch", "url": "http://127.0.0.1:9/hooks", "client": "tenant_a"})
    return [
        Route("control", "GET", "/clock"),
        Route("control", "PUT", "/clock", body={"frozen_at": "2026-01-15T09:00:00Z"}),
        Route("control", "POST", "/clock/advance", body={"by": "1m"}),
        Route("control", "GET", "/docs"),
        Route("control", "GET", "/docs/static/{asset}", {"asset": "swagger-ui.css"}),
        Route("control", "GET", "/faults"),
        Route("control", "POST", "/faults", body={"api": "atrium", "path": "^/never$", "status": 503, "times": 1}),
        Route("control", "DELETE", "/faults"),
        Route("control", "GET", "/health"),
        Route("control", "GET", "/namespaces"),
        Route("control", "DELETE", "/namespaces/{name}", {"name": "spare"},
              setup=(Route("control", "GET", "/health", namespace="spare"),)),
        Route("control", "PUT", "/namespaces/{name}", {"name": "spare"}, body={"scenario": {"name": "tiny"}}),
        Route("control", "GET", "/openapi.json"),
        Route("control", "GET", "/requests", query={"api": "atrium", "limit": 5}),
        Route("control", "GET", "/requests/count", query={"api": "atrium", "status": 200}),
        Route("control", "GET", "/requests/unmatched", query={"limit": 5}),
        Route("control", "DELETE", "/requests"),
        Route("control", "POST", "/reset"),
        Route("control", "GET", "/scenario"),
        Route("control", "GET", "/scenarios"),
        Route("control", "POST", "/scenario", body={"name": "tiny"}),
        Route("control", "GET", "/snapshots"),
        Route("control", "POST", "/snapshots", body={"name": "spare"}),
        Route("control", "POST", "/snapshots/{name}/restore", {"name": "spare"},
              setup=(Route("control", "POST", "/snapshots", body={"name": "spare"}),)),
        Route("control", "DELETE", "/snapshots/{name}", {"name": "spare"},
              setup=(Route("control", "POST", "/snapshots", body={"name": "spare"}),)),
        Route("control", "GET", "/state/{api_name}", {"api_name": "atrium"}),
        subscription,
        Route("control", "GET", "/webhooks", query={"api": "saasquatch", "status": "pending"}),
        Route("control", "POST", "/webhooks/{webhook_id}/redeliver", {"webhook_id": 1},
              setup=(reset, *(Route("control", "POST", "/webhooks/subscriptions",
                                    body={"api": "atrium", "url": "http://127.0.0.1:9/hooks", "client": f"client-{t}"})
                              for t in "ab"),
                     Route("control", "POST", "/clock/advance", body={"by": "25h"}))),   # a background aggregation
        Route("control", "GET", "/webhooks/subscriptions"),
        Route("control", "DELETE", "/webhooks/subscriptions/{subscription_id}", {"subscription_id": 1},
              setup=(reset, subscription)),
    ]


_BUILDERS = {"atrium": _atrium, "myrewards": _myrewards, "saasquatch": _saasquatch, "eagleeye": _eagleeye}


def routes(api: str, tenant: str = "a") -> list[Route]:
    """Every route of ``api``; an API of the registry without routes here is a KeyError, so a
    new API cannot be left out of the reliability tests."""
    return _control() if api == "control" else _BUILDERS[api](tenant)


# -- credentials -------------------------------------------------------------------------

def credentials(api: str, tenant: str) -> dict:
    """What tenant ``tenant`` of world.py authenticates with."""
    return {
        "atrium": {"client_id": f"client-{tenant}", "api_key": f"atrium-key-{tenant}"},
        "myrewards": {"key": f"mr-key-{tenant}"},
        "saasquatch": {"key": f"SQ_KEY_{tenant.upper()}"},
        "eagleeye": {"client_id": f"ee-client-{tenant}", "secret": f"ee-secret-{tenant}"},
        "control": {},
    }[api]


def auth_headers(api: str, creds: dict, full_path: str, body: bytes) -> dict:
    """Headers that authenticate a request to ``full_path`` (prefix and ?query included)."""
    if api == "atrium":
        return {"MX-Client-ID": creds["client_id"], "MX-API-Key": creds["api_key"], "Accept": BETA}
    if api == "myrewards":
        token = creds["key"] + (f":{creds['secret']}" if creds.get("secret") else "")
        return {"Authorization": f"Token token={token}"}
    if api == "saasquatch":
        return {"Authorization": "Basic " + base64.b64encode(f":{creds['key']}".encode()).decode()}
    if api == "eagleeye":
        signed = full_path[len(PREFIX["eagleeye"]):]
        digest = hashlib.sha256(signed.encode() + body + creds["secret"].encode()).hexdigest()
        return {"X-EES-AUTH-CLIENT-ID": creds["client_id"], "X-EES-AUTH-HASH": digest}
    return {}


def encode(body) -> bytes:
    return b"" if body is None else json.dumps(body).encode()
