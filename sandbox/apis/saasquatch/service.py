"""SaaSquatch business rules: functions of (db, tenant, now, ...); no Flask here.

A reward's state is derived from its dates and ``now`` (see ``store.STATE_SQL``):
cancelled, expired, pending or available. Only available CREDIT can be redeemed, and
every redemption is a row, so ``redeemedCredit`` is always the sum of its redemptions.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import timedelta

from sandbox.core import events
from sandbox.core.db import write_transaction
from sandbox.core.timeutil import from_db, to_epoch_ms

from . import errors, store

AVAILABLE, PENDING, EXPIRED, CANCELLED = "AVAILABLE", "PENDING", "EXPIRED", "CANCELLED"
_BALANCE_ORDER = {"CREDIT": 0, "PCT_DISCOUNT": 1, "FUELTANK": 2}
_SOURCE_FIELDS = {"REFERRED": "referred_discount_percent", "FRIEND_SIGNUP": "referrer_discount_percent"}
_STATE_FIELDS = {PENDING: "total_pending_credit", EXPIRED: "total_expired_credit",
                 CANCELLED: "total_cancelled_credit"}


def _require_known_ids(db, tenant: dict, account_id: str, user_id: str | None = None) -> None:
    """With the tenant's ``strict_ids`` switch, unknown accounts and users are 404
    (RS041/RS042); by default an unknown account simply has no rewards."""
    if not tenant["strict_ids"]:
        return
    if not store.account_exists(db, tenant["tenant_alias"], account_id):
        raise errors.account_not_found()
    if user_id is not None and not store.user_exists(db, tenant["tenant_alias"], account_id, user_id):
        raise errors.user_not_found()


# -- reads ----------------------------------------------------------------------------------

def reward_balances(db, tenant: dict, now, account_id: str, user_id: str | None = None,
                    reward_type: str | None = None) -> list[dict]:
    """GET /reward/balance: one balance per (type, unit), its totals in the vendor's order."""
    _require_known_ids(db, tenant, account_id, user_id)
    groups: dict[tuple, dict] = {}
    for reward in store.account_rewards(db, tenant["tenant_alias"], account_id, now,
                                        user_id=user_id, reward_type=reward_type):
        key = (reward["type"], None if reward["type"] == "FUELTANK" else reward["unit"])
        balance = groups.get(key)
        if balance is None:
            balance = groups[key] = _empty_balance(*key)
        _add_to_balance(balance, reward)
    return [groups[key] for key in sorted(groups, key=lambda k: (_BALANCE_ORDER[k[0]], k[1] or ""))]


def _empty_balance(reward_type: str, unit: str | None) -> dict:
    if reward_type == "CREDIT":
        return {"type": reward_type, "unit": unit, "count": 0, "total_pending_credit": 0,
                "total_assigned_credit": 0, "total_redeemed_credit": 0, "total_expired_credit": 0,
                "total_cancelled_credit": 0}
    if reward_type == "PCT_DISCOUNT":
        return {"type": reward_type, "unit": "%", "total_discount_percent": 0,
                "referred_discount_percent": 0, "referrer_discount_percent": 0}
    return {"type": reward_type, "total_fuel_tank_codes": 0}


def _add_to_balance(balance: dict, reward: dict) -> None:
    """Keeps the documented available = assigned - redeemed ("How to redeem points via API"):
    a pending, expired or cancelled reward's unredeemed remainder goes to its own total,
    and only what was redeemed from it stays in assigned and redeemed. Discounts and
    fuel-tank codes count only while available."""
    state = reward["state"]
    if reward["type"] == "CREDIT":
        assigned, redeemed = reward["assigned_credit"], reward["redeemed_credit"]
        if state == AVAILABLE:
            balance["total_assigned_credit"] += assigned
        else:
            balance[_STATE_FIELDS[state]] += assigned - redeemed
            balance["total_assigned_credit"] += redeemed
        balance["total_redeemed_credit"] += redeemed
        if state == AVAILABLE or redeemed:
            balance["count"] += 1
    elif state != AVAILABLE:
        return
    elif reward["type"] == "PCT_DISCOUNT":
        balance["total_discount_percent"] += reward["discount_percent"]
        source_field = _SOURCE_FIELDS.get(reward["reward_source"])
        if source_field:
            balance[source_field] += reward["discount_percent"]
    else:
        balance["total_fuel_tank_codes"] += 1


