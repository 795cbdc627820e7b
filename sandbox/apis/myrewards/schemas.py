"""MyRewards wire format: request bodies (JSON, or form data with Rails-style nested keys
such as ``transaction[points]=100``), request schemas, and the response shapes.

Validation messages are Rails-like ("points must be greater than 0") and start with the
field name exactly as the client sent it.
"""
from __future__ import annotations

import json
import math
import re
import urllib.parse
from datetime import timedelta, timezone

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, post_dump, pre_load, validate, validates_schema

from sandbox.core.errors import RequestError, validation_problems
from sandbox.core.timeutil import from_db, to_offset_text

from . import errors
from .service.varieties import find_type
from .service.values import ANSWERS, MAX_TEXT, flag, is_blank, iso_date, whole_number

MAX_POINTS = 2_147_483_647            # the vendor's integer columns are 32-bit
MAX_REASON = 250
USER_FIELDS = ("username", "email", "title", "firstname", "lastname", "company", "job_title",
               "address_1", "address_2", "town", "postcode", "county", "country", "date_of_birth",
               "telephone", "mobile", "tsandcs", "consented", "marketing_consented", "user_group_id")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_INTERNATIONAL_PHONE = re.compile(r"\+[0-9]{9,15}")
_KEY_PART = re.compile(r"\[([^\[\]]*)\]")
MAX_KEY_DEPTH = 32
MAX_FORM_FIELDS = 10_000


# -- request bodies ---------------------------------------------------------------------


def query_pairs(raw: bytes) -> list[tuple[str, str]]:
    """``a=1&b[]=2`` as (name, value) pairs, in the order sent."""
    try:
        return urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict",
                                      max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise RequestError(RequestError.UNREADABLE, "The request body is not valid UTF-8") from None
    except ValueError:
        raise RequestError(RequestError.UNREADABLE, f"More than {MAX_FORM_FIELDS} form fields") from None


def rails_params(pairs) -> dict:
    """Rack's nested parameter decoding: ``a[b]=1`` -> ``{"a": {"b": "1"}}``,
    ``a[]=1&a[]=2`` -> ``{"a": ["1", "2"]}``, ``a[][x]=1&a[][x]=2`` -> two hashes."""
    params: dict = {}
    for name, value in pairs:
        head, bracket, rest = name.partition("[")
        path = [head] + (_KEY_PART.findall(bracket + rest) if bracket else [])
        if head and len(path) <= MAX_KEY_DEPTH:
            _assign(params, path, value)
    return params


def _assign(target: dict, path: list[str], value) -> None:
    key, rest = path[0], path[1:]
    if not rest:
        target[key] = value
        return
    if rest[0] == "":
        items = target.get(key)
        if not isinstance(items, list):
            items = target[key] = []
        if len(rest) == 1:
            items.append(value)
        elif items and isinstance(items[-1], dict) and not _has_path(items[-1], rest[1:]):
            _assign(items[-1], rest[1:], value)
        else:
            items.append({})
            _assign(items[-1], rest[1:], value)
        return
    child = target.get(key)
    if not isinstance(child, dict):
        child = target[key] = {}
    _assign(child, rest, value)


def _has_path(item: dict, path: list[str]) -> bool:
    for key in path:
        if not isinstance(item, dict) or key not in item:
            return False
        item = item[key]
    return True


