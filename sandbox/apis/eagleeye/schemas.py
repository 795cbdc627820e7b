"""Eagle Eye AIR wire format: request schemas (marshmallow) and response renderers.

AIR objects carry ids as numeric strings, instants as ``2025-01-29T20:27:27+00:00`` and
empty maps as ``[]`` (AIR sandbox responses in Eagle Eye's own fixtures); the renderers
below keep those habits.
Requests ignore fields they do not know (the vendor objects have many more), but a
known field of the wrong type is a 400.
"""
from __future__ import annotations

from datetime import timedelta

from marshmallow import (EXCLUDE, Schema, ValidationError, fields, post_load, validate,
                         validates_schema)

from sandbox.core.fields import JsonInteger
from sandbox.core.scenarios import InstantField
from sandbox.core.timeutil import parse_instant, to_db, to_offset_text

from . import errors
from .service.ledger import COUPON_BALANCES

MAX_POINTS = 2_147_483_647            # AIR documents int32 for limits; points stay in range
OPEN_END = "2038-01-19T03:14:07+00:00"  # AIR's "no end" account date
ENUM_LIKE = validate.Regexp(r"^[A-Z][A-Z0-9_]{0,49}$", error="Expected an upper-case code such as ACTIVE.")


# -- fields ----------------------------------------------------------------------------

class IdField(fields.Field):
    """An AIR id: a string, or a non-negative integer (some clients send numbers)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18:
            return str(value)
        if isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable() and value.strip() == value:
            return value
        raise ValidationError("Expected an id: a non-empty string (at most 64 characters) or a number.")


class Scalar(fields.Field):
    """A key/value map value: a short string, a number, a boolean or null."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > 255:
            raise ValidationError("Values are limited to 255 characters.")
        if isinstance(value, float) and value != value:
            raise ValidationError("Expected a number, not NaN.")
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise ValidationError("Expected a string, number, boolean or null.")


def _text(max_length: int = 255, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def _details(**kwargs) -> fields.Dict:
    """``transactionDetails`` / ``properties``: keys and values under 255 characters."""
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=255)), values=Scalar(),
                       allow_none=True, **kwargs)


def _meta() -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=255)), allow_none=True)


class LenientSchema(Schema):
    class Meta:
        unknown = EXCLUDE


# -- requests ----------------------------------------------------------------------------

class LocationSchema(LenientSchema):
    incomingIdentifier = IdField(allow_none=True)
    parentIncomingIdentifier = IdField(allow_none=True)
    storeId = IdField(allow_none=True)
    storeParentId = IdField(allow_none=True)


class WalletTransactionOptions(LenientSchema):
    reference = _text(allow_none=True)
    meta = _meta()


class AccountTransactionOptions(LenientSchema):
    transactionDetails = _details()
    properties = _details()


class CreateAccountOptions(AccountTransactionOptions):
    status = fields.String(validate=ENUM_LIKE)
    state = fields.String(validate=ENUM_LIKE)
    meta = _meta()


class ExchangeSchema(LenientSchema):
    """The Exchange body. The Exchange reference renders no field names, so both the short names
    and AIR's own object names are accepted for the bank and the reward (the Eagle Eye
    README, "Deviations and guesses")."""

    accountId = IdField(required=True)
    rewardBankId = IdField()
    pointsRewardBankId = IdField()
    rewardId = IdField()
    pointsRewardBankRewardId = IdField()
    walletTransaction = fields.Nested(WalletTransactionOptions, allow_none=True)
    exchangeAccountTransaction = fields.Nested(AccountTransactionOptions, allow_none=True)
    createAccountTransaction = fields.Nested(CreateAccountOptions, allow_none=True)
    location = fields.Nested(LocationSchema, allow_none=True)

    @validates_schema
    def one_name_each(self, data, **kwargs):
        for short, long in (("rewardBankId", "pointsRewardBankId"), ("rewardId", "pointsRewardBankRewardId")):
            if short not in data and long not in data:
                raise ValidationError("Missing data for required field.", long)
            if short in data and long in data and data[short] != data[long]:
                raise ValidationError(f"{short} and {long} disagree.", long)

    @post_load
    def normalise(self, data, **kwargs):
        return {
            "account_id": data["accountId"],
            "bank_id": data.get("pointsRewardBankId", data.get("rewardBankId")),
            "reward_id": data.get("pointsRewardBankRewardId", data.get("rewardId")),
            "wallet_transaction": data.get("walletTransaction") or {},
            "exchange_account_transaction": data.get("exchangeAccountTransaction") or {},
            "create_account_transaction": data.get("createAccountTransaction") or {},
            "location": data.get("location"),
        }