def list_rewards(db, tenant: dict, now, account_id: str, user_id: str | None = None,
                 reward_type: str | None = None) -> list[dict]:
    """GET /reward: the account's rewards, oldest first, each with its redemptions."""
    _require_known_ids(db, tenant, account_id, user_id)
    rewards = store.account_rewards(db, tenant["tenant_alias"], account_id, now,
                                    user_id=user_id, reward_type=reward_type)
    return _with_redemptions(db, rewards)


def get_reward(db, tenant: dict, now, reward_id: str) -> dict:
    reward = store.reward(db, tenant["tenant_alias"], reward_id, now)
    if reward is None:
        raise errors.reward_not_found()
    return _with_redemptions(db, [reward])[0]


def _with_redemptions(db, rewards: list[dict]) -> list[dict]:
    found = store.redemptions_for(db, [r["pk"] for r in rewards if r["type"] == "CREDIT"])
    return [{**r, "redemptions": found.get(r["pk"], [])} for r in rewards]


# -- balance changes (each one write transaction) -------------------------------------------

def bulk_redeem(db, tenant: dict, now, account_id: str, unit: str, amount: int) -> dict:
    """POST /credit/bulkredeem: debit ``amount`` of ``unit`` across the account's available
    credit in debit order (store.DEBIT_ORDER_SQL); all or nothing."""
    with write_transaction(db), balance_watch(db, tenant, account_id, now):
        _require_known_ids(db, tenant, account_id)
        rewards = _redeemable(db, tenant, account_id, unit, now)
        available = sum(r["assigned_credit"] - r["redeemed_credit"] for r in rewards)
        if amount > available:
            raise errors.insufficient_credit(
                f"Insufficient credit: account has {available} {unit} available, "
                f"{amount} requested{_other_case_hint(db, tenant, account_id, unit, now)}")
        plan, left = [], amount
        for reward in rewards:
            take = min(left, reward["assigned_credit"] - reward["redeemed_credit"])
            plan.append((reward["pk"], take))
            left -= take
            if left == 0:
                break
        _record_redemptions(db, plan, now)
    return {"credit_redeemed": amount, "credit_available": available - amount, "unit": unit}


def redeem_reward(db, tenant: dict, now, reward_id: str, unit: str, amount: int) -> dict:
    """POST /credit/{id}/redeem: debit one CREDIT reward. ``credit_available`` is, as the
    vendor describes it, what remains in the account for that unit."""
    with write_transaction(db):
        reward = store.reward(db, tenant["tenant_alias"], reward_id, now)
        if reward is None:
            raise errors.reward_not_found()
        if reward["type"] != "CREDIT":
            raise errors.bad_request(f"Only CREDIT rewards can be redeemed; this one is {reward['type']}.")
        if not _same_unit(tenant, reward["unit"], unit):
            raise errors.bad_request(f"The reward's unit is {reward['unit']}, not {unit}.")
        if reward["state"] != AVAILABLE:
            raise errors.insufficient_credit(f"Reward is {reward['state'].lower()}; it has no credit to redeem.")
        remaining = reward["assigned_credit"] - reward["redeemed_credit"]
        if amount > remaining:
            raise errors.insufficient_credit(
                f"Insufficient credit: reward has {remaining} {reward['unit']} left, {amount} requested")
        with balance_watch(db, tenant, reward["account_id"], now):
            _record_redemptions(db, [(reward["pk"], amount)], now)
        rewards = _redeemable(db, tenant, reward["account_id"], reward["unit"], now)
        available = sum(r["assigned_credit"] - r["redeemed_credit"] for r in rewards)
    return {"credit_redeemed": amount, "credit_available": available, "unit": unit}


def cancel_reward(db, tenant: dict, now, reward_id: str) -> dict:
    """POST /reward/{id}/cancel: only a cancellable reward nothing was redeemed from."""
    with write_transaction(db):
        reward = store.reward(db, tenant["tenant_alias"], reward_id, now)
        if reward is None:
            raise errors.reward_not_found()
        if reward["date_cancelled"] is not None:
            raise errors.reward_not_cancellable("it is already cancelled")
        if not reward["cancellable"]:
            raise errors.reward_not_cancellable("it was created as not cancellable")
        if reward["redeemed_credit"]:
            raise errors.reward_not_cancellable("credit has already been redeemed from it")
        with balance_watch(db, tenant, reward["account_id"], now):
            store.cancel_reward(db, reward["pk"], now)
        return get_reward(db, tenant, now, reward_id)


