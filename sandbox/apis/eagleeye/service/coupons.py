"""Issuing a campaign's coupon (an ECOUPON account): by an exchange, or by opening a
campaign account directly. Either way the campaign's issuance window and limits apply."""
from __future__ import annotations

from sandbox.core.timeutil import from_db, to_db, to_iso

from .. import store
from . import ledger


def issuance_problem(db, now, campaign: dict, wallet_id: str) -> str | None:
    """Why the campaign cannot issue a coupon to the wallet now, or None."""
    name, now_db = f"Campaign {campaign['campaign_id']}", to_db(now)
    if campaign["issuance_start"] and now_db < campaign["issuance_start"]:
        return f"{name} issuance window opens at {to_iso(from_db(campaign['issuance_start']))}"
    if campaign["issuance_end"] and now_db > campaign["issuance_end"]:
        return f"{name} issuance window closed at {to_iso(from_db(campaign['issuance_end']))}"
    total = campaign["issuance_limit_total"]
    if total is not None and store.count_coupons(db, campaign["campaign_id"]) >= total:
        return f"{name} has reached its issuance limit of {total} coupons"
    per_wallet = campaign["issuance_limit_per_wallet"]
    if per_wallet is not None and store.count_coupons(db, campaign["campaign_id"], wallet_id) >= per_wallet:
        return f"{name} has reached its issuance limit of {per_wallet} coupons for wallet {wallet_id}"
    return None


def issue(db, now, wallet_id: str, campaign_id: str, options: dict, *, wallet_transaction_id=None,
          details=None) -> dict:
    """The ECOUPON account and its CREATE posting (``options``: status, state, meta,
    transactionDetails, properties)."""
    stamp = to_db(now)
    coupon = {"account_id": store.new_id(db, "account"), "wallet_id": wallet_id, "campaign_id": campaign_id,
              "type": "ECOUPON", "client_type": "OFFER", "status": options.get("status", "ACTIVE"),
              "state": options.get("state", "LOADED"), "date_start": stamp, "date_end": None,
              "meta": options.get("meta") or None, "current": 0, "lifetime": 0, "date_created": stamp,
              "last_updated": stamp}
    store.insert_account(db, coupon)
    return ledger.record(db, now, coupon, "CREATE", wallet_transaction_id=wallet_transaction_id,
                         details={**(details or {}), **(options.get("transactionDetails") or {})},
                         properties=options.get("properties"))
