"""What the premium jobs gather, and reading it: account numbers after ``verify``, account
owners after ``identify``, statements after ``fetch_statements``. Each read is 404 until its
job has completed successfully on the member (as MX answers); the data is stored with the
member, like its accounts (from the scenario, or generated from the member's accounts).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sandbox.core import ids
from sandbox.core.timeutil import to_db

from .. import errors, store
from .lookup import member_with_state

# result kind -> (the job that gathers it, the scenario / response list name)
KINDS = {"account_number": ("verify", "account_numbers"), "account_owner": ("identify", "account_owners"),
         "statement": ("fetch_statements", "statements")}
# verification gives the numbers of demand deposit accounts (MX's verification guide)
DEPOSIT_TYPES = ("CHECKING", "SAVINGS")
# the sandbox's own values for generated results (valid ABA checksum; example.com address)
ROUTING_NUMBER = "123456780"
OWNER = {"owner_name": "Sandbox Account Owner", "address": "123 Sandbox Street", "city": "Lehi", "state": "UT",
         "postal_code": "84043", "country": "US", "email": "account.owner@example.com"}


def result_rows(db, user_guid: str, member_guid: str, accounts: list[dict], given: dict) -> list[dict]:
    """Rows for the store: the member's ``account_numbers``, ``account_owners`` and
    ``statements`` as ``given`` (vendor fields), each list left out generated from
    ``accounts`` (rows with their ``data`` as JSON text)."""
    rows = []
    for kind, (_, name) in KINDS.items():
        items = given.get(name)
        if items is None:
            items = _generated(kind, user_guid, member_guid, accounts)
        for item in items:
            data = {k: v for k, v in item.items() if k not in ("guid", "account_guid")}
            guid = item.get("guid") or (ids.guid(db, "ACO" if kind == "account_owner" else "STA")
                                        if kind != "account_number" else None)
            if kind == "statement":
                data.setdefault("uri", f"/users/{user_guid}/members/{member_guid}/statements/{guid}.pdf")
                data.setdefault("content_hash", hashlib.sha256(guid.encode()).hexdigest())
            rows.append({"kind": kind, "guid": guid, "member_guid": member_guid, "user_guid": user_guid,
                         "account_guid": item.get("account_guid"), "data": json.dumps(data, default=str)})
    return rows


def _generated(kind: str, user_guid: str, member_guid: str, accounts: list[dict]) -> list[dict]:
    found = []
    for account in accounts:
        data = json.loads(account["data"])
        if kind == "account_number":
            if data.get("type") in DEPOSIT_TYPES:
                found.append({"account_guid": account["guid"], "account_number": _full_number(account["guid"], data),
                              "routing_number": ROUTING_NUMBER, "institution_number": None, "transit_number": None})
        elif kind == "account_owner":
            found.append({"account_guid": account["guid"], **OWNER})
        else:
            found.append({"account_guid": account["guid"]})
    return found


def _full_number(account_guid: str, data: dict) -> str:
    """Stable digits ending in the account's (masked) account_number."""
    tail = "".join(c for c in str(data.get("account_number") or "") if c.isdigit())
    digits = str(int(hashlib.sha256(account_guid.encode()).hexdigest(), 16))
    return (digits[:10 - len(tail)] + tail) if len(tail) < 10 else tail


def _completions(member: dict, job_type: str) -> list[datetime]:
    return [v.ended_at for v in member["views"] if v.succeeded and v.job["type"] == job_type]


def _gathered(db, now: datetime, client_id: str, user_guid: str, member_guid: str, kind: str) -> list[datetime]:
    """When the job gathering ``kind`` completed on the member; 404 if it never has."""
    member = member_with_state(db, now, client_id, user_guid, member_guid)
    done = _completions(member, KINDS[kind][0])
    if not done:
        raise errors.not_found()
    return done


def list_results(db, now: datetime, client_id: str, user_guid: str, member_guid: str, kind: str,
                 account_guid: str | None = None, limit: int = -1, offset: int = 0) -> tuple[list[dict], int]:
    done = _gathered(db, now, client_id, user_guid, member_guid, kind)
    rows, total = store.list_premium_results(db, kind, member_guid, account_guid, limit, offset)
    return [_with_times(row, done) for row in rows], total


def read_statement(db, now: datetime, client_id: str, user_guid: str, member_guid: str, guid: str) -> dict:
    done = _gathered(db, now, client_id, user_guid, member_guid, "statement")
    row = store.get_premium_result(db, "statement", member_guid, guid)
    if row is None:
        raise errors.not_found()
    return _with_times(row, done)


def _with_times(row: dict, done: list[datetime]) -> dict:
    """A statement's own times win; otherwise it was created by the first completed job and
    last updated by the latest one."""
    if row["kind"] == "statement":
        row["data"].setdefault("created_at", None)
        row["data"].setdefault("updated_at", None)
        row["data"]["created_at"] = row["data"]["created_at"] or to_db(min(done))
        row["data"]["updated_at"] = row["data"]["updated_at"] or to_db(max(done))
    return row