def create_reward(db, tenant: dict, now, account_id: str, user_id: str, new: dict) -> dict:
    """POST /rewards/account/{accountId}/user/{userId}: the user must exist (404 otherwise)."""
    alias = tenant["tenant_alias"]
    with write_transaction(db):
        if not store.account_exists(db, alias, account_id):
            raise errors.account_not_found()
        if not store.user_exists(db, alias, account_id, user_id):
            raise errors.user_not_found()
        reward_id = store.new_ids(db, "reward", 1)[0]
        with balance_watch(db, tenant, account_id, now):   # credit given available now changes the balance
            store.insert_rewards(db, [new_reward_row(alias, reward_id, account_id, user_id, new,
                                                     date_given=now, reward_source="MANUAL")])
        return get_reward(db, tenant, now, reward_id)


def new_reward_row(tenant_alias: str, reward_id: str, account_id: str, user_id: str,
                   reward: dict, *, date_given, reward_source: str) -> dict:
    """A store row for a new reward (``reward``: ``schemas.new_reward``'s terms)."""
    return {"tenant_alias": tenant_alias, "id": reward_id, "account_id": account_id, "user_id": user_id,
            **reward, "unit": "%" if reward["type"] == "PCT_DISCOUNT" else reward["unit"],
            "cancellable": int(reward["cancellable"]), "reward_source": reward_source, "date_given": date_given}


def _redeemable(db, tenant: dict, account_id: str, unit: str, now) -> list[dict]:
    return store.redeemable_credit(db, tenant["tenant_alias"], account_id, unit, now,
                                   unit_case_insensitive=bool(tenant["unit_case_insensitive"]))


def _other_case_hint(db, tenant: dict, account_id: str, unit: str, now) -> str:
    """Units are identifiers matched exactly; when the account holds credit in a unit that
    differs from ``unit`` only in case (the vendor's examples show both ``cents`` and
    ``CENTS``), the refusal names it, so the client's bug is plain."""
    if tenant["unit_case_insensitive"]:
        return ""
    others = sorted({r["unit"] for r in store.redeemable_credit(
        db, tenant["tenant_alias"], account_id, unit, now, unit_case_insensitive=True)} - {unit})
    if not others:
        return ""
    return f" (units match exactly, case included; this account holds credit in {', '.join(others)})"


def _same_unit(tenant: dict, a: str, b: str) -> bool:
    """Exact, or ASCII-case-insensitive with the tenant's switch (as SQLite's NOCASE)."""
    if a == b:
        return True
    return bool(tenant["unit_case_insensitive"]) and a.isascii() and b.isascii() \
        and a.lower() == b.lower()


def _record_redemptions(db, plan: list[tuple[int, int]], now) -> None:
    """One redemption row per (reward pk, quantity) in ``plan``, all dated ``now``."""
    ids = store.new_ids(db, "redemption", len(plan))
    store.insert_redemptions(db, [(rid, pk, now, qty) for rid, (pk, qty) in zip(ids, plan)])


# -- webhooks: user.reward.balance.changed (the SaaSquatch README, "Webhooks") ---------------

BALANCE_CHANGED = "user.reward.balance.changed"
_EVENT_NAMESPACE = uuid.UUID("3f1e9c2a-7b4d-4c6e-8a5f-1d2b3c4e5f60")
_JUST_BEFORE = timedelta(microseconds=1)


