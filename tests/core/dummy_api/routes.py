"""The dummy API's HTTP layer: parse, call the service, answer."""
from __future__ import annotations

from flask import Blueprint

from sandbox.core.clock import request_now
from sandbox.core.context import state_db
from sandbox.core.http import answer, json_body
from sandbox.core.openapi import documented

from . import schemas, service

bp = Blueprint("dummy", __name__)


@bp.get("/wallets/<wallet_id>")
@documented(summary="Read a wallet")
def read_wallet(wallet_id):
    return answer(schemas.wallet_json(service.read_wallet(state_db(), wallet_id), request_now()))


@bp.post("/wallets/<wallet_id>/spend")
@documented(summary="Spend from a wallet", body=schemas.SpendSchema, errors=(402,))
def spend(wallet_id):
    amount = json_body(schemas.spend_schema)["amount"]
    return answer(schemas.wallet_json(service.spend(state_db(), request_now(), wallet_id, amount)))
