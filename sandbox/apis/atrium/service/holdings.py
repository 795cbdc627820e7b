"""Accounts, transactions and rewards "held at the institution": stored with the member
when it is created (from the catalogue) or seeded (from a scenario), and shown once a
job has gathered them.

- accounts and transactions: once the member has been aggregated successfully (any
  aggregation-type job, fetch_rewards included, or a scenario's connected member);
- rewards: once a fetch_rewards job has completed (specs/README.md Atrium decision 5).
"""
from __future__ import annotations

import json
from datetime import datetime

from sandbox.core import ids
from sandbox.core.timeutil import to_db

from .. import errors, store
from .lookup import member_with_state


def holding_rows(db, user_guid: str, member_guid: str, holdings: dict) -> tuple[list, list, list]:
    """Rows for the store from ``holdings`` (``accounts``, ``transactions``, ``rewards``).
    Transactions and rewards name their account by ``account_guid`` or by the ``account``
    key of one of these accounts. Missing guids are generated (deterministically)."""
    accounts, transactions, rewards = [], [], []
    by_key = {}
    for account in holdings.get("accounts", []):
        data = {k: v for k, v in account.items() if k not in ("key", "guid")}
        guid = account.get("guid") or ids.guid(db, "ACT")
        if account.get("key"):
            by_key[account["key"]] = guid
        accounts.append({"guid": guid, "member_guid": member_guid, "user_guid": user_guid,
                         "data": json.dumps(data)})
    for txn in holdings.get("transactions", []):
        data = {k: v for k, v in txn.items() if k not in ("account", "guid", "account_guid")}
        account_guid = txn.get("account_guid") or by_key.get(txn.get("account"))
        transactions.append({"guid": txn.get("guid") or ids.guid(db, "TRN"), "member_guid": member_guid,
                             "user_guid": user_guid, "account_guid": account_guid,
                             "date": data.get("date"), "data": json.dumps(data)})
    for reward in holdings.get("rewards", []):
        rewards.append({
            "guid": reward.get("guid") or ids.guid(db, "RWD"), "member_guid": member_guid,
            "user_guid": user_guid,
            "account_guid": reward.get("account_guid") or by_key.get(reward.get("account")),
            "balance": reward["balance"], "balance_type": reward["balance_type"],
            "unit_type": reward["unit_type"], "description": reward.get("description"),
            "expires_on": reward.get("expires_on"),
            "created_at": to_db(reward.get("created_at")), "updated_at": to_db(reward.get("updated_at")),
        })
    return accounts, transactions, rewards


def store_holdings(db, user_guid: str, member_guid: str, holdings: dict) -> None:
    accounts, transactions, rewards = holding_rows(db, user_guid, member_guid, holdings)
    store.insert_many(db, "accounts", accounts)
    store.insert_many(db, "transactions", transactions)
    store.insert_many(db, "rewards", rewards)


def list_accounts(db, now: datetime, client_id: str, user_guid: str, member_guid: str,
                  limit: int, offset: int) -> tuple[dict, list[dict], int]:
    member = member_with_state(db, now, client_id, user_guid, member_guid)
    if member["successfully_aggregated_at"] is None:
        return member, [], 0
    rows, total = store.list_accounts(db, member_guid, limit, offset)
    return member, rows, total


def list_transactions(db, now: datetime, client_id: str, user_guid: str, member_guid: str,
                      from_date: str | None, to_date: str | None,
                      limit: int, offset: int) -> tuple[dict, list[dict], int]:
    member = member_with_state(db, now, client_id, user_guid, member_guid)
    if member["successfully_aggregated_at"] is None:
        return member, [], 0
    rows, total = store.list_transactions(db, member_guid, from_date, to_date, limit, offset)
    return member, rows, total


def list_rewards(db, now: datetime, client_id: str, user_guid: str, member_guid: str) -> list[dict]:
    member = member_with_state(db, now, client_id, user_guid, member_guid)
    if member["rewards_first_fetched_at"] is None:
        return []
    return [_with_times(row, member) for row in store.list_rewards(db, member_guid)]


def read_reward(db, now: datetime, client_id: str, user_guid: str, member_guid: str,
                reward_guid: str) -> dict:
    member = member_with_state(db, now, client_id, user_guid, member_guid)
    row = store.get_reward(db, member_guid, reward_guid)
    if row is None or member["rewards_first_fetched_at"] is None:
        raise errors.not_found()
    return _with_times(row, member)


def _with_times(row: dict, member: dict) -> dict:
    """A reward's own times win; otherwise it was created by the first completed fetch
    and last updated by the latest one."""
    return {**row,
            "created_at": row["created_at"] or to_db(member["rewards_first_fetched_at"]),
            "updated_at": row["updated_at"] or to_db(member["rewards_last_fetched_at"])}
