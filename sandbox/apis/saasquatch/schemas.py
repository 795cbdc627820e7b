"""SaaSquatch wire format: request schemas, the Reward object, epoch-millisecond dates.

Request schemas ignore fields they do not know (the real API may accept more than the
sandbox models); every field they do know is checked strictly: integers must be JSON
integers (not strings, floats or booleans), strings must be strings.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from marshmallow import (EXCLUDE, Schema, ValidationError, fields, pre_load, validate,
                         validates_schema)

from sandbox.core.fields import JsonBoolean, JsonInteger, absolute_url  # noqa: F401  (scenario.py's too)
from sandbox.core.scenarios import InstantField
from sandbox.core.timeutil import UTC, from_db

REWARD_TYPES = ("CREDIT", "PCT_DISCOUNT", "FUELTANK")
REWARD_SOURCES = ("FRIEND_SIGNUP", "REFERRED", "MANUAL")
FUELTANK_TYPES = ("PCT_DISCOUNT", "CREDIT")
# Credit amounts stay within what JavaScript clients read exactly (2**53 - 1).
MAX_CREDIT = 2 ** 53 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_EPOCH_MS = 253402300799999  # 9999-12-31T23:59:59.999Z


def _epoch_ms_instant(value) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_EPOCH_MS:
        raise ValidationError("Expected a timestamp in epoch milliseconds.")
    return _EPOCH + timedelta(milliseconds=value)


class EpochMillis(fields.Field):
    """A timestamp in epoch milliseconds (the vendor's date format) as an aware datetime."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _epoch_ms_instant(value)


class ScenarioInstant(InstantField):
    """An ISO-8601 instant or epoch milliseconds; integer milliseconds are converted
    exactly (core's InstantField divides by 1000 as a float, which drifts for far dates)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return _epoch_ms_instant(value)
        return super()._deserialize(value, attr, data, **kwargs)


def epoch_ms(db_text: str | None) -> int | None:
    """A stored instant as exact epoch milliseconds (no float rounding)."""
    if db_text is None:
        return None
    return (from_db(db_text) - _EPOCH) // timedelta(milliseconds=1)


def _text(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=1000), **kwargs)


def _credit(**kwargs):
    return JsonInteger(validate=validate.Range(min=1, max=MAX_CREDIT), **kwargs)


# The reward types each type-specific field works with, and what each type needs.
_FIELD_TYPES = {
    "unit": {"CREDIT", "PCT_DISCOUNT", "FUELTANK"},
    "assignedCredit": {"CREDIT"}, "currency": {"CREDIT"},
    "redeemedCredit": {"CREDIT"}, "redemptions": {"CREDIT"},
    "discountPercent": {"PCT_DISCOUNT"},
    "fuelTankCode": {"FUELTANK"}, "amount": {"FUELTANK"}, "fueltankType": {"FUELTANK"},
}
_REQUIRED_FIELDS = {"CREDIT": ("unit", "assignedCredit"), "PCT_DISCOUNT": ("discountPercent",),
                    "FUELTANK": ("fuelTankCode",)}


def reward_type_problems(data: dict) -> dict:
    """Fields a reward of ``data["type"]`` lacks, or has but belong to another type
    (a null counts as absent, so the vendor's objects with explicit nulls pass)."""
    kind = data["type"]
    problems = {name: [f"Required for {kind} rewards."]
                for name in _REQUIRED_FIELDS[kind] if data.get(name) is None}
    for name, types in _FIELD_TYPES.items():
        if data.get(name) is not None and kind not in types:
            problems[name] = [f"Works only with {' and '.join(sorted(types))} rewards, not {kind}."]
    if kind == "PCT_DISCOUNT" and data.get("unit") not in (None, "%"):
        problems["unit"] = ['PCT_DISCOUNT rewards have unit "%".']
    return problems


class RewardFieldsSchema(Schema):
    """The fields a reward is created from, shared by the API and scenario files."""

    type = fields.String(required=True, validate=validate.OneOf(REWARD_TYPES))
    cancellable = JsonBoolean(load_default=True)
    unit = _text(allow_none=True)
    name = _text(allow_none=True)
    currency = _text(allow_none=True)
    assignedCredit = _credit(allow_none=True)
    discountPercent = JsonInteger(allow_none=True, validate=validate.Range(min=1, max=100))
    amount = JsonInteger(allow_none=True, validate=validate.Range(min=0, max=MAX_CREDIT))
    fuelTankCode = _text(allow_none=True)
    fueltankType = fields.String(allow_none=True, validate=validate.OneOf(FUELTANK_TYPES))

    @validates_schema(skip_on_field_errors=True)
    def _fields_match_type(self, data, **kwargs):
        problems = reward_type_problems(data)
        if problems:
            raise ValidationError(problems)


class NewRewardSchema(RewardFieldsSchema):
    """Body of POST /rewards/account/{accountId}/user/{userId} (the vendor's NewReward)."""

    class Meta:
        unknown = EXCLUDE

    dateExpires = EpochMillis(allow_none=True)
    dateScheduledFor = EpochMillis(allow_none=True)

    @pre_load
    def _one_spelling(self, data, **kwargs):
        """NewReward spells it fuelTankType, the Reward object fueltankType: take both."""
        if isinstance(data, dict) and "fuelTankType" in data:
            data = dict(data)
            spelled = data.pop("fuelTankType")
            if data.get("fueltankType") is None:
                data["fueltankType"] = spelled
        return data


class AccountQuerySchema(Schema):
    """Query of GET /reward/balance and GET /reward."""

    class Meta:
        unknown = EXCLUDE

    accountId = _text(required=True)
    userId = _text(load_default=None)
    rewardTypeFilter = fields.String(load_default=None, validate=validate.OneOf(REWARD_TYPES))


class BulkRedeemSchema(Schema):
    """Body of POST /credit/bulkredeem (the vendor's RewardBalanceDebitRequest)."""

    class Meta:
        unknown = EXCLUDE

    accountId = _text(required=True)
    unit = _text(required=True)
    amount = _credit(required=True)


class RedeemSchema(Schema):
    """Body of POST /credit/{id}/redeem (the vendor's RewardDebitRequest)."""

    class Meta:
        unknown = EXCLUDE

    unit = _text(required=True)
    amount = _credit(required=True)


new_reward_schema = NewRewardSchema()
account_query_schema = AccountQuerySchema()
bulk_redeem_schema = BulkRedeemSchema()
redeem_schema = RedeemSchema()


# -- from the wire to the service's terms, and back ---------------------------------------

_NEW_REWARD_FIELDS = {"type": "type", "unit": "unit", "name": "name", "currency": "currency",
                      "cancellable": "cancellable", "dateExpires": "date_expires", "dateCancelled": "date_cancelled",
                      "dateScheduledFor": "date_scheduled_for", "assignedCredit": "assigned_credit",
                      "discountPercent": "discount_percent", "amount": "amount", "fuelTankCode": "fuel_tank_code",
                      "fueltankType": "fueltank_type"}


def new_reward(data: dict) -> dict:
    """A validated NewReward (or a scenario's reward) in the service's terms."""
    return {column: data.get(name, True if name == "cancellable" else None)
            for name, column in _NEW_REWARD_FIELDS.items()}


def balance_json(balance: dict) -> dict:
    """A reward balance as the vendor's RewardBalance (its totals camelCased, in order)."""
    return {_BALANCE_NAMES[key]: value for key, value in balance.items()}


_BALANCE_NAMES = {name: "".join([name.split("_")[0]] + [w.capitalize() for w in name.split("_")[1:]])
                  for name in ("type", "unit", "count", "total_pending_credit", "total_assigned_credit",
                               "total_redeemed_credit", "total_expired_credit", "total_cancelled_credit",
                               "total_discount_percent", "referred_discount_percent",
                               "referrer_discount_percent", "total_fuel_tank_codes")}


def debit_json(result: dict) -> dict:
    """The vendor's debit result: ``{creditRedeemed, creditAvailable, unit}``."""
    return {"creditRedeemed": result["credit_redeemed"], "creditAvailable": result["credit_available"],
            "unit": result["unit"]}


def reward_json(reward: dict) -> dict:
    """A stored reward (with its ``redemptions``) as the vendor's Reward object: epoch-ms
    dates, and explicit nulls for the fields of other reward types."""
    is_credit = reward["type"] == "CREDIT"
    is_fueltank = reward["type"] == "FUELTANK"
    redemptions = [{"id": r["id"], "dateRedeemed": epoch_ms(r["date_redeemed"]),
                    "quantityRedeemed": r["quantity_redeemed"]} for r in reward["redemptions"]]
    return {
        "id": reward["id"],
        "type": reward["type"],
        "dateGiven": epoch_ms(reward["date_given"]),
        "dateExpires": epoch_ms(reward["date_expires"]),
        "dateCancelled": epoch_ms(reward["date_cancelled"]),
        "dateScheduledFor": epoch_ms(reward["date_scheduled_for"]),
        "accountId": reward["account_id"],
        "userId": reward["user_id"],
        "cancellable": bool(reward["cancellable"]),
        "rewardSource": reward["reward_source"],
        "unit": reward["unit"],
        "name": reward["name"],
        "discountPercent": reward["discount_percent"],
        "assignedCredit": reward["assigned_credit"] if is_credit else None,
        "redeemedCredit": sum(r["quantityRedeemed"] for r in redemptions) if is_credit else None,
        "redemptions": redemptions if is_credit else None,
        "currency": reward["currency"] if is_credit else None,
        "amount": reward["amount"] if is_fueltank else None,
        "fuelTankCode": reward["fuel_tank_code"],
        "fueltankType": reward["fueltank_type"],
    }


# -- response shapes, for the generated OpenAPI document (the wire format is built by
#    the *_json builders above; a test keeps the field names equal) ---------------------

class ErrorSchema(Schema):
    message = fields.String(required=True)
    statusCode = fields.Integer(required=True)
    apiErrorCode = fields.String(required=True)
    rsCode = fields.String(metadata={"description": "SaaSquatch issue code (RS0NN), where one applies"})


class RedemptionSchema(Schema):
    id = fields.String()
    dateRedeemed = fields.Integer(metadata={"description": "epoch milliseconds"})
    quantityRedeemed = fields.Integer()


class RewardSchema(Schema):
    id = fields.String()
    type = fields.String(validate=validate.OneOf(REWARD_TYPES))
    dateGiven = fields.Integer(metadata={"description": "epoch milliseconds"})
    dateExpires = fields.Integer(allow_none=True)
    dateCancelled = fields.Integer(allow_none=True)
    dateScheduledFor = fields.Integer(allow_none=True)
    accountId = fields.String()
    userId = fields.String()
    cancellable = fields.Boolean()
    rewardSource = fields.String(validate=validate.OneOf(REWARD_SOURCES))
    unit = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    discountPercent = fields.Integer(allow_none=True)
    assignedCredit = fields.Integer(allow_none=True)
    redeemedCredit = fields.Integer(allow_none=True)
    redemptions = fields.List(fields.Nested(RedemptionSchema), allow_none=True)
    currency = fields.String(allow_none=True)
    amount = fields.Integer(allow_none=True)
    fuelTankCode = fields.String(allow_none=True)
    fueltankType = fields.String(allow_none=True)


class RewardBalanceSchema(Schema):
    type = fields.String(validate=validate.OneOf(REWARD_TYPES))
    unit = fields.String(metadata={"description": '"%" for PCT_DISCOUNT; absent for FUELTANK'})
    count = fields.Integer()
    totalPendingCredit = fields.Integer()
    totalAssignedCredit = fields.Integer()
    totalRedeemedCredit = fields.Integer()
    totalExpiredCredit = fields.Integer()
    totalCancelledCredit = fields.Integer()
    totalDiscountPercent = fields.Integer()
    referredDiscountPercent = fields.Integer()
    referrerDiscountPercent = fields.Integer()
    totalFuelTankCodes = fields.Integer()


class DebitResultSchema(Schema):
    creditRedeemed = fields.Integer()
    creditAvailable = fields.Integer()
    unit = fields.String()


# -- webhook subscriptions (vendor definition WebhookEndpoint) -----------------------------

class WebhookEndpointSchema(Schema):
    """An endpoint to receive events."""

    class Meta:
        unknown = EXCLUDE

    endpointUrl = fields.String(required=True, validate=[validate.Length(min=1, max=2000), absolute_url],
                                metadata={"description": "The url of the endpoint that receives events"})
    name = fields.String(allow_none=True, validate=validate.Length(max=200),
                         metadata={"description": "Optional name of the endpoint that receives events"})


webhook_endpoint_schema = WebhookEndpointSchema()


def webhook_endpoint_json(row: dict) -> dict:
    return {"endpointUrl": row["url"], "name": row["name"]}
