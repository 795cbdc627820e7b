"""Eagle Eye AIR HTTP layer: auth, parse, call the service, render.

Paths are AIR's own below the ``/eagleeye`` mount (and below ``/eagleeye/2.0``, the
optional API-version prefix, registered by the app factory from ``extra_prefixes``).
"""
from __future__ import annotations


from flask import Blueprint
from marshmallow import Schema

from sandbox.core.clock import request_now
from sandbox.core.context import current, state_db
from sandbox.core.http import answer, json_body, query
from sandbox.core.openapi import documented

from . import schemas, service
from .auth import authenticate
from .schemas import (account_json, account_transaction_json, envelope, identity_json, link_json, reward_json,
                      wallet_json, wallet_transaction_json)

bp = Blueprint("eagleeye", __name__)


@bp.before_request
def _authenticate():
    current().caller = authenticate(state_db())


def _list_args(schema: Schema, filter_columns: dict) -> tuple[dict, int, int]:
    """(filters by column, limit, offset) from the query string."""
    args = query(schema)
    filters = {column: args[name] for name, column in filter_columns.items() if name in args}
    return filters, args["limit"], args["offset"]


def _listing(order_by: str, limit: int, offset: int, page, render):
    total, rows = page
    return answer(envelope(total, order_by, limit, offset, [render(row) for row in rows]))


# -- wallets -----------------------------------------------------------------------------------

@bp.post("/services/wallet")
@bp.post("/wallet")
@documented(summary="Create a wallet with its identities", body=schemas.CreateWalletSchema,
            responses={201: schemas.CreatedWalletOut}, errors=(409,))
def create_wallet():
    created = service.create_wallet(state_db(), request_now(), json_body(schemas.create_wallet_schema))
    body = wallet_json(created["wallet"])
    body["identities"] = [identity_json(i) for i in created["identities"]]
    return answer(body, 201)


@bp.get("/wallet")
@documented(summary="Find a wallet by identity value", query=schemas.IdentityValueQuery,
            responses={200: schemas.WalletOut})
def find_wallet():
    value = query(schemas.identity_value_query)["identity_value"]
    return answer(wallet_json(service.wallet_by_identity(state_db(), value)))


@bp.get("/wallet/<wallet_id>")
@documented(summary="Get a wallet", responses={200: schemas.WalletOut})
def get_wallet(wallet_id):
    return answer(wallet_json(service.require_wallet(state_db(), wallet_id)))


# -- accounts ----------------------------------------------------------------------------------

@bp.get("/wallet/<wallet_id>/accounts")
@documented(summary="List a wallet's accounts", query=schemas.accounts_query, responses={200: schemas.AccountsPage})
def list_accounts(wallet_id):
    filters, limit, offset = _list_args(schemas.accounts_query, schemas.ACCOUNT_FILTERS)
    page = service.list_accounts(state_db(), wallet_id, filters, limit, offset)
    return _listing("accountId", limit, offset, page, account_json)


@bp.get("/wallet/<wallet_id>/account/<account_id>")
@documented(summary="Get an account and its balances", responses={200: schemas.AccountOut})
def get_account(wallet_id, account_id):
    return answer(account_json(service.require_account(state_db(), wallet_id, account_id)))


@bp.post("/wallet/<wallet_id>/scheme/<scheme_id>/account")
@documented(summary="Open a points account for a scheme", body=schemas.OpenAccountSchema,
            responses={201: schemas.AccountOut}, errors=(409,))
def open_points_account(wallet_id, scheme_id):
    data = json_body(schemas.open_account_schema)
    return answer(account_json(service.open_points_account(state_db(), request_now(), wallet_id, scheme_id, data)), 201)


@bp.patch("/wallet/<wallet_id>/account/<account_id>/credit")
@documented(summary="Credit points to an account", body=schemas.PointsMovementSchema,
            responses={200: schemas.AccountTransactionOut})
def credit_account(wallet_id, account_id):
    data = json_body(schemas.points_movement_schema)
    posting = service.credit_points(state_db(), request_now(), wallet_id, account_id, data)
    return answer(account_transaction_json(posting["row"], posting["account"]))


@bp.patch("/wallet/<wallet_id>/account/<account_id>/debit")
@documented(summary="Debit points from an account", body=schemas.PointsMovementSchema,
            responses={200: schemas.AccountTransactionOut}, errors=(422,))
def debit_account(wallet_id, account_id):
    data = json_body(schemas.points_movement_schema)
    posting = service.debit_points(state_db(), request_now(), wallet_id, account_id, data)
    return answer(account_transaction_json(posting["row"], posting["account"]))


