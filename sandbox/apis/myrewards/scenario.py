"""The ``myrewards:`` section of a scenario file (field names: scenarios/README.md).

Programmes hold everything: API keys, registration questions, user groups, users with
their transaction history, performance data fields and promotions. Vendor objects use
the vendor's field names; sandbox settings are snake_case (``points_balance`` is the pool
as the world starts, ``identifier_field``, ``required_fields``, ``permissions``,
``account_closure_affects_pool``). Ids may be given or left to be generated.
"""
from __future__ import annotations

import json

from marshmallow import ValidationError, fields, validate

from sandbox.core import ids
from sandbox.core.fields import SparseRecord
from sandbox.core.scenario_files import problem
from sandbox.core.scenarios import InstantField, StrictSchema
from sandbox.core.timeutil import to_db

from . import auth, store
from .schemas import (ANSWERS, MAX_POINTS, MAX_REASON, USER_FIELDS, Flag, ProfileValue, RecordId, flag,
                      is_blank, whole_number)
from .service.transactions import TRANSACTION_IDS
from .service.users import ALWAYS_UNIQUE, LOGIN_FIELDS, USER_IDS
from .service.varieties import DEBIT, find_type, find_variety

MAX_POOL = 2 ** 53
SEED_REQUIRED_FIELDS = ["firstname", "lastname", "tsandcs"]   # the reference's "Required" fields
QUESTION_TYPES = ["check_box", "date_select", "radio", "select", "text", "user_group", "linked_user"]
DATA_FIELD_TYPES = ["free_text", "numeric", "list_values", "date"]
ALL_PERMISSIONS = {r: list(auth.ACCESS) for r in auth.RESOURCES}


def _check(test, message: str):
    """A marshmallow validator from a predicate."""
    def run(value):
        if not test(value):
            raise ValidationError(message)
    return run


class ScenarioId(fields.Integer):
    """An id as a number or as the digit string the vendor's responses show (``"1"``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        number = whole_number(value)
        if number is None or not 1 <= number <= 2 ** 53:
            raise ValidationError("expected an id: a whole number from 1")
        return number


def _id(**kwargs):
    return ScenarioId(**kwargs)


def _text(required=False, **kwargs):
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=255), **kwargs)


class TextFlag(fields.Field):
    """true/false, or the strings "true"/"false" the vendor sends."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = flag(value)
        if result is None:
            raise ValidationError('expected true or false (or "true" / "false")')
        return result


class ApiKeySchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[^\s:]{1,200}$", error="a key has no spaces or ':'"))
    secret = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    # absent: every permission; {} : none
    permissions = fields.Dict(keys=fields.String(validate=validate.OneOf(auth.RESOURCES)),
                              values=fields.List(fields.String(validate=validate.OneOf(auth.ACCESS))),
                              load_default=lambda: dict(ALL_PERMISSIONS))


class RegistrationQuestionSchema(StrictSchema):
    id = _id()
    label = _text(required=True)
    mandatory = TextFlag(load_default=False)
    field_type = fields.String(load_default="text", validate=validate.OneOf(QUESTION_TYPES))
    options = fields.String(load_default="", allow_none=True)
    field_name = fields.String(allow_none=True)
    free_text = TextFlag(load_default=False)
    position = fields.Integer(strict=True, allow_none=True)


class UserGroupSchema(StrictSchema):
    id = _id()
    name = _text(required=True)
    parent_id = _id(allow_none=True, load_default=None)
    default = TextFlag(load_default=False)
    position = fields.Raw(load_default=1, validate=_check(lambda v: whole_number(v) is not None,
                                                         "expected a whole number"))


SEED_TRANSACTION = {
    "id": _id(),
    "transaction_type": fields.String(validate=_check(lambda v: find_type(v) is not None, "expected Credit or Debit")),
    "variety": fields.String(validate=_check(lambda v: find_variety(v) is not None, "not a variety of the reference's table")),
    "points": fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_POINTS)),
    "reason": fields.String(validate=validate.Length(min=1, max=MAX_REASON)),
    "remote_transaction_id": fields.String(allow_none=True),
    "created_at": InstantField(allow_none=True),
}
SEED_ANSWER = {"registration_question_id": RecordId(), "answer": fields.Raw(allow_none=True)}
SEED_USER = {
    "id": _id(),
    **{name: ProfileValue(allow_none=True) for name in USER_FIELDS},
    "tsandcs": Flag(allow_none=True), "consented": Flag(allow_none=True),
    "marketing_consented": Flag(allow_none=True), "user_group_id": RecordId(allow_none=True),
    ANSWERS: fields.List(SparseRecord(SEED_ANSWER, required=("registration_question_id",))),
    "transactions": fields.List(SparseRecord(SEED_TRANSACTION, required=("transaction_type", "variety", "points", "reason"))),
}


