"""The points ledger.

Every change to a POINTS balance is one account transaction whose ``delta`` is the
signed change to ``current``, so an account's transactions always sum to its balance.
``value`` is the positive magnitude AIR shows; the direction is in balancesBefore/After.
Callers hold a write transaction. A posting is ``{"row": ..., "account": ...}``: the
account transaction and the account as it was right after it (write responses embed it).
"""
from __future__ import annotations

from sandbox.core.timeutil import to_db

from .. import errors, store

LIFETIME_EVENTS = ("CREDIT", "EARN")   # events that also raise the lifetime balance
COUPON_BALANCES = {"available": 0, "refundable": 0}   # what an ECOUPON account's balances show


def _write(db, now, account: dict, event: str, value: int, delta: int, *, before: dict, after: dict,
           wallet_transaction_id=None, parent: str = "", details=None, properties=None) -> dict:
    row = {"account_transaction_id": store.new_id(db, "account_transaction"),
           "parent_account_transaction_id": parent, "account_id": account["account_id"],
           "wallet_transaction_id": wallet_transaction_id, "event": event, "value": value,
           "delta": delta, "status": "ACTIVE", "balances_before": before, "balances_after": after,
           "transaction_details": details or None, "properties": properties or None,
           "date_created": to_db(now), "last_updated": to_db(now)}
    store.insert_account_transaction(db, row)
    return {"row": row, "account": dict(account)}


def post(db, now, account: dict, event: str, delta: int, **options) -> dict:
    """Move ``account``'s points by ``delta`` (the dict is updated in place)."""
    before = {"current": account["current"], "lifetime": account["lifetime"]}
    account["current"] += delta
    if event in LIFETIME_EVENTS and delta > 0:
        account["lifetime"] += delta
    account["last_updated"] = to_db(now)
    store.set_points_balance(db, account["account_id"], account["current"], account["lifetime"],
                             account["last_updated"])
    after = {"current": account["current"], "lifetime": account["lifetime"]}
    return _write(db, now, account, event, abs(delta), delta, before=before, after=after, **options)


def record(db, now, account: dict, event: str, **options) -> dict:
    """An event with no balance change (CREATE of an account)."""
    balances = ({"current": account["current"], "lifetime": account["lifetime"]}
                if account["type"] == "POINTS" else dict(COUPON_BALANCES))
    return _write(db, now, account, event, 0, 0, before=balances, after=dict(balances), **options)


def check_debit(account: dict, scheme: dict, amount: int) -> None:
    """Refuse, before any write, a debit the scheme's negative-balance setting forbids."""
    if not scheme["allow_negative_balance"] and account["current"] - amount < 0:
        raise errors.negative_balance(f"Insufficient balance: account {account['account_id']} holds "
                                         f"{account['current']} points and scheme {scheme['scheme_id']} "
                                         "does not allow a negative balance")


def debit(db, now, account: dict, scheme: dict, amount: int, event: str, **options) -> list[dict]:
    """Debit ``amount``; with AUTOTOPUP on, a negative result is brought back to zero by
    an AUTOTOPUP transaction in the same write (the Exchange reference)."""
    check_debit(account, scheme, amount)
    postings = [post(db, now, account, event, -amount, **options)]
    topped = top_up(db, now, account, scheme, **options)
    return postings + ([topped] if topped else [])


def top_up(db, now, account: dict, scheme: dict, **options) -> dict | None:
    """With AUTOTOPUP on, a negative balance is brought back to zero by an AUTOTOPUP
    transaction as soon as it is seen (the Exchange reference: "detect these negative balances and
    instantly correct them"); the posting, or None."""
    if scheme["autotopup"] and account["current"] < 0:
        return post(db, now, account, "AUTOTOPUP", -account["current"], **options)
    return None


def void(db, now, account: dict, posting: dict, **options) -> dict:
    """Reverse ``posting`` with a VOID child transaction and mark it VOIDED."""
    original = posting["row"]
    reversal = post(db, now, account, "VOID", -original["delta"], parent=original["account_transaction_id"],
                    **options)
    store.set_account_transaction_status(db, original["account_transaction_id"], "VOIDED", to_db(now))
    original["status"] = "VOIDED"
    return reversal


def restore(db, account: dict) -> None:
    """Put ``account``'s stored balances and ``lastUpdated`` back to ``account`` (a copy
    taken before writes that have since been reversed in the ledger)."""
    store.set_points_balance(db, account["account_id"], account["current"], account["lifetime"],
                             account["last_updated"])
