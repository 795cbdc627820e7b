"""Reward banks through the API: create (with rewards), read, amend; and removing a
wallet's links to a bank. Rewards point at campaigns, which come from the scenario."""
from __future__ import annotations

from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from .wallets import require_wallet

_BANK_FIELDS = {"name": "name", "reference": "reference", "status": "status", "exchangeLimit": "exchange_limit"}


def require_bank(db, bank_id: str) -> dict:
    bank = store.get_bank(db, bank_id)
    if bank is None:
        raise errors.not_found("Reward bank", bank_id)
    return bank


def create_bank(db, now, data: dict) -> tuple[dict, list[dict]]:
    """``POST /banks/pointsreward``: (the bank, its rewards). A reward's campaign must
    exist (404); its threshold defaults to its cost."""
    stamp = to_db(now)
    with write_transaction(db):
        for reward in data["rewards"]:
            if store.get_campaign(db, reward["resourceId"]) is None:
                raise errors.not_found("Campaign", reward["resourceId"])
        bank = {"bank_id": store.new_id(db, "bank"), "name": data["name"], "reference": data["reference"],
                "mode": data["mode"], "status": data["status"], "exchange_limit": data["exchangeLimit"],
                "date_created": stamp, "last_updated": stamp}
        store.insert_bank(db, bank)
        for reward in data["rewards"]:
            threshold = reward["threshold"] if "threshold" in reward else reward["cost"]
            store.insert_reward(db, {
                "reward_id": store.new_id(db, "reward"), "bank_id": bank["bank_id"],
                "resource_type": reward["resourceType"], "resource_id": reward["resourceId"],
                "cost": reward["cost"], "threshold": threshold, "status": reward["status"],
                "date_created": stamp, "last_updated": stamp})
        return bank, store.rewards_of(db, bank["bank_id"])


def get_bank(db, bank_id: str) -> tuple[dict, list[dict]]:
    return require_bank(db, bank_id), store.rewards_of(db, bank_id)


def amend_bank(db, now, bank_id: str, data: dict) -> tuple[dict, list[dict]]:
    """``PATCH /banks/pointsreward/{id}``: name, reference, status, exchangeLimit. The mode
    cannot change (links and exchange counts depend on it): 400."""
    with write_transaction(db):
        bank = require_bank(db, bank_id)
        if "mode" in data and data["mode"] != bank["mode"]:
            raise errors.bad_request(f"Reward bank {bank_id} is {bank['mode']}; its mode cannot be changed")
        changes = {column: data[name] for name, column in _BANK_FIELDS.items() if name in data}
        if changes:
            store.update_bank(db, bank_id, {**changes, "last_updated": to_db(now)})
        return get_bank(db, bank_id)


def delete_bank_links(db, wallet_id: str, bank_id: str) -> None:
    """``DELETE /wallet/{w}/link/bank/pointsreward/{bankId}``: every link of the wallet to
    the bank goes (404 when there is none). Exchanges already made keep their record."""
    with write_transaction(db):
        require_wallet(db, wallet_id)
        require_bank(db, bank_id)
        if not store.delete_links(db, wallet_id, bank_id):
            raise errors.not_found("Wallet link to reward bank", bank_id, f"for wallet {wallet_id}")