class DataFieldSchema(StrictSchema):
    id = _id()
    name = _text(required=True)
    label = fields.String(allow_none=True, load_default=None)
    mandatory = TextFlag(load_default=False)
    field_type = fields.String(load_default="free_text", validate=validate.OneOf(DATA_FIELD_TYPES))
    answers = fields.String(allow_none=True, load_default=None)
    position = fields.Integer(strict=True, allow_none=True)
    selector = fields.String(allow_none=True, load_default=None)
    created_at = InstantField(allow_none=True)
    updated_at = InstantField(allow_none=True)


class ProductSchema(StrictSchema):
    sku = _text(required=True)
    points = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=MAX_POINTS))


class PromotionSchema(StrictSchema):
    id = _id()
    name = _text(required=True)
    start_date = fields.String(allow_none=True, load_default=None)
    end_date = fields.String(allow_none=True, load_default=None)
    close_date = fields.String(allow_none=True, load_default=None)
    status = fields.String(load_default="active", validate=validate.OneOf(["not_active", "active", "archived"]))
    promotion_type = fields.String(load_default="data_upload",
                                   validate=validate.OneOf(["self_claim", "data_upload", "allocated_claims"]))
    products = fields.List(fields.Nested(ProductSchema), load_default=list)
    data_fields = fields.List(fields.Nested(DataFieldSchema), load_default=list)


class ProgrammeSchema(StrictSchema):
    id = _id()
    name = _text(required=True)
    points_balance = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_POOL))
    identifier_field = fields.String(load_default="username", validate=validate.OneOf(["username", "email", "mobile"]))
    required_fields = fields.List(fields.String(validate=validate.OneOf(USER_FIELDS)),
                                  load_default=lambda: list(SEED_REQUIRED_FIELDS))
    account_closure_affects_pool = fields.Boolean(load_default=False)
    api_keys = fields.List(fields.Nested(ApiKeySchema), load_default=list)
    registration_questions = fields.List(fields.Nested(RegistrationQuestionSchema), load_default=list)
    user_groups = fields.List(fields.Nested(UserGroupSchema), load_default=list)
    users = fields.List(SparseRecord(SEED_USER), load_default=list)
    data_fields = fields.List(fields.Nested(DataFieldSchema), load_default=list)
    promotions = fields.List(fields.Nested(PromotionSchema), load_default=list)


class SectionSchema(StrictSchema):
    programmes = fields.List(fields.Nested(ProgrammeSchema), load_default=list)


# -- seeding -----------------------------------------------------------------------------

def _assign_ids(db, kind: str, items: list[tuple[str, dict]]) -> None:
    """Give every item an id: the ones given are kept (and must be unique), the rest
    are numbered after the highest given one, in file order."""
    seen: dict = {}
    for path, item in items:
        if item.get("id") is not None:
            if item["id"] in seen:
                raise problem(None, f"{path}.id", f"duplicate id {item['id']} (also at {seen[item['id']]})")
            seen[item["id"]] = path
    ids.bump_to(db, kind, max(seen, default=0))
    missing = [item for _, item in items if item.get("id") is None]
    if missing:
        first = ids.next_value(db, kind)
        for offset, item in enumerate(missing):
            item["id"] = first + offset
        ids.bump_to(db, kind, first + len(missing) - 1)


