"""The `atrium:` section of a scenario file (field names fixed by
scenarios/README.md; the extra ones are listed in this package's README)."""
from __future__ import annotations

import json
from datetime import timedelta

from marshmallow import ValidationError, fields, validate, validates_schema

from sandbox.core import events, ids
from sandbox.core.fields import SparseRecord, absolute_url
from sandbox.core.scenario_files import problem
from sandbox.core.scenarios import InstantField, StrictSchema
from sandbox.core.timeutil import to_db

from . import schemas, store
from .service.catalogue import BUILT_IN_INSTITUTIONS, INSTITUTION_DEFAULTS
from .service.connection import credential_outcome
from .service.holdings import holding_rows
from .service.premium import result_rows
from .service.jobs import FEATURES
from .service.members import MEMBER_LIMIT

CONNECTION_STATUSES = (
    "CREATED", "PREVENTED", "DENIED", "CHALLENGED", "REJECTED", "LOCKED", "CONNECTED", "IMPEDED",
    "RECONNECTED", "DEGRADED", "DISCONNECTED", "DISCONTINUED", "CLOSED", "DELAYED", "FAILED",
    "UPDATED", "DISABLED", "IMPORTED", "RESUMED", "EXPIRED", "IMPAIRED", "PENDING")
JOB_OUTCOMES = ("CONNECTED", "CHALLENGED", "DENIED", "FAILED", "REJECTED", "EXPIRED")
_FLOAT = dict(allow_none=True, allow_nan=False)


def _guid(prefix: str):
    return fields.String(validate=validate.Regexp(rf"^{prefix}-[A-Za-z0-9_-]{{1,100}}$",
                                                  error=f"Expected a guid such as {prefix}-1234."))


def _vendor_fields(names, floats=(), ints=(), booleans=()) -> dict:
    """A field per vendor attribute, typed like MX's SDK model."""
    spec = {}
    for name in names:
        if name in floats:
            spec[name] = fields.Float(**_FLOAT)
        elif name in ints:
            spec[name] = fields.Integer(allow_none=True, strict=True)
        elif name in booleans:
            spec[name] = fields.Boolean(allow_none=True)
        else:
            spec[name] = fields.String(allow_none=True)
    return spec


_SET_BY_SANDBOX = ("guid", "member_guid", "user_guid", "institution_code", "account_guid")
ACCOUNT_ATTRIBUTES = {
    **_vendor_fields(
        [n for n in schemas.ACCOUNT_FIELDS + schemas.BETA_ACCOUNT_FIELDS if n not in _SET_BY_SANDBOX],
        floats=("apr", "apy", "available_balance", "available_credit", "balance", "cash_balance",
                "cash_surrender_value", "credit_limit", "death_benefit", "holdings_value", "interest_rate",
                "last_payment", "loan_amount", "minimum_balance", "minimum_payment", "original_balance",
                "payoff_balance", "pay_out_amount", "premium_amount", "total_account_value"),
        ints=("day_payment_is_due",), booleans=("is_closed",)),
    "guid": _guid("ACT"),
}
TRANSACTION_ATTRIBUTES = {
    **_vendor_fields(
        [n for n in schemas.TRANSACTION_FIELDS if n not in _SET_BY_SANDBOX + ("date",)],
        floats=("amount", "latitude", "longitude"), ints=("check_number", "merchant_category_code"),
        booleans=tuple(n for n in schemas.TRANSACTION_FIELDS if n.startswith("is_"))),
    "guid": _guid("TRN"),
    "account_guid": fields.String(allow_none=True),
    "date": fields.Date(allow_none=True),
    # sandbox setting: dated this many days before the scenario's clock (stays inside MX's
    # default 90-day window in a world on the real clock)
    "days_ago": fields.Integer(strict=True, validate=validate.Range(min=0, max=3650)),
}


_TEXT = dict(allow_none=True)
ACCOUNT_NUMBER_ATTRIBUTES = {"account_guid": fields.String(required=True),
                             **{n: fields.String(**_TEXT) for n in ("account_number", "institution_number",
                                                                     "routing_number", "transit_number")}}
ACCOUNT_OWNER_ATTRIBUTES = {"guid": _guid("ACO"), "account_guid": fields.String(required=True),
                            **{n: fields.String(**_TEXT) for n in ("address", "city", "country", "email",
                                                                    "owner_name", "postal_code", "state")}}
STATEMENT_ATTRIBUTES = {"guid": _guid("STA"), "account_guid": fields.String(required=True),
                        "content_hash": fields.String(**_TEXT), "uri": fields.String(**_TEXT),
                        "created_at": InstantField(allow_none=True), "updated_at": InstantField(allow_none=True)}
