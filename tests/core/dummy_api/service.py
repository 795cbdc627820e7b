"""The dummy API's rules: read a wallet; spend from it, never below zero."""
from __future__ import annotations

from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from . import errors, store


def read_wallet(db, wallet_id: str) -> dict:
    found = store.wallet(db, wallet_id)
    if found is None:
        raise errors.no_wallet()
    return found


def spend(db, now, wallet_id: str, amount: int) -> dict:
    with write_transaction(db):
        wallet = read_wallet(db, wallet_id)
        if wallet["balance"] < amount:
            raise errors.short(wallet["balance"], amount)
        store.post(db, wallet_id, -amount, to_db(now))
        return read_wallet(db, wallet_id)