def seed(ctx, section: dict) -> None:
    """Write the validated section (inside the load transaction), bulk inserts only."""
    db, now = ctx.db, ctx.now
    programmes = [(f"myrewards.programmes[{i}]", p) for i, p in enumerate(section.get("programmes") or [])]
    nested = {key: [(f"{path}.{key}[{j}]", item) for path, p in programmes for j, item in enumerate(p[key])]
              for key in ("registration_questions", "user_groups", "users", "data_fields", "promotions")}
    promotion_fields = [(f"{path}.data_fields[{j}]", f) for path, promo in nested["promotions"]
                        for j, f in enumerate(promo["data_fields"])]
    transactions = [(f"{path}.transactions[{j}]", t) for path, u in nested["users"]
                    for j, t in enumerate(u.get("transactions", []))]
    _assign_ids(db, "myrewards:programme", programmes)
    _assign_ids(db, "myrewards:registration_question", nested["registration_questions"])
    _assign_ids(db, "myrewards:user_group", nested["user_groups"])
    _assign_ids(db, USER_IDS, nested["users"])
    _assign_ids(db, "myrewards:data_field", nested["data_fields"] + promotion_fields)
    _assign_ids(db, "myrewards:promotion", nested["promotions"])
    _assign_ids(db, TRANSACTION_IDS, transactions)

    rows: dict = {name: [] for name in ("programmes", "api_keys", "registration_questions", "user_groups",
                                        "users", "transactions", "promotions", "products", "data_fields")}
    keys_seen: dict = {}
    for path, programme in programmes:
        pid = programme["id"]
        rows["programmes"].append({
            "id": pid, "name": programme["name"], "points_balance": programme["points_balance"],
            "points_balance_at_load": programme["points_balance"], "identifier_field": programme["identifier_field"],
            "required_fields": json.dumps(programme["required_fields"]),
            "account_closure_affects_pool": int(programme["account_closure_affects_pool"])})
        for j, key in enumerate(programme["api_keys"]):
            if key["key"] in keys_seen:
                raise problem(None, f"{path}.api_keys[{j}].key", f"duplicate api key (also at {keys_seen[key['key']]})")
            keys_seen[key["key"]] = f"{path}.api_keys[{j}]"
            rows["api_keys"].append({"key": key["key"], "programme_id": pid, "secret": key.get("secret"),
                                     "permissions": json.dumps(key["permissions"])})
        for j, q in enumerate(programme["registration_questions"]):
            rows["registration_questions"].append({
                "id": q["id"], "programme_id": pid, "label": q["label"], "mandatory": int(q["mandatory"]),
                "field_type": q["field_type"], "options": q.get("options") or "",
                "field_name": q.get("field_name") or _snake(q["label"]), "free_text": int(q["free_text"]),
                "position": q["position"] if q.get("position") is not None else j + 1})
        groups = _user_group_rows(path, programme)
        rows["user_groups"].extend(groups)
        _seed_users(path, programme, groups, now, rows)
        _seed_performance(path, programme, now, rows)

    for table, table_rows in rows.items():
        store.insert_rows(db, f"myrewards_{table}", table_rows)


def _user_group_rows(path: str, programme: dict) -> list[dict]:
    groups = {g["id"]: g for g in programme["user_groups"]}
    rows, defaults = [], []
    for j, group in enumerate(programme["user_groups"]):
        where = f"{path}.user_groups[{j}]"
        parent = group["parent_id"]
        if parent is not None and parent not in groups:
            raise problem(None, f"{where}.parent_id", f"no user group {parent} in this programme")
        seen, walk = {group["id"]}, parent
        while walk is not None:
            if walk in seen:
                raise problem(None, f"{where}.parent_id", "the parent chain loops back to this group")
            seen.add(walk)
            walk = groups[walk]["parent_id"]
        if group["default"]:
            defaults.append(group["id"])
        rows.append({"id": group["id"], "programme_id": programme["id"], "name": group["name"], "parent_id": parent,
                     "is_default": int(group["default"]), "position": whole_number(group["position"])})
    if len(defaults) > 1:
        raise problem(None, f"{path}.user_groups", f"more than one default user group: {defaults}")
    return rows


