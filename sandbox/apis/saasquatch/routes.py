"""SaaSquatch HTTP layer: auth, parse, call the service, render.

Vendor paths are served unchanged below the mount prefix: ``/api/v1/{tenant_alias}/...``.
"""
from __future__ import annotations


from urllib.parse import unquote

from flask import Blueprint, request
from marshmallow import Schema

from sandbox.core.clock import request_now
from sandbox.core.context import current, state_db
from sandbox.core.http import answer, json_body, query
from sandbox.core.openapi import documented

from . import auth, errors, service
from .schemas import (AccountQuerySchema, BulkRedeemSchema, DebitResultSchema, NewRewardSchema,
                      RedeemSchema, RewardBalanceSchema, RewardSchema, account_query_schema, balance_json,
                      bulk_redeem_schema, debit_json, new_reward, new_reward_schema, redeem_schema,
                      reward_json, WebhookEndpointSchema, webhook_endpoint_json, webhook_endpoint_schema)

bp = Blueprint("saasquatch", __name__)
# Operation ids are the vendor's own (operationId in SaaSquatch's published API description).
BASE = "/api/v1/<tenant_alias>"


@bp.before_request
def authenticate():
    alias = (request.view_args or {}).get("tenant_alias")
    if alias is not None:
        current().caller = auth.authenticate(state_db(), alias, request.headers.get("Authorization"))


def _body(schema: Schema) -> dict:
    """The JSON object in the body: SaaSquatch takes JSON only, and says so (RS046)."""
    if request.mimetype != "application/json":
        raise errors.wrong_content_type()
    return json_body(schema)


def _call(fn, *args):
    return fn(state_db(), current().caller, request_now(), *args)


@bp.get(f"{BASE}/reward/balance")
@documented(summary="List reward balances", operation_id="listRewardBalances", query=AccountQuerySchema,
            responses={200: RewardBalanceSchema(many=True)})
def reward_balances(tenant_alias):
    given = query(account_query_schema)
    balances = _call(service.reward_balances, given["accountId"], given["userId"], given["rewardTypeFilter"])
    return answer([balance_json(b) for b in balances])


@bp.post(f"{BASE}/credit/bulkredeem")
@documented(summary="Debit a reward balance", operation_id="debitRewardBalance", body=BulkRedeemSchema,
            responses={200: DebitResultSchema}, errors=(402,))
def bulk_redeem(tenant_alias):
    body = _body(bulk_redeem_schema)
    return answer(debit_json(_call(service.bulk_redeem, body["accountId"], body["unit"], body["amount"])))


@bp.get(f"{BASE}/reward")
@documented(summary="List an account's rewards", operation_id="getRewards", query=AccountQuerySchema,
            responses={200: RewardSchema(many=True)})
def list_rewards(tenant_alias):
    given = query(account_query_schema)
    rewards = _call(service.list_rewards, given["accountId"], given["userId"], given["rewardTypeFilter"])
    return answer([reward_json(r) for r in rewards])


@bp.get(f"{BASE}/reward/<reward_id>")
@documented(summary="Lookup a single reward", operation_id="lookupReward", responses={200: RewardSchema})
def get_reward(tenant_alias, reward_id):
    return answer(reward_json(_call(service.get_reward, reward_id)))


@bp.post(f"{BASE}/credit/<reward_id>/redeem")
@documented(summary="Redeem a single reward", operation_id="debitReward", body=RedeemSchema,
            responses={200: DebitResultSchema}, errors=(402,))
def redeem_reward(tenant_alias, reward_id):
    body = _body(redeem_schema)
    return answer(debit_json(_call(service.redeem_reward, reward_id, body["unit"], body["amount"])))


@bp.post(f"{BASE}/reward/<reward_id>/cancel")
@documented(summary="Cancel a single reward", operation_id="cancelReward", responses={200: RewardSchema})
def cancel_reward(tenant_alias, reward_id):
    return answer(reward_json(_call(service.cancel_reward, reward_id)))


@bp.post(f"{BASE}/rewards/account/<account_id>/user/<user_id>")
@documented(summary="Create a single reward", operation_id="createReward", body=NewRewardSchema, responses={201: RewardSchema})
def create_reward(tenant_alias, account_id, user_id):
    body = _body(new_reward_schema)
    reward = _call(service.create_reward, account_id, user_id, new_reward(body))
    return answer(reward_json(reward), 201)


# -- webhook subscriptions --------------------------------------------------------------

@bp.post(f"{BASE}/subscription")
@documented(summary="Create a webhook subscription", body=WebhookEndpointSchema,
            responses={201: WebhookEndpointSchema})
def create_webhook(tenant_alias):
    body = _body(webhook_endpoint_schema)
    row = service.subscribe(state_db(), current().caller, body["endpointUrl"], body.get("name"))
    return answer(webhook_endpoint_json(row), 201)


@bp.get(f"{BASE}/subscription")
@documented(summary="List webhook subscriptions", responses={200: WebhookEndpointSchema(many=True)})
def list_webhooks(tenant_alias):
    return answer([webhook_endpoint_json(r) for r in service.subscriptions(state_db(), current().caller)])


@bp.delete(f"{BASE}/subscription/<path:url>")
@documented(summary="Delete a webhook subscription", responses={204: None})
def delete_webhook(tenant_alias, url):
    service.unsubscribe(state_db(), current().caller, _endpoint_url(url))
    return answer(None, 204)


@bp.post(f"{BASE}/subscription/<path:url>/test")
@documented(summary="Test a webhook subscription", responses={204: None})
def test_webhook(tenant_alias, url):
    service.test_event(state_db(), current().caller, request_now(), _endpoint_url(url, "/test"))
    return answer(None, 204)


def _endpoint_url(routed: str, suffix: str = "") -> str:
    """The subscribed URL named in the path, URL-encoded as the vendor asks: read from the
    path as sent when the server gives it (decoding it first would turn its %2F into
    separators), else as routed."""
    sent = (request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or "").split("?", 1)[0]
    marker = "/subscription/"
    if marker in sent:
        encoded = sent.split(marker, 1)[1]
        if suffix and encoded.endswith(suffix):
            encoded = encoded[: -len(suffix)]
        return unquote(encoded)
    return routed