PREMIUM_LISTS = {"account_numbers": ACCOUNT_NUMBER_ATTRIBUTES, "account_owners": ACCOUNT_OWNER_ATTRIBUTES,
                 "statements": STATEMENT_ATTRIBUTES}


class RewardSchema(StrictSchema):
    guid = _guid("RWD")
    account_guid = fields.String(allow_none=True)
    balance = fields.Float(required=True, allow_nan=False)
    balance_type = fields.String(required=True, validate=validate.OneOf(store.BALANCE_TYPES))
    unit_type = fields.String(required=True, validate=validate.OneOf(store.UNIT_TYPES))
    description = fields.String(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    created_at = InstantField(allow_none=True)
    updated_at = InstantField(allow_none=True)


class JobSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(store.JOB_TYPES))
    started_at = InstantField(required=True)
    finished_at = InstantField()               # default: started_at + the institution's job_seconds
    connection_status = fields.String(validate=validate.OneOf(JOB_OUTCOMES))

    @validates_schema
    def _ends_after_start(self, data, **kwargs):
        if data.get("finished_at") and data["finished_at"] < data["started_at"]:
            raise ValidationError("finished_at is before started_at", "finished_at")


class CredentialsSchema(StrictSchema):
    username = fields.String(allow_none=True, load_default="test_atrium")
    password = fields.String(allow_none=True, load_default="password")


DEFAULT_CREDENTIALS = {"username": "test_atrium", "password": "password"}


class MemberSchema(StrictSchema):
    guid = _guid("MBR")
    institution_code = fields.String(required=True)
    identifier = fields.String(allow_none=True)
    metadata = fields.String(allow_none=True)
    credentials = fields.Nested(CredentialsSchema, load_default=lambda: dict(DEFAULT_CREDENTIALS))
    connection_status = fields.String(validate=validate.OneOf(CONNECTION_STATUSES))
    aggregated_at = InstantField(allow_none=True)
    successfully_aggregated_at = InstantField(allow_none=True)
    accounts = fields.List(SparseRecord(ACCOUNT_ATTRIBUTES), load_default=list)
    transactions = fields.List(SparseRecord(TRANSACTION_ATTRIBUTES), load_default=list)
    rewards = fields.List(fields.Nested(RewardSchema), load_default=list)
    jobs = fields.List(fields.Nested(JobSchema), load_default=list)
    # what verify / identify / fetch_statements gather (left out: generated from the accounts)
    account_numbers = fields.List(SparseRecord(ACCOUNT_NUMBER_ATTRIBUTES, required=("account_guid",)))
    account_owners = fields.List(SparseRecord(ACCOUNT_OWNER_ATTRIBUTES, required=("account_guid",)))
    statements = fields.List(SparseRecord(STATEMENT_ATTRIBUTES, required=("account_guid",)))


class UserSchema(StrictSchema):
    guid = _guid("USR")
    client_id = fields.String(required=True)
    identifier = fields.String(allow_none=True)
    metadata = fields.String(allow_none=True)
    is_disabled = fields.Boolean(load_default=False)
    members = fields.List(fields.Nested(MemberSchema), load_default=list,
                          validate=validate.Length(max=MEMBER_LIMIT))


class ClientSchema(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    api_key = fields.String(required=True, validate=validate.Length(min=1, max=500))
    features = fields.List(fields.String(validate=validate.OneOf(FEATURES)), load_default=list)
    # subscribed at load to the client's webhooks (AGGREGATION, REWARD, CONNECTION_STATUS)
    webhook_url = fields.String(allow_none=True, load_default=None,
                                validate=[validate.Length(min=1, max=2000), absolute_url])


class InstitutionSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String()
    url = fields.String(allow_none=True)
    small_logo_url = fields.String(allow_none=True)
    medium_logo_url = fields.String(allow_none=True)
    supports_account_identification = fields.Boolean()
    supports_account_statement = fields.Boolean()
    supports_account_verification = fields.Boolean()
    supports_oauth = fields.Boolean()
    supports_transaction_history = fields.Boolean()
    supports_rewards = fields.Boolean()
    job_seconds = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=86400))


class CreditCardProductSchema(StrictSchema):
    """MX's Atrium beta CreditCardProduct fields (MX's atrium-java, branch beta)."""
    guid = fields.String(required=True, validate=validate.Regexp(r"^CCA-[A-Za-z0-9_-]{1,100}$",
                                                                 error="Expected a guid such as CCA-1234."))
    name = fields.String(allow_none=True)
    annual_fee = fields.Float(**_FLOAT)
    has_cashback_rewards = fields.Boolean(allow_none=True)
    has_travel_rewards = fields.Boolean(allow_none=True)
    has_zero_percent_introductory_rate = fields.Boolean(allow_none=True)
    is_small_business_card = fields.Boolean(allow_none=True)


