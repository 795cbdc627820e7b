"""Eagle Eye AIR HTTP layer: auth, parse, call the service, render.

Paths are AIR's own below the ``/eagleeye`` mount (and below ``/eagleeye/2.0``, the
optional API-version prefix, registered by the app factory from ``extra_prefixes``).
"""
from __future__ import annotations


from flask import Blueprint, request
from marshmallow import Schema

from sandbox.core.clock import request_now
from sandbox.core.context import current, state_db
from sandbox.core.http import answer, json_body, query
from sandbox.core.openapi import documented

from . import schemas, service
from .auth import authenticate
from .schemas import (account_json, account_transaction_json, bank_json, envelope, identity_json, link_json,
                      reward_json, wallet_json, wallet_transaction_json)

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


@bp.delete("/services/wallet/<wallet_id>")
@documented(summary="Delete a wallet (DELETED: hidden from the API from then on)", responses={204: None})
def delete_wallet(wallet_id):
    service.delete_wallet(state_db(), request_now(), wallet_id)
    return answer(None, 204)


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
@bp.patch("/wallet/<wallet_id>/account/<account_id>/earn")
@documented(summary="Credit (or earn) points on an account", body=schemas.PointsMovementSchema,
            responses={200: schemas.AccountTransactionOut})
def credit_account(wallet_id, account_id):
    data = json_body(schemas.points_movement_schema)
    credit = service.earn_points if request.path.endswith("/earn") else service.credit_points
    posting = credit(state_db(), request_now(), wallet_id, account_id, data)
    return answer(account_transaction_json(posting["row"], posting["account"]))


@bp.patch("/wallet/<wallet_id>/account/<account_id>/transaction/<account_transaction_id>/void")
@documented(summary="Void an account transaction (a credit, debit or earn)",
            responses={200: schemas.AccountTransactionOut}, errors=(422,))
def void_account_transaction(wallet_id, account_id, account_transaction_id):
    posting = service.void_account_transaction(state_db(), request_now(), wallet_id, account_id,
                                               account_transaction_id)
    return answer(account_transaction_json(posting["row"], posting["account"]))


@bp.post("/wallet/<wallet_id>/campaign/<campaign_id>/account")
@documented(summary="Issue a campaign's coupon account to a wallet", body=schemas.CampaignAccountSchema,
            responses={201: schemas.AccountOut}, errors=(422,))
def open_campaign_account(wallet_id, campaign_id):
    data = json_body(schemas.campaign_account_schema)
    return answer(account_json(service.open_campaign_account(state_db(), request_now(), wallet_id, campaign_id,
                                                             data)), 201)


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
    args = query(schemas.wallet_transactions_query)
    filters = {column: args[name] for name, column in schemas.WALLET_TRANSACTION_FILTERS.items() if name in args}
    listing = schemas.wallet_transaction_listing(args)
    total, rows = service.list_wallet_transactions(state_db(), wallet_id, filters, args["limit"], args["offset"],
                                                   ranges=listing["ranges"], order=listing["order"])
    if listing["children"]:
        rows = [(row, [account_transaction_json(t) for t in service.children_of(state_db(), wallet_id, refs)])
                for row, refs in rows]
    return answer(envelope(total, listing["order_by"], args["limit"], args["offset"],
                           [wallet_transaction_json(*pair) for pair in rows], listing["direction"]))


@bp.get("/wallet/transaction")
@documented(summary="Find a wallet transaction by its reference", query=schemas.ReferenceQuery,
            responses={200: schemas.WalletTransactionOut})
def find_wallet_transaction():
    reference = query(schemas.reference_query)["reference"]
    return answer(wallet_transaction_json(*service.wallet_transaction_by_reference(state_db(), reference)))


@bp.post("/services/wallet/<wallet_id>/transaction/credit")
@bp.post("/services/wallet/<wallet_id>/transaction/debit")
@documented(summary="Credit or debit a wallet's points account (a CREDIT or DEBIT wallet transaction)",
            body=schemas.WalletMovementSchema, responses={201: schemas.WalletTransactionOut}, errors=(422,))
def wallet_movement(wallet_id):
    kind = "CREDIT" if request.path.endswith("/credit") else "DEBIT"
    data = json_body(schemas.wallet_movement_schema)
    wallet_transaction, postings = service.wallet_movement(state_db(), request_now(), wallet_id, kind, data,
                                                           current().caller["location"])
    accounts = [account_transaction_json(p["row"], p["account"]) for p in postings]
    return answer(wallet_transaction_json(wallet_transaction, accounts), 201)


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

@bp.post("/banks/pointsreward")
@documented(summary="Create a reward bank with its rewards", body=schemas.BankCreateSchema,
            responses={201: schemas.BankOut})
def create_bank():
    data = json_body(schemas.bank_create_schema)
    return answer(bank_json(*service.create_bank(state_db(), request_now(), data)), 201)


@bp.get("/banks/pointsreward/<bank_id>")
@documented(summary="Get a reward bank and its rewards", responses={200: schemas.BankOut})
def get_bank(bank_id):
    return answer(bank_json(*service.get_bank(state_db(), bank_id)))


@bp.patch("/banks/pointsreward/<bank_id>")
@documented(summary="Amend a reward bank", body=schemas.BankAmendSchema, responses={200: schemas.BankOut})
def amend_bank(bank_id):
    data = json_body(schemas.bank_amend_schema)
    return answer(bank_json(*service.amend_bank(state_db(), request_now(), bank_id, data)))


@bp.delete("/wallet/<wallet_id>/link/bank/pointsreward/<bank_id>")
@documented(summary="Remove a wallet's links to a reward bank", responses={204: None})
def delete_bank_links(wallet_id, bank_id):
    service.delete_bank_links(state_db(), wallet_id, bank_id)
    return answer(None, 204)


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
