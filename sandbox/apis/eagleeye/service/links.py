"""Wallet links to PERSONAL reward banks, and which link an exchange counts against."""
from __future__ import annotations

from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from .wallets import require_wallet

_LINK_FIELDS = {"status": "status", "type": "type", "state": "state", "validFrom": "valid_from",
                "validTo": "valid_to", "pointsRewardBankRewardId": "reward_id"}


def _check_reward(db, bank_id: str, reward_id: str | None) -> None:
    if reward_id is not None and store.get_reward(db, bank_id, reward_id) is None:
        raise errors.not_found("Reward", reward_id, f"in reward bank {bank_id}")


def create_link(db, now, wallet_id: str, bank_id: str, data: dict) -> dict:
    stamp = to_db(now)
    with write_transaction(db):
        require_wallet(db, wallet_id)
        bank = store.get_bank(db, bank_id)
        if bank is None:
            raise errors.not_found("Reward bank", bank_id)
        if bank["mode"] != "PERSONAL":
            raise errors.bad_request(f"Reward bank {bank_id} is {bank['mode']}; wallet links are for PERSONAL banks")
        _check_reward(db, bank_id, data["pointsRewardBankRewardId"])
        link = {"link_id": store.new_id(db, "link"), "wallet_id": wallet_id, "bank_id": bank_id,
                "reward_id": data["pointsRewardBankRewardId"], "type": data["type"], "status": data["status"],
                "state": data["state"], "valid_from": to_db(data["validFrom"]), "valid_to": to_db(data["validTo"]),
                "date_created": stamp, "last_updated": stamp}
        store.insert_link(db, link)
    return link


def amend_link(db, now, wallet_id: str, link_id: str, data: dict) -> dict:
    with write_transaction(db):
        require_wallet(db, wallet_id)
        link = store.get_link(db, wallet_id, link_id)
        if link is None:
            raise errors.not_found("Wallet link", link_id, f"in wallet {wallet_id}")
        changes = {column: data[name] for name, column in _LINK_FIELDS.items() if name in data}
        for column in ("valid_from", "valid_to"):
            if column in changes:
                changes[column] = to_db(changes[column])
        if "reward_id" in changes:
            _check_reward(db, link["bank_id"], changes["reward_id"])
        link.update(changes, last_updated=to_db(now))
        if link["valid_from"] and link["valid_to"] and link["valid_from"] > link["valid_to"]:
            raise errors.bad_request("validTo is before validFrom")
        store.update_link(db, link_id, {**changes, "last_updated": link["last_updated"]})
    return link


def list_links(db, wallet_id: str, filters: dict, limit: int, offset: int):
    require_wallet(db, wallet_id)
    return store.list_links(db, wallet_id, filters, limit, offset)


def _in_date(link: dict, now_db: str) -> bool:
    return ((link["valid_from"] is None or link["valid_from"] <= now_db)
            and (link["valid_to"] is None or now_db <= link["valid_to"]))


def choose_link(db, now, wallet_id: str, bank: dict, reward_id: str) -> tuple[dict, int]:
    """The link an exchange from a PERSONAL bank counts against, and its exchanges so far.

    The Exchange reference: each link can be used up to the exchange limit before it is marked USED;
    AIR picks the link expiring soonest first, then the one most specific to the reward.
    No active, in-date link at all is NOLINK; only exhausted ones is ELE.
    """
    limit, now_db = bank["exchange_limit"], to_db(now)
    usable, exhausted = [], False
    for link in store.links_to_bank(db, wallet_id, bank["bank_id"]):
        if link["reward_id"] not in (None, reward_id) or not _in_date(link, now_db):
            continue
        if link["status"] == "USED":
            exhausted = True
            continue
        if link["status"] != "ACTIVE":
            continue
        used = store.count_link_exchanges(db, link["link_id"])
        if limit is not None and used >= limit:
            exhausted = True
            continue
        usable.append((link, used))
    if not usable:
        if exhausted:
            raise errors.limit_exceeded(f"Exchange Limit Exceeded: every wallet link of wallet {wallet_id} "
                                          f"to reward bank {bank['bank_id']} is used up")
        raise errors.no_link(f"Wallet {wallet_id} has no active wallet link to personal "
                                         f"reward bank {bank['bank_id']} for reward {reward_id}")
    # sorted() is stable, so equal links stay in creation order
    return sorted(usable, key=lambda pair: (pair[0]["valid_to"] is None, pair[0]["valid_to"] or "",
                                            pair[0]["reward_id"] is None))[0]


def use_link(db, now, link: dict, used_before: int, limit: int | None) -> None:
    """Count one more exchange against ``link``; at the limit it becomes USED."""
    if limit is not None and used_before + 1 >= limit:
        link.update(status="USED", last_updated=to_db(now))
        store.update_link(db, link["link_id"], {"status": "USED", "last_updated": link["last_updated"]})
