"""Points moved outside an exchange: the wallet-level credit and debit services, and
voiding an account transaction. Each is one write transaction; every refusal comes before
the first write; a balance left negative in an AUTOTOPUP scheme is topped up at once."""
from __future__ import annotations

from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from . import ledger
from .wallets import points_account_in_wallet, require_points_account, require_wallet

VOIDABLE = ("CREDIT", "DEBIT", "EARN")      # the balance moves a partner makes through the API
SETTLED, VOIDED = "SETTLED", "VOIDED"


def wallet_movement(db, now, wallet_id: str, kind: str, data: dict, client_location: dict) -> tuple[dict, list]:
    """``POST /services/wallet/{w}/transaction/credit|debit``: a CREDIT or DEBIT wallet
    transaction holding the account transaction(s): (wallet transaction, postings)."""
    with write_transaction(db):
        require_wallet(db, wallet_id)
        account = points_account_in_wallet(db, wallet_id, data["accountId"])
        scheme = store.get_scheme(db, account["campaign_id"])
        if kind == "DEBIT":
            ledger.check_debit(account, scheme, data["value"])
        options, stamp = data.get("walletTransaction") or {}, to_db(now)
        location = data.get("location") if data.get("location") is not None else client_location
        wallet_transaction = {
            "wallet_transaction_id": store.new_id(db, "wallet_transaction"), "wallet_id": wallet_id,
            "reference": options.get("reference"), "type": kind, "status": SETTLED, "state": "ORIGINAL",
            "transaction_date_time": stamp, "location": {k: v for k, v in location.items() if v is not None} or None,
            "meta": options.get("meta") or None, "bank_id": None, "reward_id": None, "link_id": None,
            "date_created": stamp, "last_updated": stamp}
        store.insert_wallet_transaction(db, wallet_transaction)
        posting = {"wallet_transaction_id": wallet_transaction["wallet_transaction_id"],
                   "details": data.get("transactionDetails"), "properties": data.get("properties")}
        if kind == "CREDIT":
            postings = [ledger.post(db, now, account, "CREDIT", data["value"], **posting)]
        else:
            postings = ledger.debit(db, now, account, scheme, data["value"], "DEBIT", **posting)
    return wallet_transaction, postings


def void_account_transaction(db, now, wallet_id: str, account_id: str, account_transaction_id: str) -> dict:
    """``PATCH .../transaction/{t}/void``: reverse a CREDIT, DEBIT or EARN with a VOID child
    and mark it VOIDED (its wallet transaction too, for a wallet-level credit or debit).
    Refused (422) for a transaction already VOIDED, another event, or a reversal the
    scheme's negative-balance setting forbids. Returns the VOID posting."""
    with write_transaction(db):
        account = require_points_account(db, wallet_id, account_id)
        original = store.get_account_transaction(db, account_id, account_transaction_id)
        if original is None:
            raise errors.not_found("Account transaction", account_transaction_id, f"in account {account_id}")
        if original["status"] == VOIDED:
            raise errors.not_voidable(f"Account transaction {account_transaction_id} is already VOIDED")
        if original["event"] not in VOIDABLE:
            raise errors.not_voidable(f"Account transaction {account_transaction_id} is {original['event']}; "
                                      f"only {', '.join(VOIDABLE)} transactions can be voided")
        scheme = store.get_scheme(db, account["campaign_id"])
        if original["delta"] > 0:
            ledger.check_debit(account, scheme, original["delta"])
        parent = original["wallet_transaction_id"]
        reversal = ledger.void(db, now, account, {"row": original}, wallet_transaction_id=parent)
        ledger.top_up(db, now, account, scheme, wallet_transaction_id=parent)
        if parent is not None:
            store.void_wallet_movement(db, parent, to_db(now))
    return reversal