def _seed_users(path: str, programme: dict, groups: list[dict], now, rows: dict) -> None:
    group_ids = {g["id"] for g in groups}
    default_group = next((str(g["id"]) for g in groups if g["is_default"]), None)
    question_ids = {q["id"] for q in programme["registration_questions"]}
    identifier = programme["identifier_field"]
    stamp = to_db(now)
    taken: dict = {}
    for j, user in enumerate(programme["users"]):
        where = f"{path}.users[{j}]"
        login = user.get(identifier)
        if is_blank(login):
            raise problem(None, f"{where}.{identifier}", f"the programme identifies users by {identifier}; give one")
        for field in dict.fromkeys((identifier, *ALWAYS_UNIQUE)):
            value = user.get(field)
            if is_blank(value):
                continue
            key = (field, str(value).strip() if field == "mobile" else str(value).strip().lower())
            if key in taken:
                raise problem(None, f"{where}.{field}", f"another user already has {field} {value!r}")
            taken[key] = where
        group = user.get("user_group_id")
        if not is_blank(group) and whole_number(group) not in group_ids:
            raise problem(None, f"{where}.user_group_id", f"no user group {group} in this programme")
        for k, answer in enumerate(user.get(ANSWERS, [])):
            if whole_number(answer["registration_question_id"]) not in question_ids:
                raise problem(None, f"{where}.{ANSWERS}[{k}].registration_question_id",
                              f"no registration question {answer['registration_question_id']} in this programme")
        profile = {k: v for k, v in user.items() if k not in ("id", "transactions")}
        if is_blank(profile.get("user_group_id")):
            profile["user_group_id"] = default_group
        rows["users"].append({
            "id": user["id"], "programme_id": programme["id"], "profile": json.dumps(profile),
            "created_at": stamp, "updated_at": stamp,
            **{f: None if is_blank(profile.get(f)) else str(profile[f]).strip() for f in LOGIN_FIELDS}})
        rows["transactions"].extend(_history(where, user, now))


def _history(where: str, user: dict, now) -> list[dict]:
    """The user's ledger, oldest first, with running balances; history does not draw on
    the pool again."""
    indexed = sorted(enumerate(user.get("transactions", [])), key=lambda it: it[1].get("created_at") or now)
    balance, rows = 0, []
    for k, t in indexed:
        at = t.get("created_at") or now
        if at > now:
            raise problem(None, f"{where}.transactions[{k}].created_at", "is later than the world's clock")
        kind, variety = find_type(t["transaction_type"]), find_variety(t["variety"])
        if kind not in variety.permitted:
            raise problem(None, f"{where}.transactions[{k}].transaction_type",
                          f"variety {variety.name} permits only {' or '.join(sorted(variety.permitted))}")
        value = -t["points"] if kind == DEBIT else t["points"]
        balance += value
        if balance < 0:
            raise problem(None, f"{where}.transactions[{k}].points", "this debit takes the balance below zero")
        rows.append({"id": t["id"], "user_id": user["id"], "transaction_type": kind, "variety": variety.name,
                     "value": value, "balance": balance, "pool_delta": 0, "reason": t["reason"],
                     "remote_transaction_id": t.get("remote_transaction_id"), "created_at": to_db(at),
                     "created_offset": offset_minutes(at)})
    return rows


def offset_minutes(at) -> int:
    """The UTC offset an instant was given with, in minutes: times keep it on the wire."""
    offset = at.utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


def _seed_performance(path: str, programme: dict, now, rows: dict) -> None:
    pid = programme["id"]
    for field, promotion_id in [(f, None) for f in programme["data_fields"]] + [
            (f, p["id"]) for p in programme["promotions"] for f in p["data_fields"]]:
        created = field.get("created_at") or now
        updated = field.get("updated_at") or created
        rows["data_fields"].append({
            "id": field["id"], "programme_id": pid, "promotion_id": promotion_id, "name": field["name"],
            "label": field["label"], "mandatory": int(field["mandatory"]), "field_type": field["field_type"],
            "answers": field["answers"], "position": field["position"] if field.get("position") is not None else 1,
            "selector": field["selector"], "created_at": to_db(created), "created_offset": offset_minutes(created),
            "updated_at": to_db(updated), "updated_offset": offset_minutes(updated)})
    for j, promotion in enumerate(programme["promotions"]):
        rows["promotions"].append({k: promotion[k] for k in (
            "id", "name", "start_date", "end_date", "close_date", "status", "promotion_type")} | {"programme_id": pid})
        skus = set()
        for k, product in enumerate(promotion["products"]):
            if product["sku"].lower() in skus:
                raise problem(None, f"{path}.promotions[{j}].products[{k}].sku", "duplicate sku in this promotion")
            skus.add(product["sku"].lower())
            rows["products"].append({"promotion_id": promotion["id"], "sku": product["sku"], "points": product["points"]})


def _snake(label: str) -> str:
    return "_".join(label.lower().split())


def credentials(db) -> list[dict]:
    """What ``rewards-sandbox serve`` prints: each key and the header that sends it."""
    return [{"programme": f"{k['programme_id']} {k['programme']}", "api_key": k["key"],
             "Authorization": auth.header_for(k["key"], k["secret"])} for k in store.all_api_keys(db)]
