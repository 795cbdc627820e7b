"""Wallets, identities, accounts and their transactions; points credit and debit."""
from __future__ import annotations

from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from . import coupons, ledger

DELETED = "DELETED"


# -- lookups that answer 404 -----------------------------------------------------------------

def require_wallet(db, wallet_id: str) -> dict:
    """The wallet; a DELETED one is "hidden from API" (AIR's status list), so 404 too."""
    wallet = store.get_wallet(db, wallet_id)
    if wallet is None or wallet["status"] == DELETED:
        raise errors.not_found("Wallet", wallet_id)
    return wallet


def require_account(db, wallet_id: str, account_id: str) -> dict:
    require_wallet(db, wallet_id)
    return account_in_wallet(db, wallet_id, account_id)


def require_points_account(db, wallet_id: str, account_id: str) -> dict:
    require_wallet(db, wallet_id)
    return points_account_in_wallet(db, wallet_id, account_id)


def account_in_wallet(db, wallet_id: str, account_id: str) -> dict:
    """The account, for a wallet the caller has already found (404 when it is not there)."""
    account = store.get_account(db, wallet_id, account_id)
    if account is None:
        raise errors.not_found("Account", account_id, f"in wallet {wallet_id}")
    return account


def points_account_in_wallet(db, wallet_id: str, account_id: str) -> dict:
    """The POINTS account, for a wallet the caller has already found (404, or 400 for a coupon)."""
    account = account_in_wallet(db, wallet_id, account_id)
    if account["type"] != "POINTS":
        raise errors.bad_request(f"Account {account_id} is a {account['type']} account, not a POINTS account")
    return account


# -- wallets ---------------------------------------------------------------------------------------

def create_wallet(db, now, data: dict) -> dict:
    """A wallet with its identities: ``{"wallet": row, "identities": [rows]}``."""
    values = [i["value"] for i in data["identities"]]
    if len(set(values)) != len(values):
        raise errors.bad_request("The same identity value is given twice")
    stamp = to_db(now)
    with write_transaction(db):
        taken = store.identity_values_taken(db, values) if values else []
        if taken:
            raise errors.conflict(f"Identity value {taken[0]!r} already belongs to a wallet")
        wallet = {"wallet_id": store.new_id(db, "wallet"), "friendly_name": data["friendlyName"],
                  "status": data["status"], "type": data["type"], "state": data["state"],
                  "meta": data.get("meta") or None, "date_created": stamp, "last_updated": stamp}
        store.insert_wallet(db, wallet)
        identities = []
        for given in data["identities"]:
            identity = {"identity_id": store.new_id(db, "identity"), "wallet_id": wallet["wallet_id"],
                        "type": given["type"], "value": given["value"], "friendly_name": given["friendlyName"],
                        "status": given["status"], "state": given["state"],
                        "date_created": stamp, "last_updated": stamp}
            store.insert_identity(db, identity)
            identities.append(identity)
    return {"wallet": wallet, "identities": identities}


def wallet_by_identity(db, value: str) -> dict:
    wallet = store.wallet_by_identity_value(db, value)
    if wallet is None or wallet["status"] == DELETED:
        raise errors.not_found("Wallet with identity value", repr(value))
    return wallet


def delete_wallet(db, now, wallet_id: str) -> None:
    """``DELETE /services/wallet/{w}``: the wallet (and its identities) become DELETED,
    irreversibly; its accounts and ledger stay, out of sight. Identity values stay taken."""
    with write_transaction(db):
        require_wallet(db, wallet_id)
        store.delete_wallet(db, wallet_id, to_db(now))


# -- accounts ---------------------------------------------------------------------------------

def open_points_account(db, now, wallet_id: str, scheme_id: str, data: dict) -> dict:
    """A POINTS account for a scheme (a wallet holds at most one per scheme)."""
    stamp = to_db(now)
    with write_transaction(db):
        require_wallet(db, wallet_id)
        if store.get_scheme(db, scheme_id) is None:
            raise errors.not_found("Scheme", scheme_id)
        if store.points_account_for_scheme(db, wallet_id, scheme_id) is not None:
            raise errors.conflict(f"Wallet {wallet_id} already has an account for scheme {scheme_id}")
        account = {"account_id": store.new_id(db, "account"), "wallet_id": wallet_id, "campaign_id": scheme_id,
                   "type": "POINTS", "client_type": "RETAILPOINTS", "status": data["status"],
                   "state": data["state"], "date_start": stamp, "date_end": None,
                   "meta": data.get("meta") or None, "current": 0, "lifetime": 0,
                   "date_created": stamp, "last_updated": stamp}
        store.insert_account(db, account)
        ledger.record(db, now, account, "CREATE")
    return account