@bp.get("/wallet/<wallet_id>/account/<account_id>/transactions")
@documented(summary="List an account's transactions", query=schemas.account_transactions_query,
            responses={200: schemas.AccountTransactionsPage})
def list_account_transactions(wallet_id, account_id):
    filters, limit, offset = _list_args(schemas.account_transactions_query, schemas.ACCOUNT_TRANSACTION_FILTERS)
    page = service.list_account_transactions(state_db(), wallet_id, account_id, filters, limit, offset)
    return _listing("accountTransactionId", limit, offset, page, account_transaction_json)


# -- wallet transactions ------------------------------------------------------------------------

@bp.get("/wallet/<wallet_id>/transactions")
@documented(summary="List a wallet's transactions", query=schemas.wallet_transactions_query,
            responses={200: schemas.WalletTransactionsPage})
def list_wallet_transactions(wallet_id):
    filters, limit, offset = _list_args(schemas.wallet_transactions_query, schemas.WALLET_TRANSACTION_FILTERS)
    page = service.list_wallet_transactions(state_db(), wallet_id, filters, limit, offset)
    return _listing("walletTransactionId", limit, offset, page, lambda pair: wallet_transaction_json(*pair))


@bp.get("/wallet/<wallet_id>/transaction/<wallet_transaction_id>")
@documented(summary="Get a wallet transaction", responses={200: schemas.WalletTransactionOut})
def get_wallet_transaction(wallet_id, wallet_transaction_id):
    row, refs = service.get_wallet_transaction(state_db(), wallet_id, wallet_transaction_id)
    return answer(wallet_transaction_json(row, refs))


@bp.post("/services/wallet/<wallet_id>/transaction/exchange/pointsreward")
@documented(summary="Exchange points for a reward-bank reward", operation_id="exchangePointsReward",
            body=schemas.ExchangeSchema, errors=(422,),
            responses={201: schemas.WalletTransactionOut, 207: schemas.ExchangeRollbackOut})
def exchange(wallet_id):
    data = json_body(schemas.exchange_schema)
    result = service.exchange(state_db(), request_now(), wallet_id, data, current().caller["location"])
    accounts = [account_transaction_json(p["row"], p["account"]) for p in result.postings]
    wallet_transaction = wallet_transaction_json(result.wallet_transaction, accounts)
    if result.errors:
        return answer({"walletTransaction": wallet_transaction, "accountTransactions": accounts,
                      "errors": result.errors}, 207)
    return answer(wallet_transaction, 201)


# -- reward banks and wallet links -----------------------------------------------------------------

@bp.get("/banks/pointsreward/<bank_id>/rewards")
@documented(summary="List a reward bank's rewards", query=schemas.rewards_query, responses={200: schemas.RewardsPage})
def list_rewards(bank_id):
    filters, limit, offset = _list_args(schemas.rewards_query, schemas.REWARD_FILTERS)
    page = service.list_rewards(state_db(), bank_id, filters, limit, offset)
    return _listing("pointsRewardBankRewardId", limit, offset, page, reward_json)


@bp.get("/wallet/<wallet_id>/bank/pointsreward/links")
@documented(summary="List a wallet's reward-bank links", query=schemas.links_query, responses={200: schemas.LinksPage})
def list_links(wallet_id):
    filters, limit, offset = _list_args(schemas.links_query, schemas.LINK_FILTERS)
    page = service.list_links(state_db(), wallet_id, filters, limit, offset)
    return _listing("pointsRewardBankWalletLinkId", limit, offset, page, link_json)


@bp.post("/wallet/<wallet_id>/link/bank/pointsreward/<bank_id>")
@documented(summary="Link a wallet to a personal reward bank", body=schemas.LinkCreateSchema,
            responses={201: schemas.LinkOut})
def create_link(wallet_id, bank_id):
    data = json_body(schemas.link_create_schema)
    return answer(link_json(service.create_link(state_db(), request_now(), wallet_id, bank_id, data)), 201)


@bp.patch("/wallet/<wallet_id>/link/bank/pointsreward/link/<link_id>")
@documented(summary="Amend a wallet link", body=schemas.LinkAmendSchema, responses={200: schemas.LinkOut})
def amend_link(wallet_id, link_id):
    data = json_body(schemas.link_amend_schema)
    return answer(link_json(service.amend_link(state_db(), request_now(), wallet_id, link_id, data)))
