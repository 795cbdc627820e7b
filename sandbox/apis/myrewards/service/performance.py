"""Performance: data fields, promotions, and sales-data claims.

A claim names a product SKU, a quantity, a user and a sale date, plus an answer for each
data field of its promotion (the programme-wide fields and the promotion's own), matched
by the field's name or label in any case. It earns quantity x the product's points,
credited to the user's ledger and drawn from the programme pool.

A batch is all or nothing (the sandbox's choice, in the MyRewards README): records are
taken in order and the first one that is invalid, or that the pool can no longer pay for,
fails the whole batch with 422
``{"errors": [...], "index_of_failed_data": i}``; nothing is written.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime

from sandbox.core import ids
from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from .values import CLAIM_KEYS, MAX_TEXT, is_blank, iso_date
from .transactions import credit_rows

CLAIM_IDS = "myrewards:claim"
_NUMERIC = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def promotions(db, programme_id: int) -> list[dict]:
    return store.promotions(db, programme_id)


def data_fields(db, programme_id: int) -> list[dict]:
    return store.data_fields(db, programme_id)


def promotion_data_fields(db, programme_id: int, promotion_id: int | None) -> list[dict]:
    promotion = _promotion_or_404(db, programme_id, promotion_id)
    return [{**f, "promotion_id": promotion["id"]} for f in store.data_fields(db, programme_id, promotion["id"])]


def _promotion_or_404(db, programme_id: int, promotion_id: int | None) -> dict:
    found = None if promotion_id is None else store.promotion(db, programme_id, promotion_id)
    if found is None:
        raise errors.not_found("Promotion")
    return found


class _FailedRecord(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def create_sales_data(db, now: datetime, programme_id: int, promotion_id: int | None,
                      records: list[tuple[dict, list[str]]]) -> None:
    """Claim every record or none. ``promotion_id`` None: each record's promotion is the
    lowest-numbered active one that lists its SKU. ``records`` pairs each parsed record
    with its format problems."""
    with write_transaction(db):
        promotion = None if promotion_id is None else _promotion_or_404(db, programme_id, promotion_id)
        pool_left = store.pool(db, programme_id)
        fields_by_promotion: dict = {}
        claims, balances, ledger = [], {}, []
        for index, (record, problems) in enumerate(records):
            try:
                if problems:
                    raise _FailedRecord(problems)
                claim = _claim(db, programme_id, promotion, record, fields_by_promotion)
                if claim["points"] > pool_left:
                    raise _FailedRecord([errors.PROGRAMME_SHORT])
            except _FailedRecord as failed:
                raise errors.failed_record(failed.messages, index) from None
            pool_left -= claim["points"]
            if claim["points"]:
                reason = f"{claim.pop('promotion_name')}: {claim['sku']} x {claim['quantity']}"
                ledger.append(credit_rows(db, now, balances, claim["user_id"], claim["points"], reason))
                claim["transaction_id"] = ledger[-1]["id"]
            claim.pop("promotion_name", None)
            claims.append({**claim, "id": ids.next_value(db, CLAIM_IDS), "created_at": to_db(now)})
        store.insert_transactions(db, ledger)
        store.insert_claims(db, claims)
        store.change_pool(db, programme_id, -sum(c["points"] for c in claims))


def _claim(db, programme_id: int, promotion: dict | None, record: dict, fields_by_promotion: dict) -> dict:
    sku = str(record["product_or_activity"]).strip()
    if promotion is None:
        target = store.promotion_for_sku(db, programme_id, sku)
        if target is None:
            raise _FailedRecord([f"product_or_activity {sku!r} is not a product of any active promotion"])
    else:
        target = promotion
        if target["status"] != "active":
            raise _FailedRecord([f"Promotion {target['id']} is not active (status {target['status']})"])
    product = store.product(db, target["id"], sku)
    if product is None:
        raise _FailedRecord([f"product_or_activity {sku!r} is not a product of promotion {target['id']}"])
    user = _claim_user(db, programme_id, record)
    if target["id"] not in fields_by_promotion:
        fields_by_promotion[target["id"]] = store.data_fields(db, programme_id, target["id"])
    answers = _answers(fields_by_promotion[target["id"]], record)
    return {"promotion_id": target["id"], "promotion_name": target["name"], "user_id": user["id"],
            "sku": product["sku"], "quantity": record["quantity"], "points": record["quantity"] * product["points"],
            "date_of_sale": iso_date(str(record["date_of_sale"])), "answers": answers, "transaction_id": None}


def _claim_user(db, programme_id: int, record: dict) -> dict:
    if not is_blank(record.get("username")):
        user = store.user_by_login(db, programme_id, str(record["username"]).strip())
        if user is None:
            raise _FailedRecord([f"username {record['username']!r}: User not found"])
        return user
    user = store.user(db, programme_id, record["user_id"])
    if user is None:
        raise _FailedRecord([f"user_id {record['user_id']}: User not found"])
    return user


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", name.strip().lower())


def _answers(data_fields: list[dict], record: dict) -> dict:
    """{data field id: answer} for the fields answered; every mandatory one must be."""
    given = {_key(k): v for k, v in record.items() if k not in CLAIM_KEYS}
    answers, problems = {}, []
    for field in data_fields:
        title = field["label"] or field["name"]
        names = {_key(field["name"])} | ({_key(field["label"])} if field["label"] else set())
        value = next((given[n] for n in names if n in given), None)
        if is_blank(value):
            if field["mandatory"]:
                problems.append(f"{title}: Please complete this field")
            continue
        problem = _answer_problem(field, value)
        if problem:
            problems.append(f"{title}: {problem}")
        else:
            answers[str(field["id"])] = value
    if problems:
        raise _FailedRecord(problems)
    return answers


def _answer_problem(field: dict, value) -> str | None:
    if isinstance(value, (dict, list)) or (isinstance(value, float) and not math.isfinite(value)):
        return "must be a single value"
    text = str(value).strip()
    kind = field["field_type"]
    if len(text) > MAX_TEXT:
        return f"is too long (maximum is {MAX_TEXT} characters)"
    if kind == "numeric" and (isinstance(value, bool) or not _NUMERIC.fullmatch(text)):
        return f"{json.dumps(value)} is not a number"
    if kind == "date" and iso_date(text) is None:
        return f"{json.dumps(value)} is not a date in the format YYYY-MM-DD"
    if kind == "list_values":
        allowed = [a.strip() for a in re.split(r"\r?\n", field["answers"] or "") if a.strip()]
        if text.lower() not in {a.lower() for a in allowed}:
            return f"{json.dumps(value)} is not one of the answers: {', '.join(allowed)}"
    return None