class SectionSchema(StrictSchema):
    clients = fields.List(fields.Nested(ClientSchema), load_default=list)
    institutions = fields.List(fields.Nested(InstitutionSchema), load_default=list)
    credit_card_products = fields.List(fields.Nested(CreditCardProductSchema), load_default=list)
    users = fields.List(fields.Nested(UserSchema), load_default=list)


# -- seeding ----------------------------------------------------------------------------

def seed(ctx, section: dict) -> None:
    """Write the validated section (inside the load transaction), in bulk."""
    db = ctx.db
    clients = _seed_clients(db, section["clients"])
    institutions = _seed_institutions(db, section["institutions"])
    _seed_credit_card_products(db, section["credit_card_products"])
    rows = {"users": [], "members": [], "jobs": [], "accounts": [], "transactions": [], "rewards": [],
            "premium_results": []}
    seen_users, identifiers = set(), set()
    seen = {"members": set(), "accounts": set(), "transactions": set(), "rewards": set(),
            "account_owners": set(), "statements": set()}
    for u, user in enumerate(section["users"]):
        where = f"atrium.users[{u}]"
        if user["client_id"] not in clients:
            raise problem(None, f"{where}.client_id", f"unknown client {user['client_id']!r}; "
                                                      "add it to atrium.clients")
        guid = _unique(user.get("guid") or ids.guid(db, "USR"), seen_users, f"{where}.guid", "duplicate guid")
        if user.get("identifier") is not None:
            _unique((user["client_id"], user["identifier"]), identifiers, f"{where}.identifier",
                    "another user of this client has the same identifier")
        rows["users"].append({"guid": guid, "client_id": user["client_id"], "identifier": user.get("identifier"),
                              "metadata": user.get("metadata"), "is_disabled": int(user["is_disabled"])})
        for m, member in enumerate(user["members"]):
            _seed_member(db, ctx.now, rows, guid, member, institutions, seen, f"{where}.members[{m}]")
    for table in ("users", "members", "jobs", "accounts", "transactions", "rewards", "premium_results"):
        store.insert_many(db, table, rows[table])


def _unique(value, seen: set, path: str, message: str):
    """``value``, remembered in ``seen``; a scenario problem at ``path`` if already there."""
    if value in seen:
        raise problem(None, path, f"{message}: {value!r}" if isinstance(value, str) else message)
    seen.add(value)
    return value


def _seed_clients(db, clients: list[dict]) -> set:
    seen = set()
    for c, client in enumerate(clients):
        _unique(client["client_id"], seen, f"atrium.clients[{c}].client_id", "duplicate client_id")
    store.insert_many(db, "clients", [
        (c["client_id"], c["api_key"], _json_list(c["features"])) for c in clients])
    for client in clients:
        if client.get("webhook_url"):
            events.subscribe(db, "atrium", client["client_id"], client["webhook_url"])
    return seen


def _json_list(values: list[str]) -> str:
    return json.dumps(sorted(set(values)))


def _seed_credit_card_products(db, products: list[dict]) -> None:
    seen = set()
    rows = []
    for p, product in enumerate(products):
        _unique(product["guid"], seen, f"atrium.credit_card_products[{p}].guid", "duplicate guid")
        row = {name: product.get(name) for name in ("guid", "name", "annual_fee") + schemas.CREDIT_CARD_PRODUCT_FLAGS}
        rows.append({k: int(v) if isinstance(v, bool) else v for k, v in row.items()})
    store.insert_many(db, "credit_card_products", rows)


def _seed_institutions(db, overrides: list[dict]) -> dict:
    """The built-in catalogue with the scenario's institutions merged over it by code."""
    catalogue = {i["code"]: dict(i) for i in BUILT_IN_INSTITUTIONS}
    for institution in overrides:
        base = catalogue.get(institution["code"]) or {**INSTITUTION_DEFAULTS, "name": institution["code"]}
        catalogue[institution["code"]] = {**base, **institution}
    rows = [{**i, **{k: int(v) for k, v in i.items() if isinstance(v, bool)}} for i in catalogue.values()]
    store.insert_many(db, "institutions", rows)
    return catalogue