class IdentitySchema(LenientSchema):
    type = fields.String(load_default="CUSTOMER_ID", validate=ENUM_LIKE)
    value = fields.String(required=True, validate=validate.Length(min=1, max=255))
    friendlyName = _text(allow_none=True, load_default=None)
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    state = fields.String(load_default="DEFAULT", validate=ENUM_LIKE)


class CreateWalletSchema(LenientSchema):
    friendlyName = _text(allow_none=True, load_default=None)
    status = fields.String(load_default="ACTIVE", validate=validate.OneOf(["ACTIVE", "INACTIVE", "SUSPENDED"]))
    type = fields.String(load_default="CONSUMER", validate=ENUM_LIKE)
    state = fields.String(load_default="DEFAULT", validate=ENUM_LIKE)
    meta = _meta()
    identities = fields.List(fields.Nested(IdentitySchema), load_default=list,
                             validate=validate.Length(max=50))


class OpenAccountSchema(LenientSchema):
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    state = fields.String(load_default="EARNBURN", validate=ENUM_LIKE)
    meta = _meta()


class PointsMovementSchema(AccountTransactionOptions):
    """Credit or debit: ``value`` points (a positive integer)."""

    value = JsonInteger(required=True, validate=validate.Range(min=1, max=MAX_POINTS))


class WalletMovementSchema(PointsMovementSchema):
    """``POST /services/wallet/{w}/transaction/credit|debit``: the account-level fields plus
    the POINTS account to move and the wallet transaction's options."""

    accountId = IdField(required=True)
    walletTransaction = fields.Nested(WalletTransactionOptions, allow_none=True)
    location = fields.Nested(LocationSchema, allow_none=True)


class CampaignAccountSchema(LenientSchema):
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    state = fields.String(load_default="LOADED", validate=ENUM_LIKE)
    meta = _meta()


class BankRewardSchema(LenientSchema):
    """A reward of a bank being created: a CAMPAIGN for ``cost`` points; ``threshold``
    defaults to the cost (as the recipes' example shows them equal)."""
    resourceType = fields.String(load_default="CAMPAIGN", validate=validate.OneOf(["CAMPAIGN"]))
    resourceId = IdField(required=True)
    cost = JsonInteger(required=True, validate=validate.Range(min=0, max=MAX_POINTS))
    threshold = JsonInteger(allow_none=True, validate=validate.Range(min=0, max=MAX_POINTS))
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)


