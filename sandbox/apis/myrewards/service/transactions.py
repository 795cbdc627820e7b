"""Points transactions: the ledger, the v1 POST and its checks, the programme pool.

A transaction's instant is the sandbox clock's (``created_offset`` 0: shown in UTC);
scenario history keeps the offset it was given.

Check order on the v1 POST (the sandbox's choice, in the MyRewards README): auth (the
route), then 204 for a user outside the key's programme, 406 for a malformed transaction,
406 for a type the variety does not permit, 402 for a debit above the user's balance, 412
for a programme-affecting credit above the programme's pool.
"""
from __future__ import annotations

import json
from datetime import datetime

from sandbox.core import ids
from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from .varieties import DEBIT, find_variety

TRANSACTION_IDS = "myrewards:transaction"


def _user_or_404(db, programme_id: int, user_id: int | None) -> dict:
    found = None if user_id is None else store.user(db, programme_id, user_id)
    if found is None:
        raise errors.not_found("User")
    return found


def list_transactions(db, programme_id: int, user_id: int | None) -> list[dict]:
    """"ordered so as to have the most recent transaction last": by instant, then id.
    Each carries the running balance in that order, so the last one's is the user's
    balance even when the sandbox clock was moved back between transactions."""
    _user_or_404(db, programme_id, user_id)
    running, listed = 0, []
    for row in store.transactions(db, user_id):
        running += row["value"]
        listed.append({**row, "balance": running})
    return listed


def last_transaction(db, programme_id: int, user_id: int | None) -> dict:
    """The most recent transaction (by instant, then id), with the user's balance."""
    _user_or_404(db, programme_id, user_id)
    found = store.last_transaction(db, user_id)
    if found is None:
        raise errors.not_found("Transaction")
    return {**found, "balance": store.balance(db, user_id)}


def post_transaction(db, now: datetime, programme_id: int, user_id: int | None,
                     given: dict, problems: list[str]) -> dict:
    """Credit or debit a user. ``given`` is the parsed transaction, ``problems`` what
    is wrong with its shape. Returns ``{"id": n}``."""
    if user_id is None or store.user(db, programme_id, user_id) is None:
        raise errors.user_not_found_no_content()
    if problems:
        raise errors.invalid_transaction(problems)
    variety = find_variety(given["variety"])
    if variety is None:
        raise errors.invalid_transaction([f"variety {given['variety']!r} is not a known variety"])
    kind = given["transaction_type"]
    if kind not in variety.permitted:
        allowed = " or ".join(sorted(variety.permitted))
        raise errors.invalid_transaction([f"variety {variety.name} permits only {allowed} transactions"])
    points = given["points"]
    value = -points if kind == DEBIT else points
    with write_transaction(db):
        programme = store.programme(db, programme_id)
        balance = store.balance(db, user_id) + value
        if balance < 0:
            raise errors.user_short()
        pool_delta = -value if variety.draws_on_pool(bool(programme["account_closure_affects_pool"])) else 0
        if programme["points_balance"] + pool_delta < 0:
            raise errors.programme_short()
        transaction_id = ids.next_value(db, TRANSACTION_IDS)
        remote = given.get("remote_transaction_id")
        store.insert_transactions(db, [{
            "id": transaction_id, "user_id": user_id, "transaction_type": kind, "variety": variety.name,
            "value": value, "balance": balance, "pool_delta": pool_delta, "reason": given["reason"],
            "remote_transaction_id": _as_text(remote), "created_at": to_db(now)}])
        if pool_delta:
            store.change_pool(db, programme_id, pool_delta)
    return {"id": transaction_id}


def _as_text(value) -> str | None:
    """remote_transaction_id is stored verbatim as text, whatever JSON type it came as."""
    return value if value is None or isinstance(value, str) else json.dumps(value)


def credit_rows(db, now: datetime, balances: dict, user_id: int, points: int, reason: str,
                variety: str = "Programme Points") -> dict:
    """A programme-affecting credit row for ``user_id`` (inside the caller's write
    transaction); ``balances`` carries running balances across one batch."""
    if user_id not in balances:
        balances[user_id] = store.balance(db, user_id)
    balances[user_id] += points
    return {"id": ids.next_value(db, TRANSACTION_IDS), "user_id": user_id, "transaction_type": "Credit",
            "variety": variety, "value": points, "balance": balances[user_id], "pool_delta": -points,
            "reason": reason, "remote_transaction_id": None, "created_at": to_db(now)}