def listify(value):
    """A hash keyed "0", "1", ... (how forms send arrays of hashes) as a list."""
    if isinstance(value, dict) and value and all(isinstance(k, str) and k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return value


def path_id(text: str) -> int | None:
    """A record id from the URL, or None when it cannot name a record."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0 else None


# -- field types ----------------------------------------------------------------------------

class WholeNumber(fields.Integer):
    """An integer, natively or as digits in a string (form data is all strings)."""
    default_error_messages = {"invalid": "must be a whole number"}

    def _deserialize(self, value, attr, data, **kwargs):
        number = whole_number(value)
        if number is None:
            raise self.make_error("invalid")
        return number


class RecordId(fields.Field):
    """An id kept as the client sent it ("10" or 10), once it is known to be one.
    With ``blank_ok`` an empty string passes (a form's way of leaving it out)."""
    default_error_messages = {"invalid": "must be an id (a whole number)"}

    def __init__(self, *, blank_ok: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.blank_ok = blank_ok

    def _deserialize(self, value, attr, data, **kwargs):
        if self.blank_ok and isinstance(value, str) and not value.strip():
            return value
        number = whole_number(value)
        if number is None or not 0 < number <= 2 ** 63 - 1:
            raise self.make_error("invalid")
        return value


class ProfileValue(fields.Field):
    """A profile value as the client sent it: text, or a JSON number or boolean."""
    default_error_messages = {"invalid": "must be text", "too_long": f"is too long (maximum is {MAX_TEXT} characters)"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (dict, list)) or (isinstance(value, float) and not math.isfinite(value)):
            raise self.make_error("invalid")
        if len(str(value)) > MAX_TEXT:
            raise self.make_error("too_long")
        return value


class Flag(fields.Field):
    """A boolean as the client sent it (true, "true", "1", ...)."""
    default_error_messages = {"invalid": "must be true or false"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip():
            return None
        if flag(value) is None:
            raise self.make_error("invalid")
        return value


class TransactionType(fields.String):
    """"one of 'Credit' or 'Debit'" (the reference): exactly so; ``credit`` is invalid."""
    default_error_messages = {"invalid": "must be Credit or Debit"}

    def _deserialize(self, value, attr, data, **kwargs):
        kind = find_type(value)
        if kind is None:
            raise self.make_error("invalid")
        return kind


class Answer(fields.Field):
    """A registration answer: text, a number, a boolean, or a list of those."""
    default_error_messages = {"invalid": "must be text or a list of texts"}

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        if any(isinstance(v, (dict, list)) for v in items) or len(json.dumps(value)) > 10_000:
            raise self.make_error("invalid")
        return value


def _unless_blank(check, message):
    def run(value):
        if not is_blank(value) and not check(str(value).strip()):
            raise ValidationError(message)
    return run


def _not_blank(value):
    if is_blank(value):
        raise ValidationError("can't be blank")


valid_email = _unless_blank(lambda v: _EMAIL.fullmatch(v), "is not a valid email address")
international_phone = _unless_blank(
    lambda v: _INTERNATIONAL_PHONE.fullmatch(v),
    "must be in international format: '+', the country code, then at least 8 digits (e.g. +447876543210)")
date_format = _unless_blank(lambda v: iso_date(v), "must be a date in the format YYYY-MM-DD")


def positive_points(value):
    if value < 1:
        raise ValidationError("must be greater than 0")
    if value > MAX_POINTS:
        raise ValidationError(f"must be less than or equal to {MAX_POINTS}")


_REQUIRED = {"required": "can't be blank", "null": "can't be blank"}


# -- requests ---------------------------------------------------------------------------------

class TransactionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    transaction_type = TransactionType(required=True, error_messages=_REQUIRED)
    variety = fields.String(required=True, validate=_not_blank,
                            error_messages={**_REQUIRED, "invalid": "must be text"})
    points = WholeNumber(required=True, error_messages=_REQUIRED, validate=positive_points)
    reason = fields.String(required=True, error_messages={**_REQUIRED, "invalid": "must be text"}, validate=[
        _not_blank, validate.Length(max=MAX_REASON, error=f"is too long (maximum is {MAX_REASON} characters)")])
    remote_transaction_id = ProfileValue(allow_none=True, load_default=None)


class AnswerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "must be an object"}

    registration_question_id = RecordId(required=True, error_messages=_REQUIRED)
    answer = Answer(allow_none=True, load_default=None)


class UserSchema(Schema):
    """Every field optional here; the programme's rules (identifier, required fields,
    uniqueness, mandatory questions) are the service's."""
    class Meta:
        unknown = EXCLUDE

    username = ProfileValue(allow_none=True)
    email = ProfileValue(allow_none=True, validate=valid_email)
    title = ProfileValue(allow_none=True)
    firstname = ProfileValue(allow_none=True)
    lastname = ProfileValue(allow_none=True)
    company = ProfileValue(allow_none=True)
    job_title = ProfileValue(allow_none=True)
    address_1 = ProfileValue(allow_none=True)
    address_2 = ProfileValue(allow_none=True)
    town = ProfileValue(allow_none=True)
    postcode = ProfileValue(allow_none=True)
    county = ProfileValue(allow_none=True)
    country = ProfileValue(allow_none=True)
    date_of_birth = ProfileValue(allow_none=True, validate=date_format)
    telephone = ProfileValue(allow_none=True, validate=international_phone)
    mobile = ProfileValue(allow_none=True, validate=international_phone)
    tsandcs = Flag(allow_none=True)
    consented = Flag(allow_none=True)
    marketing_consented = Flag(allow_none=True)
    user_group_id = RecordId(allow_none=True, blank_ok=True)
    registration_answers_attributes = fields.List(
        fields.Nested(AnswerSchema), allow_none=True,
        error_messages={"invalid": "must be a list of objects with registration_question_id and answer"})

    @pre_load
    def answers_as_list(self, data, **kwargs):
        if isinstance(data, dict) and ANSWERS in data:
            data = {**data, ANSWERS: listify(data[ANSWERS])}
        return data


CLAIM_ALIASES = {"sale_date": "date_of_sale", "product_or_activity_ref": "product_or_activity"}


class ClaimSchema(Schema):
    """One record of a sales-data upload; any other key is a custom data field answer."""
    class Meta:
        unknown = INCLUDE

    date_of_sale = fields.Raw(required=True, error_messages=_REQUIRED, validate=[_not_blank, date_format])
    product_or_activity = ProfileValue(required=True, error_messages=_REQUIRED, validate=_not_blank)
    quantity = WholeNumber(required=True, error_messages=_REQUIRED, validate=positive_points)
    username = ProfileValue(allow_none=True)
    user_id = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=2 ** 63 - 1, error="is not a user id"))

    @pre_load
    def accept_later_spellings(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for alias, name in CLAIM_ALIASES.items():
            if alias in data:
                value = data.pop(alias)
                data.setdefault(name, value)
        return data

    @validates_schema
    def one_user(self, data, **kwargs):
        given = [k for k in ("username", "user_id") if not is_blank(data.get(k))]
        if len(given) != 1:
            raise ValidationError("must be given as exactly one of username (or email) and user_id", "user")


_transaction = TransactionSchema()
_user = UserSchema()
_claim = ClaimSchema()
TRANSACTION_KEYS = ("transaction_type", "variety", "points", "reason")


def full_messages(messages) -> list[str]:
    """marshmallow's error messages as Rails' full messages: ["points must be greater than 0", ...]
    (Rails names the field, then says what is wrong; no colon)."""
    return [f"{p['path']} {p['message']}".strip() for p in validation_problems(messages)]


def _load(schema: Schema, data: dict) -> tuple[dict, list[str]]:
    try:
        return schema.load(data), []
    except ValidationError as err:
        valid = err.valid_data if isinstance(err.valid_data, dict) else {}
        return valid, full_messages(err.messages)


def load_transaction(params: dict) -> tuple[dict, list[str]]:
    """The ``transaction`` of a v1 POST and what is wrong with it. A body without the
    wrapper is taken as the transaction itself (Rails wraps JSON parameters)."""
    body = params.get("transaction")
    if body is None and any(k in params for k in TRANSACTION_KEYS):
        body = params
    if body is None:
        return {}, ["transaction can't be blank"]
    if not isinstance(body, dict):
        return {}, ["transaction must be an object"]
    return _load(_transaction, body)


def load_user(params: dict) -> tuple[dict, list[str]]:
    """The user fields given (only those), and what is wrong with their format. A body
    wrapped as ``{"user": {...}}`` is accepted too."""
    if isinstance(params.get("user"), dict) and not any(k in params for k in USER_FIELDS):
        params = params["user"]
    return _load(_user, params)


def load_claims(params: dict) -> list[tuple[dict, list[str]]]:
    """Each record of ``data`` with its format problems; 400 when there is no list of
    records at all."""
    records = listify(params.get("data"))
    if is_blank(records) or not isinstance(records, list):
        raise errors.bad_request("Missing required key: data (a list of sales data records)")
    loaded = []
    for record in records:
        if isinstance(record, dict):
            loaded.append(_load(_claim, record))
        else:
            loaded.append(({}, ["each data record must be an object"]))
    return loaded


# -- documentation-only shapes (the generated OpenAPI document) ---------------------------------

class ErrorSchema(Schema):
    """Every MyRewards error body; ``index_of_failed_data`` only on a failed sales-data batch."""
    errors = fields.List(fields.String(), required=True)
    index_of_failed_data = fields.Integer()


class TransactionBody(Schema):
    transaction = fields.Nested(TransactionSchema, required=True)


class SalesDataBody(Schema):
    promotion_id = fields.Integer()
    data = fields.List(fields.Nested(ClaimSchema), required=True)


class TransactionIdOut(Schema):
    id = fields.Integer()


# -- responses -----------------------------------------------------------------------------------

def vendor_time(stored: str | None, offset_minutes: int = 0) -> str | None:
    """``2016-03-18T02:20:02.000+00:00``: ISO-8601 with milliseconds, in the offset the
    time was given in (minutes east of UTC; the sandbox clock's own times are UTC)."""
    if not offset_minutes or stored is None:
        return to_offset_text(stored, millis=True)
    return from_db(stored).astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat(timespec="milliseconds")


def _text_flag(value) -> str:
    return "true" if value else "false"


class TransactionOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    description = fields.String(attribute="reason")
    value = fields.Integer()
    balance = fields.Integer()
    transaction_type = fields.Function(lambda row: row["variety"].lower())
    remote_transaction_id = fields.String(allow_none=True)
    created_at = fields.Function(lambda row: vendor_time(row["created_at"], row["created_offset"]))


class RegistrationQuestionOut(Schema):
    """Booleans as the strings "true"/"false", as the reference shows."""
    id = fields.Integer()
    label = fields.String()
    mandatory = fields.Function(lambda row: _text_flag(row["mandatory"]))
    field_type = fields.String()
    options = fields.String()
    field_name = fields.String()
    free_text = fields.Function(lambda row: _text_flag(row["free_text"]))


class UserGroupOut(Schema):
    """Every value a string (or null), as the reference shows."""
    id = fields.Function(lambda row: str(row["id"]))
    name = fields.String()
    parent_id = fields.Function(lambda row: None if row["parent_id"] is None else str(row["parent_id"]))
    default = fields.Function(lambda row: _text_flag(row["is_default"]))
    position = fields.Function(lambda row: str(row["position"]))


class DataFieldOut(Schema):
    """Real JSON booleans here, as the reference shows; ``label`` only where one is set."""
    id = fields.Integer()
    name = fields.String()
    label = fields.String(allow_none=True)
    mandatory = fields.Function(lambda row: bool(row["mandatory"]))
    field_type = fields.String()
    answers = fields.String(allow_none=True)
    created_at = fields.Function(lambda row: vendor_time(row["created_at"], row["created_offset"]))
    updated_at = fields.Function(lambda row: vendor_time(row["updated_at"], row["updated_offset"]))
    position = fields.Integer()
    selector = fields.String(allow_none=True)

    @post_dump
    def drop_missing_label(self, data, **kwargs):
        if data.get("label") is None:
            data.pop("label", None)
        return data


class PromotionDataFieldOut(DataFieldOut):
    class Meta:
        fields = ("id", "promotion_id", "name", "label", "mandatory", "field_type", "answers",
                  "created_at", "updated_at", "position", "selector")

    promotion_id = fields.Integer()


class PromotionOut(Schema):
    id = fields.Integer()
    name = fields.String()
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    close_date = fields.String(allow_none=True)
    status = fields.String()
    promotion_type = fields.String()


# -- response builders: each the vendor's JSON object for a stored row, in the field order of
#    the ...Out schema above that documents it. perf: by hand, ~10x cheaper than the schema's
#    dump (marshmallow walks every field through its Field object; see bench/README.md).

def transaction_json(row: dict) -> dict:
    return {"id": row["id"], "user_id": row["user_id"], "description": row["reason"], "value": row["value"],
            "balance": row["balance"], "transaction_type": row["variety"].lower(),
            "remote_transaction_id": row["remote_transaction_id"], "created_at": vendor_time(row["created_at"], row["created_offset"])}


def registration_question_json(row: dict) -> dict:
    return {"id": row["id"], "label": row["label"], "mandatory": _text_flag(row["mandatory"]),
            "field_type": row["field_type"], "options": row["options"], "field_name": row["field_name"],
            "free_text": _text_flag(row["free_text"])}


def user_group_json(row: dict) -> dict:
    return {"id": str(row["id"]), "name": row["name"],
            "parent_id": None if row["parent_id"] is None else str(row["parent_id"]),
            "default": _text_flag(row["is_default"]), "position": str(row["position"])}


def data_field_json(row: dict, *, with_promotion: bool = False) -> dict:
    """A data field (``label`` only where one is set); ``with_promotion``: a promotion's
    data field, with the ``promotion_id`` it was listed for."""
    body = {"id": row["id"]}
    if with_promotion:
        body["promotion_id"] = row["promotion_id"]
    body["name"] = row["name"]
    if row["label"] is not None:
        body["label"] = row["label"]
    body.update({"mandatory": bool(row["mandatory"]), "field_type": row["field_type"], "answers": row["answers"],
                 "created_at": vendor_time(row["created_at"], row["created_offset"]),
                 "updated_at": vendor_time(row["updated_at"], row["updated_offset"]),
                 "position": row["position"], "selector": row["selector"]})
    return body


def promotion_json(row: dict) -> dict:
    return {"id": row["id"], "name": row["name"], "start_date": row["start_date"], "end_date": row["end_date"],
            "close_date": row["close_date"], "status": row["status"], "promotion_type": row["promotion_type"]}


UserOut = Schema.from_dict({"id": fields.Integer(), **{name: fields.Raw() for name in USER_FIELDS},
                            ANSWERS: fields.List(fields.Raw())}, name="UserOut")


def user_json(user: dict) -> dict:
    """The user as the reference shows it: ``id``, then every field as last sent."""
    profile = user["profile"]
    return {"id": user["id"], **{name: profile.get(name) for name in USER_FIELDS},
            ANSWERS: profile.get(ANSWERS, [])}
