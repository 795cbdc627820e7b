"""Accounts, transactions and rewards "held at the institution": stored with the member
when it is created (from the catalogue) or seeded (from a scenario), and shown once a
job has gathered them.

- accounts and transactions: once the member has been aggregated successfully (any
  aggregation-type job, fetch_rewards included, or a scenario's connected member), for one
  member or for the whole user; transactions within a date window (MX's default: 90 days
  back, 5 days forward);
- rewards: once a fetch_rewards job has completed (the sandbox's choice: the README, "Fidelity notes").
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sandbox.core import ids
from sandbox.core.timeutil import to_db

from .. import errors, store
from .jobs import require_feature
from .lookup import load_user, member_with_state, with_states
from .premium import result_rows

# MX's default transaction window (the SDK's docstrings): 90 days back, 5 days forward
WINDOW_BACK, WINDOW_FORWARD = timedelta(days=90), timedelta(days=5)


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
    """Store what a new member finds at its institution, the premium jobs' results included
    (generated from its accounts)."""
    accounts, transactions, rewards = holding_rows(db, user_guid, member_guid, holdings)
    store.insert_many(db, "accounts", accounts)
    store.insert_many(db, "transactions", transactions)
    store.insert_many(db, "rewards", rewards)
    store.insert_many(db, "premium_results", result_rows(db, user_guid, member_guid, accounts, holdings))


def _gathered(member: dict) -> bool:
    return member["successfully_aggregated_at"] is not None


def _gathered_member_guids(db, now: datetime, client_id: str, user_guid: str) -> list[str]:
    """The user's members whose data a job has gathered (404 for an unknown user)."""
    load_user(db, client_id, user_guid)
    return [m["guid"] for m in with_states(db, store.members_of_user(db, user_guid), now) if _gathered(m)]


def transaction_window(now: datetime, from_date: str | None, to_date: str | None) -> tuple[str, str]:
    """(from_date, to_date) as YYYY-MM-DD: each one given, or MX's default, 90 days before
    and 5 days after the request (on the sandbox clock)."""
    today = now.date()
    return (from_date or (today - WINDOW_BACK).isoformat(), to_date or (today + WINDOW_FORWARD).isoformat())


def list_accounts(db, now: datetime, client_id: str, user_guid: str, member_guid: str | None,
                  limit: int, offset: int) -> tuple[list[dict], int]:
    """A member's accounts, or (``member_guid`` None) every account of the user."""
    if member_guid is None:
        return store.list_accounts(db, _gathered_member_guids(db, now, client_id, user_guid), limit, offset)
    member = member_with_state(db, now, client_id, user_guid, member_guid)
    return store.list_accounts(db, [member_guid] if _gathered(member) else [], limit, offset)


def read_account(db, now: datetime, client_id: str, user_guid: str, account_guid: str,
                 member_guid: str | None = None) -> dict:
    """One account of the user (of the member, when given); 404 until a job gathered it."""
    if member_guid is not None:
        member_with_state(db, now, client_id, user_guid, member_guid)
    row = store.get_account(db, user_guid, account_guid)
    visible = _gathered_member_guids(db, now, client_id, user_guid)
    if row is None or row["member_guid"] not in visible or member_guid not in (None, row["member_guid"]):
        raise errors.not_found()
    return row


def list_transactions(db, now: datetime, client_id: str, user_guid: str, *, member_guid: str | None = None,
                      account_guid: str | None = None, from_date: str | None = None, to_date: str | None = None,
                      limit: int, offset: int) -> tuple[list[dict], int]:
    """Transactions in the date window: of a member, of an account, or of the whole user."""
    if member_guid is not None:
        member = member_with_state(db, now, client_id, user_guid, member_guid)
        members = [member_guid] if _gathered(member) else []
    elif account_guid is not None:
        members = [read_account(db, now, client_id, user_guid, account_guid)["member_guid"]]
    else:
        members = _gathered_member_guids(db, now, client_id, user_guid)
    window = transaction_window(now, from_date, to_date)
    return store.list_transactions(db, members, account_guid, *window, limit, offset)


def read_transaction(db, now: datetime, client_id: str, user_guid: str, transaction_guid: str) -> dict:
    """One transaction of the user, whatever its date; 404 until a job gathered it."""
    row = store.get_transaction(db, user_guid, transaction_guid)
    if row is None or row["member_guid"] not in _gathered_member_guids(db, now, client_id, user_guid):
        raise errors.not_found()
    return row


def list_rewards(db, now: datetime, client: dict, user_guid: str, member_guid: str) -> list[dict]:
    """The member's rewards once a fetch has completed; 403 for a client without the
    rewards feature (after the ids are found, as for fetch_rewards)."""
    member = member_with_state(db, now, client["client_id"], user_guid, member_guid)
    require_feature(client, "fetch_rewards")
    if member["rewards_first_fetched_at"] is None:
        return []
    return [_with_times(row, member) for row in store.list_rewards(db, member_guid)]


def read_reward(db, now: datetime, client: dict, user_guid: str, member_guid: str,
                reward_guid: str) -> dict:
    member = member_with_state(db, now, client["client_id"], user_guid, member_guid)
    require_feature(client, "fetch_rewards")
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