class BankAmendSchema(LenientSchema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    reference = _text(allow_none=True)
    mode = fields.String(validate=validate.OneOf(["PUBLIC", "PERSONAL", "PRIVATE"]))
    status = fields.String(validate=ENUM_LIKE)
    exchangeLimit = JsonInteger(allow_none=True, validate=validate.Range(min=0, max=MAX_POINTS))

    @post_load
    def private_is_personal(self, data, **kwargs):
        if data.get("mode") == "PRIVATE":
            data["mode"] = "PERSONAL"
        return data


class BankCreateSchema(BankAmendSchema):
    """``POST /banks/pointsreward``: name, mode and status are required (the reference page)."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    reference = _text(allow_none=True, load_default=None)
    mode = fields.String(required=True, validate=validate.OneOf(["PUBLIC", "PERSONAL", "PRIVATE"]))
    status = fields.String(required=True, validate=ENUM_LIKE)
    exchangeLimit = JsonInteger(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MAX_POINTS))
    rewards = fields.List(fields.Nested(BankRewardSchema), load_default=list, validate=validate.Length(max=100))


class LinkAmendSchema(LenientSchema):
    status = fields.String(validate=ENUM_LIKE)
    type = fields.String(validate=ENUM_LIKE)
    state = fields.String(validate=ENUM_LIKE)
    validFrom = InstantField(allow_none=True)
    validTo = InstantField(allow_none=True)
    pointsRewardBankRewardId = IdField(allow_none=True)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("validFrom") and data.get("validTo") and data["validFrom"] > data["validTo"]:
            raise ValidationError("validTo is before validFrom.", "validTo")


class LinkCreateSchema(LinkAmendSchema):
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    type = fields.String(load_default="CAMPAIGN", validate=ENUM_LIKE)
    state = fields.String(load_default="LOADED", validate=ENUM_LIKE)
    validFrom = InstantField(allow_none=True, load_default=None)
    validTo = InstantField(allow_none=True, load_default=None)
    pointsRewardBankRewardId = IdField(allow_none=True, load_default=None)


def _list_query(name: str, default_limit: int, **filters) -> Schema:
    spec = {"limit": fields.Integer(load_default=default_limit, validate=validate.Range(min=1, max=1000)),
            "offset": fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))}
    spec.update({name: fields.String(validate=validate.Length(max=255)) for name in filters})
    return Schema.from_dict(spec, name=name)(unknown=EXCLUDE)   # other AIR filters are ignored


# query parameter -> column, per list endpoint
ACCOUNT_FILTERS = {"type": "type", "status": "status", "state": "state", "clientType": "client_type"}
WALLET_TRANSACTION_FILTERS = {"type": "type", "status": "status", "state": "state", "reference": "reference",
                              "walletTransactionId": "wallet_transaction_id"}
# instants filtered by the day (YYYY-MM-DD) or the exact instant, and what orderBy may name
WALLET_TRANSACTION_TIMES = {"transactionDateTime": "transaction_date_time", "dateCreated": "date_created",
                            "lastUpdated": "last_updated"}
WALLET_TRANSACTION_ORDER = {"walletTransactionId": "rowid", **WALLET_TRANSACTION_TIMES}
ACCOUNT_TRANSACTION_FILTERS = {"event": "event", "status": "status"}
LINK_FILTERS = {"status": "status", "state": "state"}
REWARD_FILTERS = {"status": "status"}

accounts_query = _list_query("AccountsQuery", 20, **ACCOUNT_FILTERS)
wallet_transactions_query = _list_query("WalletTransactionsQuery", 20, **WALLET_TRANSACTION_FILTERS,
                                        **WALLET_TRANSACTION_TIMES, orderBy=None, includeChildren=None)
account_transactions_query = _list_query("AccountTransactionsQuery", 20, **ACCOUNT_TRANSACTION_FILTERS)
links_query = _list_query("LinksQuery", 20, **LINK_FILTERS)
rewards_query = _list_query("RewardsQuery", 100, **REWARD_FILTERS)

exchange_schema = ExchangeSchema()
create_wallet_schema = CreateWalletSchema()
open_account_schema = OpenAccountSchema()
points_movement_schema = PointsMovementSchema()
link_create_schema = LinkCreateSchema()
wallet_movement_schema = WalletMovementSchema()
campaign_account_schema = CampaignAccountSchema()
bank_create_schema = BankCreateSchema()
bank_amend_schema = BankAmendSchema()
link_amend_schema = LinkAmendSchema()


class ErrorSchema(Schema):
    """Every AIR error body (for the generated OpenAPI document)."""
    errorCode = fields.String(required=True)
    errorMessage = fields.String(required=True)


class IdentityValueQuery(LenientSchema):
    identity_value = fields.String(required=True, data_key="identity-value", validate=validate.Length(min=1))


identity_value_query = IdentityValueQuery()


class ReferenceQuery(LenientSchema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=255))


reference_query = ReferenceQuery()


def wallet_transaction_listing(args: dict) -> dict:
    """The wallet-transaction list's query beyond the equality filters: ``ranges``
    (``transactionDateTime``, ``dateCreated``, ``lastUpdated``: a day ``YYYY-MM-DD`` or an
    exact instant), ``order`` (``orderBy=name`` or ``name,ASC|DESC``; the envelope's
    ``order_by``/``direction``) and ``children`` (``includeChildren``). 400 when unreadable."""
    ranges = {}
    for name, column in WALLET_TRANSACTION_TIMES.items():
        if name in args:
            ranges[column] = _time_range(name, args[name])
    name, _, direction = (args.get("orderBy") or "walletTransactionId").partition(",")
    direction = (direction or "ASC").strip().upper()
    if name.strip() not in WALLET_TRANSACTION_ORDER or direction not in ("ASC", "DESC"):
        raise errors.bad_request(f"orderBy must be one of {', '.join(WALLET_TRANSACTION_ORDER)}, "
                                 "optionally followed by ,ASC or ,DESC")
    children = (args.get("includeChildren") or "false").strip().lower()
    if children not in ("true", "false", "1", "0"):
        raise errors.bad_request("includeChildren must be true or false")
    return {"ranges": ranges, "order": (WALLET_TRANSACTION_ORDER[name.strip()], direction == "DESC"),
            "order_by": name.strip(), "direction": direction, "children": children in ("true", "1")}


def _time_range(name: str, text: str) -> tuple[str, str]:
    try:
        if len(text) == 10:
            day = parse_instant(text)
            return to_db(day), to_db(day + timedelta(days=1) - timedelta(microseconds=1))
        instant = parse_instant(text)
        return to_db(instant), to_db(instant)
    except (ValueError, OverflowError):
        raise errors.bad_request(f"{name} must be a date (YYYY-MM-DD) or an ISO-8601 instant") from None


# -- responses ---------------------------------------------------------------------------

def air_time(db_text: str | None) -> str | None:
    """A stored instant as AIR writes it: seconds and a ``+00:00`` offset."""
    return to_offset_text(db_text)


def _map(value):
    """AIR serialises an empty or missing map as ``[]``."""
    return value if value else []


def envelope(total: int, order_by: str, limit: int, offset: int, results: list, order: str = "ASC") -> dict:
    return {"total": total, "orderBy": [{"name": order_by, "order": order}], "limit": limit,
            "offset": offset, "results": results}


def wallet_json(row: dict) -> dict:
    return {"walletId": row["wallet_id"], "friendlyName": row["friendly_name"], "status": row["status"],
            "type": row["type"], "state": row["state"], "meta": _map(row["meta"]),
            "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"]),
            "relationships": {"parent": [], "child": [], "associate": [], "donor": []}}


def identity_json(row: dict) -> dict:
    return {"identityId": row["identity_id"], "walletId": row["wallet_id"], "type": row["type"],
            "friendlyName": row["friendly_name"], "value": row["value"], "safeValue": None,
            "secret": None, "dates": {"start": air_time(row["date_created"]), "end": None},
            "meta": [], "state": row["state"], "status": row["status"],
            "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"]),
            "mobileWallet": None}


def points_balances(row: dict) -> dict:
    """POINTS balances. The sandbox has no pending or locked points, so usable = current."""
    return {"current": row["current"], "usable": row["current"], "locked": 0, "lifetime": row["lifetime"],
            "lifetimeSpend": 0, "lifetimeSpendValue": 0, "pending": 0}



def account_json(row: dict) -> dict:
    balances = points_balances(row) if row["type"] == "POINTS" else dict(COUPON_BALANCES)
    return {"accountId": row["account_id"], "walletId": row["wallet_id"], "campaignId": row["campaign_id"],
            "type": row["type"], "clientType": row["client_type"], "status": row["status"],
            "state": row["state"],
            "dates": {"start": air_time(row["date_start"]), "end": air_time(row["date_end"]) or OPEN_END},
            "meta": _map(row["meta"]), "dateCreated": air_time(row["date_created"]),
            "lastUpdated": air_time(row["last_updated"]), "overrides": [], "balances": balances,
            "relationships": [], "mobileWallet": None}


def account_transaction_json(row: dict, account: dict | None = None) -> dict:
    """An account transaction; write responses embed the account as it was right after it."""
    body = {"accountTransactionId": row["account_transaction_id"],
            "parentAccountTransactionId": row["parent_account_transaction_id"],
            "accountId": row["account_id"]}
    if account is not None:
        body["account"] = account_json(account)
    body.update({"event": row["event"], "value": row["value"], "source": 1, "status": row["status"],
                 "balancesBefore": row["balances_before"], "balancesAfter": row["balances_after"],
                 "transactionDetails": _map(row["transaction_details"]),
                 "properties": _map(row["properties"]),
                 "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"])})
    return body


def location_json(location: dict | None) -> dict:
    location = location or {}
    return {"storeId": location.get("storeId"), "storeParentId": location.get("storeParentId"),
            "incomingIdentifier": location.get("incomingIdentifier"),
            "parentIncomingIdentifier": location.get("parentIncomingIdentifier")}


def wallet_transaction_json(row: dict, accounts: list[dict]) -> dict:
    """``accounts`` is full account transactions (write responses) or
    ``{accountId, accountTransactionId}`` references (reads), as AIR does."""
    return {"walletTransactionId": row["wallet_transaction_id"], "parentWalletTransactionId": "0",
            "walletId": row["wallet_id"], "reference": row["reference"],
            "transactionDateTime": air_time(row["transaction_date_time"]),
            "transactionDateTimeOffset": "+00:00", "identityId": None, "identity": None,
            "type": row["type"], "status": row["status"], "meta": row["meta"] or None,
            "state": row["state"], "expiryDate": None, "accounts": accounts,
            "basket": {"contents": None, "summary": None, "payment": None}, "channel": None,
            "location": location_json(row["location"]),
            "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"])}


def link_json(row: dict) -> dict:
    return {"pointsRewardBankWalletLinkId": row["link_id"], "walletId": row["wallet_id"],
            "pointsRewardBankId": row["bank_id"], "pointsRewardBankRewardId": row["reward_id"],
            "type": row["type"], "status": row["status"], "state": row["state"],
            "validFrom": air_time(row["valid_from"]), "validTo": air_time(row["valid_to"]),
            "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"])}


def reward_json(row: dict) -> dict:
    return {"pointsRewardBankRewardId": row["reward_id"], "pointsRewardBankId": row["bank_id"],
            "resourceType": row["resource_type"], "resourceId": row["resource_id"],
            "threshold": row["threshold"], "cost": row["cost"], "status": row["status"],
            "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"]),
            "reasonCode": None}


def bank_json(row: dict, rewards: list[dict]) -> dict:
    return {"pointsRewardBankId": row["bank_id"], "name": row["name"], "reference": row["reference"],
            "mode": row["mode"], "status": row["status"], "exchangeLimit": row["exchange_limit"],
            "dateCreated": air_time(row["date_created"]), "lastUpdated": air_time(row["last_updated"]),
            "rewards": [reward_json(r) for r in rewards]}


# -- the response objects' shapes (what the renderers above return; the OpenAPI document is
#    made of these, and the test suite checks every answer against it) ----------------------

def _req(field_class=fields.String, **kwargs):
    return field_class(required=True, **kwargs)


def _maybe(field_class=fields.String, **kwargs):
    return field_class(required=True, allow_none=True, **kwargs)


def _free(description: str = "a key/value object; [] when empty, as AIR writes it"):
    return fields.Raw(required=True, allow_none=True, metadata={"description": description})


def _shape(schema_name: str, **spec) -> type[Schema]:
    return Schema.from_dict(spec, name=schema_name)


DatesOut = _shape("DatesOut", start=_maybe(), end=_maybe())
BalancesOut = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
WalletOut = _shape(
    "WalletOut", walletId=_req(), friendlyName=_maybe(), status=_maybe(), type=_maybe(), state=_maybe(),
    meta=_free(), dateCreated=_maybe(), lastUpdated=_maybe(),
    relationships=_req(fields.Dict, keys=fields.String(), values=fields.List(fields.Raw())))
IdentityOut = _shape(
    "IdentityOut", identityId=_req(), walletId=_req(), type=_maybe(), friendlyName=_maybe(), value=_maybe(),
    safeValue=_maybe(), secret=_maybe(), dates=_req(fields.Nested, nested=DatesOut), meta=_free(),
    state=_maybe(), status=_maybe(), dateCreated=_maybe(), lastUpdated=_maybe(), mobileWallet=_free("null"))


class CreatedWalletOut(WalletOut):
    identities = _req(fields.List, cls_or_instance=fields.Nested(IdentityOut))



AccountOut = _shape(
    "AccountOut", accountId=_req(), walletId=_req(), campaignId=_maybe(), type=_maybe(), clientType=_maybe(),
    status=_maybe(), state=_maybe(), dates=_req(fields.Nested, nested=DatesOut), meta=_free(),
    dateCreated=_maybe(), lastUpdated=_maybe(), overrides=_free("[]"), balances=BalancesOut,
    relationships=_free("[]"), mobileWallet=_free("null"))
AccountTransactionOut = _shape(
    "AccountTransactionOut", accountTransactionId=_req(), parentAccountTransactionId=_maybe(), accountId=_req(),
    account=fields.Nested(AccountOut, metadata={"description": "write answers: the account right after"}),
    event=_maybe(), value=_maybe(fields.Integer), source=_req(fields.Integer), status=_maybe(),
    balancesBefore=_maybe(fields.Dict, keys=fields.String(), values=fields.Integer()),
    balancesAfter=_maybe(fields.Dict, keys=fields.String(), values=fields.Integer()),
    transactionDetails=_free(), properties=_free(), dateCreated=_maybe(), lastUpdated=_maybe())
LocationOut = _shape("LocationOut", storeId=_maybe(), storeParentId=_maybe(), incomingIdentifier=_maybe(),
                     parentIncomingIdentifier=_maybe())
WalletTransactionOut = _shape(
    "WalletTransactionOut", walletTransactionId=_req(), parentWalletTransactionId=_maybe(), walletId=_req(),
    reference=_maybe(), transactionDateTime=_maybe(), transactionDateTimeOffset=_maybe(), identityId=_maybe(),
    identity=_free("null"), type=_maybe(), status=_maybe(), meta=_free(), state=_maybe(), expiryDate=_maybe(),
    accounts=_req(fields.List, cls_or_instance=fields.Dict(), metadata={
        "description": "write answers: the account transactions; reads: {accountId, accountTransactionId}"}),
    basket=_free("{contents, summary, payment}"), channel=_maybe(),
    location=_req(fields.Nested, nested=LocationOut), dateCreated=_maybe(), lastUpdated=_maybe())
ExchangeRollbackOut = _shape(
    "ExchangeRollbackOut", walletTransaction=_req(fields.Nested, nested=WalletTransactionOut),
    accountTransactions=_req(fields.List, cls_or_instance=fields.Nested(AccountTransactionOut)),
    errors=_req(fields.List, cls_or_instance=fields.Raw()))
LinkOut = _shape(
    "LinkOut", pointsRewardBankWalletLinkId=_req(), walletId=_req(), pointsRewardBankId=_req(),
    pointsRewardBankRewardId=_maybe(), type=_maybe(), status=_maybe(), state=_maybe(), validFrom=_maybe(),
    validTo=_maybe(), dateCreated=_maybe(), lastUpdated=_maybe())
RewardOut = _shape(
    "RewardOut", pointsRewardBankRewardId=_req(), pointsRewardBankId=_req(), resourceType=_maybe(),
    resourceId=_maybe(), threshold=_maybe(fields.Integer), cost=_maybe(fields.Integer), status=_maybe(),
    dateCreated=_maybe(), lastUpdated=_maybe(), reasonCode=_maybe())
BankOut = _shape(
    "BankOut", pointsRewardBankId=_req(), name=_maybe(), reference=_maybe(), mode=_maybe(), status=_maybe(),
    exchangeLimit=_maybe(fields.Integer), dateCreated=_maybe(), lastUpdated=_maybe(),
    rewards=_req(fields.List, cls_or_instance=fields.Nested(RewardOut)))
OrderOut = _shape("OrderOut", name=_req(), order=_req())


def page_of(name: str, item) -> type[Schema]:
    """AIR's list envelope around ``item``."""
    return _shape(name, total=_req(fields.Integer), orderBy=_req(fields.List, cls_or_instance=fields.Nested(OrderOut)),
                  limit=_req(fields.Integer), offset=_req(fields.Integer),
                  results=_req(fields.List, cls_or_instance=fields.Nested(item)))


AccountsPage = page_of("AccountsPage", AccountOut)
AccountTransactionsPage = page_of("AccountTransactionsPage", AccountTransactionOut)
WalletTransactionsPage = page_of("WalletTransactionsPage", WalletTransactionOut)
RewardsPage = page_of("RewardsPage", RewardOut)
LinksPage = page_of("LinksPage", LinkOut)
