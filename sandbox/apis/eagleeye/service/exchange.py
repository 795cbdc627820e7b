"""The reward-bank Exchange (Eagle Eye AIR "Exchange" reference): points for a coupon, with rollback.

One write transaction per exchange (so concurrent exchanges never pass a limit or a
balance rule together):

1. every check that can refuse the exchange runs before any write (404, INACTIVE,
   THRESHOLD, NEGBAL, ELE/NOLINK), so a refusal leaves nothing behind;
2. the EXCHANGE wallet transaction, the points debit (and AUTOTOPUP), the wallet link's use;
3. the coupon is issued, within the campaign's issuance window and limits. A breach
   rolls the writes of step 2 back (a savepoint: every balance restored) and then writes
   the VOIDED traces the reference describes, and the call answers 422 ISSUANCE;
4. unless the named fault ``rollback_fails`` is armed: then the debit stays, and the
   call answers 207 with the details. The fault is consumed inside the savepoint that is
   kept, so exactly ``times`` failing exchanges see it.

The issuance check reads only the campaign and its coupons, which step 2 does not touch,
so it is made before step 2: only an exchange that will be rolled back opens the savepoint
(an open savepoint makes SQLite copy every page the exchange changes to a statement journal).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.core import faults
from sandbox.core.db import Savepoint, write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from . import coupons, ledger, links
from .wallets import points_account_in_wallet, require_wallet

SAVEPOINT = "eagleeye_exchange"
ROLLBACK_FAULT = "rollback_fails"


@dataclass
class Plan:
    """Everything an exchange needs, read and checked before the first write."""
    request: dict
    wallet: dict
    account: dict
    scheme: dict
    bank: dict
    reward: dict
    campaign: dict
    location: dict
    link: dict | None = None
    link_used: int = 0


@dataclass
class ExchangeResult:
    wallet_transaction: dict
    postings: list[dict]                        # ledger postings, in order
    errors: list[dict] = field(default_factory=list)   # non-empty: the 207 case


def exchange(db, now, wallet_id: str, request: dict, client_location: dict) -> ExchangeResult:
    """Exchange points for the reward, or raise ApiError (after writing VOIDED traces
    when the coupon could not be issued)."""
    rolled_back = None
    with write_transaction(db):
        plan = _plan(db, now, wallet_id, request, client_location)
        # perf: checked before the debit, so only an exchange that will be rolled back opens the
        # savepoint (its statement journal copied every changed page): 993 -> 821 us (bench/README.md)
        problem = _issuance_problem(db, now, plan)
        if problem is None:
            return _settle(db, now, plan)
        savepoint = Savepoint(db, SAVEPOINT)
        wallet_transaction, _, postings = _debit(db, now, plan, status="SETTLED")
        _use_link(db, now, plan)
        if faults.take_named(db, "eagleeye", ROLLBACK_FAULT):
            savepoint.keep()
            return _rollback_failed(db, now, wallet_transaction, postings, problem)
        savepoint.undo()
        rolled_back = _write_voided_traces(db, now, plan)
    raise errors.not_issued(f"{problem}; the exchange was rolled back "
                                       f"(wallet transaction {rolled_back['wallet_transaction_id']} VOIDED)")


def _settle(db, now, plan: Plan) -> ExchangeResult:
    """The exchange when the coupon can be issued: debit, use the link, issue."""
    wallet_transaction, _, postings = _debit(db, now, plan, status="SETTLED")
    _use_link(db, now, plan)
    postings.append(_issue_coupon(db, now, plan, wallet_transaction))
    return ExchangeResult(wallet_transaction, postings)


def _plan(db, now, wallet_id: str, request: dict, client_location: dict) -> Plan:
    wallet = require_wallet(db, wallet_id)
    # perf: the wallet read once (require_points_account reads it again): 25 -> 24 statements (bench/README.md)
    account = points_account_in_wallet(db, wallet_id, request["account_id"])
    bank = store.get_bank(db, request["bank_id"])
    if bank is None:
        raise errors.not_found("Reward bank", request["bank_id"])
    reward = store.get_reward(db, bank["bank_id"], request["reward_id"])
    if reward is None:
        raise errors.not_found("Reward", request["reward_id"], f"in reward bank {bank['bank_id']}")
    for what, ident, row in (("Wallet", wallet_id, wallet), ("Account", account["account_id"], account),
                             ("Reward bank", bank["bank_id"], bank), ("Reward", reward["reward_id"], reward)):
        if row["status"] != "ACTIVE":
            raise errors.inactive(f"{what} {ident} is {row['status']}, not ACTIVE")
    threshold = reward["threshold"]
    if threshold and account["current"] < threshold:
        raise errors.below_threshold(f"Balance of {account['current']} points has not reached the "
                                            f"reward's threshold of {threshold} points")
    scheme = store.get_scheme(db, account["campaign_id"])
    ledger.check_debit(account, scheme, reward["cost"])
    location = request["location"] if request["location"] is not None else client_location
    plan = Plan(request=request, wallet=wallet, account=account, scheme=scheme, bank=bank, reward=reward,
                campaign=store.get_campaign(db, reward["resource_id"]),
                location={k: v for k, v in location.items() if v is not None})
    if bank["mode"] == "PERSONAL":
        plan.link, plan.link_used = links.choose_link(db, now, wallet_id, bank, reward["reward_id"])
    elif bank["exchange_limit"] is not None:
        made = store.count_bank_exchanges(db, bank["bank_id"], wallet_id)
        if made >= bank["exchange_limit"]:
            raise errors.limit_exceeded(f"Exchange Limit Exceeded: wallet {wallet_id} has made {made} of the "
                                          f"{bank['exchange_limit']} exchanges reward bank {bank['bank_id']} allows")
    return plan


def _merchant_details(location: dict) -> dict:
    """Where AIR echoes the location into account transactions."""
    details = {"merchant_store_id": location.get("incomingIdentifier") or location.get("storeId"),
               "merchant_store_parent_id": location.get("parentIncomingIdentifier") or location.get("storeParentId")}
    return {k: v for k, v in details.items() if v is not None}


def _debit(db, now, plan: Plan, status: str):
    """The EXCHANGE wallet transaction and its points debit: (wallet transaction,
    the account as it is now, postings). Works on a copy of the planned account."""
    stamp, options = to_db(now), plan.request["wallet_transaction"]
    wallet_transaction = {
        "wallet_transaction_id": store.new_id(db, "wallet_transaction"),
        "wallet_id": plan.wallet["wallet_id"], "reference": options.get("reference"), "type": "EXCHANGE",
        "status": status, "state": "ORIGINAL", "transaction_date_time": stamp, "location": plan.location or None,
        "meta": options.get("meta") or None, "bank_id": plan.bank["bank_id"],
        "reward_id": plan.reward["reward_id"], "link_id": plan.link["link_id"] if plan.link else None,
        "date_created": stamp, "last_updated": stamp}
    store.insert_wallet_transaction(db, wallet_transaction)
    given = plan.request["exchange_account_transaction"]
    account = dict(plan.account)
    postings = ledger.debit(db, now, account, plan.scheme, plan.reward["cost"], "EXCHANGE",
                            wallet_transaction_id=wallet_transaction["wallet_transaction_id"],
                            details={**_merchant_details(plan.location), **(given.get("transactionDetails") or {})},
                            properties=given.get("properties"))
    return wallet_transaction, account, postings


def _use_link(db, now, plan: Plan) -> None:
    if plan.link is not None:
        links.use_link(db, now, dict(plan.link), plan.link_used, plan.bank["exchange_limit"])


def _issuance_problem(db, now, plan: Plan) -> str | None:
    return coupons.issuance_problem(db, now, plan.campaign, plan.wallet["wallet_id"])


def _issue_coupon(db, now, plan: Plan, wallet_transaction: dict) -> dict:
    """The ECOUPON account for the reward's campaign, and its CREATE posting."""
    return coupons.issue(db, now, plan.wallet["wallet_id"], plan.campaign["campaign_id"],
                         plan.request["create_account_transaction"],
                         wallet_transaction_id=wallet_transaction["wallet_transaction_id"],
                         details=_merchant_details(plan.location))