def _seed_member(db, now, rows: dict, user_guid: str, member: dict, institutions: dict,
                 seen: dict, where: str) -> None:
    institution = institutions.get(member["institution_code"])
    if institution is None:
        raise problem(None, f"{where}.institution_code",
                      f"unknown institution {member['institution_code']!r} (built in: mxbank, sandbox_cu)")
    guid = _unique(member.get("guid") or ids.guid(db, "MBR"), seen["members"], f"{where}.guid", "duplicate guid")
    credentials = member["credentials"]
    status = member.get("connection_status") or "CONNECTED"
    jobs = _job_rows(guid, member, institution, status, credentials, now, where)
    # A member seeded CONNECTED has been aggregated before its first listed job.
    connected_since = (member["jobs"][0]["started_at"] if member["jobs"] else now) \
        if status == "CONNECTED" else None
    rows["members"].append({
        "guid": guid, "user_guid": user_guid, "institution_code": member["institution_code"],
        "identifier": member.get("identifier"), "metadata": member.get("metadata"),
        "username": credentials.get("username"), "password": credentials.get("password"),
        "connection_status": status,
        "aggregated_at": to_db(member.get("aggregated_at") or connected_since),
        "successfully_aggregated_at": to_db(member.get("successfully_aggregated_at") or connected_since),
    })
    rows["jobs"].extend(jobs)
    for kind in ("accounts", "transactions", "rewards", "account_owners", "statements"):
        for i, item in enumerate(member.get(kind) or []):
            if item.get("guid"):
                _unique(item["guid"], seen[kind], f"{where}.{kind}[{i}].guid", "duplicate guid")
    _check_account_refs(member, where)
    accounts, transactions, rewards = holding_rows(db, user_guid, guid, {
        "accounts": member["accounts"],
        "transactions": [_dated(t, now, f"{where}.transactions[{i}]")
                         for i, t in enumerate(member["transactions"])],
        "rewards": [{**r, "expires_on": r["expires_on"].isoformat() if r.get("expires_on") else None}
                    for r in member["rewards"]],
    })
    rows["accounts"].extend(accounts)
    rows["transactions"].extend(transactions)
    rows["rewards"].extend(rewards)
    given = {name: [{k: to_db(v) if k.endswith("_at") else v for k, v in item.items()} for item in member[name]]
             for name in PREMIUM_LISTS if member.get(name) is not None}
    rows["premium_results"].extend(result_rows(db, user_guid, guid, accounts, given))


def _job_rows(member_guid: str, member: dict, institution: dict, status: str, credentials: dict,
              now, where: str) -> list[dict]:
    """Past (or still running) jobs, in series. The last one ends in the member's
    connection_status unless it says otherwise; a CHALLENGED member with no jobs gets a
    job paused on its challenge."""
    jobs = list(member["jobs"])
    if not jobs and status == "CHALLENGED":
        jobs = [{"type": "aggregate", "started_at": now, "finished_at": now}]
    found, previous_end, previous_outcome = [], None, None
    for j, job in enumerate(jobs):
        start = job["started_at"]
        end = job.get("finished_at") or start + timedelta(seconds=institution["job_seconds"])
        if start > now:
            raise problem(None, f"{where}.jobs[{j}].started_at", "a job cannot start after the scenario's clock")
        if previous_end is not None and start < previous_end:
            raise problem(None, f"{where}.jobs[{j}].started_at",
                          "aggregation-type jobs run in series: this one starts before the previous one finished")
        last = j == len(jobs) - 1
        outcome = job.get("connection_status") or (status if last and status in JOB_OUTCOMES else "CONNECTED")
        challenge_type = None
        if outcome == "CHALLENGED":
            challenge_type = credential_outcome(credentials.get("username"), credentials.get("password"))[1] or "TEXT"
        found.append({
            "member_guid": member_guid, "type": job["type"], "started_at": to_db(start),
            "leg_started_at": to_db(start), "leg_ends_at": to_db(end),
            "leg_status": previous_outcome or ("CREATED" if status == "CHALLENGED" else status),
            "outcome": outcome, "challenge_type": challenge_type, "challenge_step": 1 if challenge_type else 0,
        })
        previous_end, previous_outcome = end, outcome
    return found


def _dated(txn: dict, now, where: str) -> dict:
    """A transaction with its date as YYYY-MM-DD: the one given, ``days_ago`` days before
    the clock, or (neither) the clock's day, so every transaction has a date to filter on."""
    txn = dict(txn)
    days_ago = txn.pop("days_ago", None)
    if days_ago is not None and txn.get("date"):
        raise problem(None, f"{where}.days_ago", "give either date or days_ago, not both")
    day = txn.get("date") or (now - timedelta(days=days_ago or 0)).date()
    return {**txn, "date": day.isoformat()}


def _check_account_refs(member: dict, where: str) -> None:
    known = {a.get("guid") for a in member["accounts"] if a.get("guid")}
    for kind in ("transactions", "rewards", *PREMIUM_LISTS):
        for i, item in enumerate(member.get(kind) or []):
            if item.get("account_guid") and item["account_guid"] not in known:
                raise problem(None, f"{where}.{kind}[{i}].account_guid",
                              f"unknown account {item['account_guid']!r}; give the account this guid "
                              "in the member's accounts")


def credentials(db) -> list[dict]:
    """What `rewards-sandbox serve` prints: each client's MX-Client-ID and MX-API-Key."""
    return [{"MX-Client-ID": c["client_id"], "MX-API-Key": c["api_key"]} for c in store.all_clients(db)]