class balance_watch:
    """Around a change to an account's rewards (inside its write transaction): one
    balance-changed event per user and unit whose available CREDIT the change moved.
    Time events due by ``now`` are written first, so they keep their order."""

    def __init__(self, db, tenant: dict, account_id: str, now):
        self.db, self.tenant, self.account_id, self.now = db, tenant, account_id, now

    def __enter__(self):
        events.catch_up(self.db, API_NAME, SOURCE, self.now)
        self.before = store.available_credit(self.db, self.tenant["tenant_alias"], self.account_id, self.now)
        return self

    def __exit__(self, kind, *_):
        if kind is not None:
            return False
        after = store.available_credit(self.db, self.tenant["tenant_alias"], self.account_id, self.now)
        for user_id, unit in sorted(set(self.before) | set(after)):
            if self.before.get((user_id, unit), 0) != after.get((user_id, unit), 0):
                key = f"change:{store.new_ids(self.db, 'webhook', 1)[0]}"
                events.emit(self.db, balance_event(self.tenant, key, self.now, self.account_id, user_id, unit,
                                                   after.get((user_id, unit), 0)))
        return False


def balance_event(tenant: dict, key: str, at, account_id: str, user_id: str, unit: str, available: int):
    """The vendor's event envelope, signed as the vendor signs it with the tenant's API key."""
    payload = {"id": uuid.uuid5(_EVENT_NAMESPACE, key).hex[:24], "type": BALANCE_CHANGED,
               "tenantAlias": tenant["tenant_alias"], "live": False, "created": to_epoch_ms(at),
               "data": {"userId": user_id, "accountId": account_id, "unit": unit, "availableValue": available}}
    return events.Event(API_NAME, tenant["tenant_alias"], BALANCE_CHANGED, key, at, payload,
                        headers=signature_headers(tenant["api_key"], events.body_of(payload)))


def signature_headers(api_key: str, body: str) -> dict:
    """X-Hook-Signature: the HMAC-SHA1 of the body keyed with the tenant's API key (base64)."""
    digest = hmac.new(api_key.encode(), body.encode(), hashlib.sha1).digest()
    return {"X-Hook-Signature": base64.b64encode(digest).decode()}


def due_events(db, after, until, written=frozenset()):
    """Credit becoming available or expiring in ``(after, until]``: an event wherever it
    moved a user's available credit in a unit (``written``: keys the caller leaves out)."""
    found, tenants = [], {}
    for moment in store.credit_moments(db, after, until):
        at = from_db(moment["at"])
        alias, account_id = moment["tenant_alias"], moment["account_id"]
        tenant = tenants.get(alias) or tenants.setdefault(alias, store.tenant(db, alias))
        key = (moment["user_id"], moment["unit"])
        before = store.available_credit(db, alias, account_id, at - _JUST_BEFORE).get(key, 0)
        now_available = store.available_credit(db, alias, account_id, at).get(key, 0)
        if before != now_available:
            event_key = f"moment:{alias}:{account_id}:{key[0]}:{key[1]}:{moment['at']}"
            found.append(balance_event(tenant, event_key, at, account_id, *key, now_available))
    return found, from_db(store.next_credit_moment(db, until))


def subscribe(db, tenant: dict, url: str, name: str | None) -> dict:
    """POST .../subscription: the same URL twice is one subscription (the vendor's rule)."""
    return events.subscribe(db, API_NAME, tenant["tenant_alias"], url, name)


def subscriptions(db, tenant: dict) -> list[dict]:
    return events.subscriptions(db, API_NAME, tenant["tenant_alias"])


def unsubscribe(db, tenant: dict, url: str) -> None:
    if not events.unsubscribe(db, api=API_NAME, client=tenant["tenant_alias"], url=url):
        raise errors.subscription_not_found()


def test_event(db, tenant: dict, now, url: str) -> None:
    """POST .../subscription/{url}/test: a test event to that subscription only."""
    alias = tenant["tenant_alias"]
    if not any(s["url"] == url for s in events.subscriptions(db, API_NAME, alias)):
        raise errors.subscription_not_found()
    with write_transaction(db):
        key = f"test:{store.new_ids(db, 'webhook', 1)[0]}"
        payload = {"id": uuid.uuid5(_EVENT_NAMESPACE, key).hex[:24], "type": "test", "tenantAlias": alias,
                   "live": False, "created": to_epoch_ms(now), "data": {}}
        events.emit(db, events.Event(API_NAME, alias, "test", key, now, payload,
                                     headers=signature_headers(tenant["api_key"], events.body_of(payload))),
                    urls=[url])


API_NAME = "saasquatch"
SOURCE = events.EventSource(due=due_events, clients=store.tenant_aliases)