def open_campaign_account(db, now, wallet_id: str, campaign_id: str, data: dict) -> dict:
    """``POST /wallet/{w}/campaign/{c}/account``: issue the campaign's coupon to the wallet,
    within its issuance window and limits (422 ISSUANCE otherwise, nothing written)."""
    with write_transaction(db):
        require_wallet(db, wallet_id)
        campaign = store.get_campaign(db, campaign_id)
        if campaign is None:
            raise errors.not_found("Campaign", campaign_id)
        problem = coupons.issuance_problem(db, now, campaign, wallet_id)
        if problem is not None:
            raise errors.not_issued(problem)
        return coupons.issue(db, now, wallet_id, campaign_id, data)["account"]


def credit_points(db, now, wallet_id: str, account_id: str, data: dict, event: str = "CREDIT") -> dict:
    """A CREDIT (or, through ``earn``, an EARN) posting."""
    with write_transaction(db):
        account = require_points_account(db, wallet_id, account_id)
        return ledger.post(db, now, account, event, data["value"], **_details(data))


def earn_points(db, now, wallet_id: str, account_id: str, data: dict) -> dict:
    """``PATCH .../earn``: points earned (raises the lifetime balance like a credit)."""
    return credit_points(db, now, wallet_id, account_id, data, event="EARN")


def debit_points(db, now, wallet_id: str, account_id: str, data: dict) -> dict:
    """The DEBIT posting (an AUTOTOPUP, when the scheme asks for one, follows it)."""
    with write_transaction(db):
        account = require_points_account(db, wallet_id, account_id)
        scheme = store.get_scheme(db, account["campaign_id"])
        return ledger.debit(db, now, account, scheme, data["value"], "DEBIT", **_details(data))[0]


def _details(data: dict) -> dict:
    return {"details": data.get("transactionDetails"), "properties": data.get("properties")}


# -- reads -------------------------------------------------------------------------------------

def list_accounts(db, wallet_id: str, filters: dict, limit: int, offset: int):
    require_wallet(db, wallet_id)
    return store.list_accounts(db, wallet_id, filters, limit, offset)


def list_account_transactions(db, wallet_id: str, account_id: str, filters: dict, limit: int, offset: int):
    require_account(db, wallet_id, account_id)
    return store.list_account_transactions(db, account_id, filters, limit, offset)


def list_wallet_transactions(db, wallet_id: str, filters: dict, limit: int, offset: int, *,
                             ranges: dict | None = None, order: tuple[str, bool] | None = None):
    """(total, [(wallet transaction, account transaction refs)]); ``ranges`` ``{column:
    (from, to)}`` and ``order`` (column, descending) as the store takes them."""
    require_wallet(db, wallet_id)
    total, rows = store.list_wallet_transactions(db, wallet_id, filters, limit, offset, ranges=ranges or {},
                                                 order=order)
    refs = store.account_transaction_refs(db, [r["wallet_transaction_id"] for r in rows])
    return total, [(row, refs[row["wallet_transaction_id"]]) for row in rows]


def children_of(db, wallet_id: str, account_refs: list[dict]) -> list[dict]:
    """The account transactions a wallet transaction's references name (``includeChildren``)."""
    return [store.get_account_transaction(db, ref["accountId"], ref["accountTransactionId"]) for ref in account_refs]


def wallet_transaction_by_reference(db, reference: str):
    """``GET /wallet/transaction?reference=``: (the most recent wallet transaction with the
    reference, its account transaction refs); 404 when there is none."""
    row = store.wallet_transaction_by_reference(db, reference)
    if row is None:
        raise errors.not_found("Wallet transaction with reference", repr(reference))
    return row, store.account_transaction_refs(db, [row["wallet_transaction_id"]])[row["wallet_transaction_id"]]


def get_wallet_transaction(db, wallet_id: str, wallet_transaction_id: str):
    require_wallet(db, wallet_id)
    row = store.get_wallet_transaction(db, wallet_id, wallet_transaction_id)
    if row is None:
        raise errors.not_found("Wallet transaction", wallet_transaction_id)
    return row, store.account_transaction_refs(db, [wallet_transaction_id])[wallet_transaction_id]


def list_rewards(db, bank_id: str, filters: dict, limit: int, offset: int):
    if store.get_bank(db, bank_id) is None:
        raise errors.not_found("Reward bank", bank_id)
    return store.list_rewards(db, bank_id, filters, limit, offset)