def _rollback_failed(db, now, wallet_transaction: dict, postings: list, problem: str) -> ExchangeResult:
    """The 207 case: the debit stands, no coupon; the wallet transaction stays ACTIVE
    (not SETTLED) so the partner can find and rectify it."""
    wallet_transaction.update(status="ACTIVE", last_updated=to_db(now))
    store.set_wallet_transaction_status(db, wallet_transaction["wallet_transaction_id"], "ACTIVE",
                                        wallet_transaction["last_updated"])
    return ExchangeResult(wallet_transaction, postings, errors=[
        {"errorCode": errors.ISSUANCE, "errorMessage": problem},
        {"errorCode": errors.ROLLBACK, "errorMessage": "Rollback failed: the points debit was not reversed "
                                                       "and no coupon was issued; void or credit it to rectify"}])


def _write_voided_traces(db, now, plan: Plan) -> dict:
    """After the rollback: the exchange as it was attempted, VOIDED, with a VOID
    transaction reversing each posting (the Exchange reference: 'ROLLBACK would leave traces ... in the
    form of VOIDED Wallet Transaction and VOIDED Wallet Account Transaction')."""
    wallet_transaction, account, postings = _debit(db, now, plan, status="VOIDED")
    for posting in reversed(postings):
        ledger.void(db, now, account, posting, wallet_transaction_id=wallet_transaction["wallet_transaction_id"])
    # "restored to the state before this API call": the traces are history, the account
    # itself (balances and lastUpdated) is exactly as it was
    ledger.restore(db, plan.account)
    return wallet_transaction
