"""MX Atrium wire format: request bodies and query strings (marshmallow), and the JSON
objects of each response (field sets and order as in MX's SDK models and docs samples,
nulls explicit, instants as ISO 8601 with an offset)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from sandbox.core.timeutil import to_offset_text

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000_000


class Text(fields.String):
    """A string SQLite can store (no lone surrogates from ``\\ud800`` escapes)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not valid unicode text.") from None
        return text


class _Body(Schema):
    class Meta:
        unknown = EXCLUDE     # Rails-style: unknown parameters are ignored


class UserFields(_Body):
    identifier = Text(allow_none=True)
    metadata = Text(allow_none=True)
    is_disabled = fields.Boolean()


class UserBody(_Body):
    user = fields.Nested(UserFields, required=True)


class CredentialFields(_Body):
    guid = Text(required=True)
    value = Text(required=True)


class MemberCreateFields(_Body):
    institution_code = Text(required=True)
    credentials = fields.List(fields.Nested(CredentialFields))
    identifier = Text(allow_none=True)
    metadata = Text(allow_none=True)
    skip_aggregation = fields.Boolean()
    is_oauth = fields.Boolean()
    referral_source = Text(allow_none=True)
    ui_message_webview_url_scheme = Text(allow_none=True)
    client_redirect_url = Text(allow_none=True)


class MemberCreateBody(_Body):
    member = fields.Nested(MemberCreateFields, required=True)


class MemberUpdateFields(_Body):
    credentials = fields.List(fields.Nested(CredentialFields))
    identifier = Text(allow_none=True)
    metadata = Text(allow_none=True)
    background_aggregation_is_disabled = fields.Boolean()


class MemberUpdateBody(_Body):
    member = fields.Nested(MemberUpdateFields, required=True)


class ResumeFields(_Body):
    challenges = fields.List(fields.Nested(CredentialFields), required=True)


class ResumeBody(_Body):
    member = fields.Nested(ResumeFields, required=True)


INSTITUTION_FLAGS = ("supports_account_identification", "supports_account_statement",
                     "supports_account_verification", "supports_transaction_history")


class InstitutionQuery(_Body):
    name = Text()
    supports_account_identification = fields.Boolean()
    supports_account_statement = fields.Boolean()
    supports_account_verification = fields.Boolean()
    supports_transaction_history = fields.Boolean()


class PageQuery(_Body):
    """MX's paging parameters; read leniently by ``paging`` (unusable values fall back)."""
    page = Text(metadata={"description": "Specify current page (default 1).", "type": "integer",
                          "default": 1, "minimum": 1})
    records_per_page = Text(metadata={"description": "Specify records per page (default 25, at most 100).",
                                      "type": "integer", "default": DEFAULT_PER_PAGE, "minimum": 1,
                                      "maximum": MAX_PER_PAGE})


class TransactionQuery(PageQuery):
    from_date = fields.Date(metadata={"description": "Default: 90 days before the request."})
    to_date = fields.Date(metadata={"description": "Default: 5 days after the request."})


class ErrorMessage(Schema):
    message = fields.String(required=True)


class ErrorSchema(Schema):
    """``{"error": {"message": "..."}}`` (the Atrium README, "Deviations from MX")."""
    error = fields.Nested(ErrorMessage, required=True)


# -- the response objects' shapes (what the builders below return; the OpenAPI document
#    is made of these, and the test suite checks every answer against it) ----------------

def _text(**kwargs):
    return fields.String(required=True, **kwargs)


def _maybe(field_class=fields.String, **kwargs):
    return field_class(required=True, allow_none=True, **kwargs)


class UserOut(Schema):
    guid = _text()
    identifier = _maybe()
    is_disabled = fields.Boolean(required=True)
    metadata = _maybe()


class MemberOut(Schema):
    aggregated_at = _maybe(metadata={"format": "date-time"})
    connection_status = _text()
    guid = _text()
    identifier = _maybe()
    institution_code = _text()
    is_being_aggregated = fields.Boolean(required=True)
    is_oauth = fields.Boolean(required=True)
    metadata = _maybe()
    name = _maybe()
    oauth_window_uri = _maybe()
    status = _text()
    successfully_aggregated_at = _maybe()
    user_guid = _text()


class ChoiceOut(Schema):
    label = _text()
    value = _text()


class ChallengeOut(Schema):
    field_name = _text()
    guid = _text()
    label = _text()
    type = _text()
    image_data = fields.String(metadata={"description": "IMAGE challenges: a data URI"})
    options = fields.List(fields.Nested(ChoiceOut), metadata={"description": "OPTIONS challenges"})


class MemberStatusOut(Schema):
    aggregated_at = _maybe()
    challenges = fields.List(fields.Nested(ChallengeOut), metadata={"description": "when CHALLENGED"})
    connection_status = _text()
    guid = _text()
    has_processed_accounts = fields.Boolean(required=True)
    has_processed_transactions = fields.Boolean(required=True)
    is_authenticated = fields.Boolean(required=True)
    is_being_aggregated = fields.Boolean(required=True)
    status = _text()
    successfully_aggregated_at = _maybe()


class InstitutionOut(Schema):
    code = _text()
    medium_logo_url = _maybe()
    name = _text()
    small_logo_url = _maybe()
    supports_account_identification = fields.Boolean(required=True)
    supports_account_statement = fields.Boolean(required=True)
    supports_account_verification = fields.Boolean(required=True)
    supports_oauth = fields.Boolean(required=True)
    supports_transaction_history = fields.Boolean(required=True)
    url = _maybe()


class CredentialOut(Schema):
    guid = _text()
    field_name = _text()
    label = _text()
    type = _text()
    display_order = fields.Integer(required=True)


_NUMBER_FIELDS = {"apr", "apy", "available_balance", "available_credit", "balance", "cash_balance",
                  "cash_surrender_value", "credit_limit", "death_benefit", "holdings_value", "interest_rate",
                  "last_payment", "loan_amount", "minimum_balance", "minimum_payment", "original_balance",
                  "payoff_balance", "pay_out_amount", "premium_amount", "total_account_value", "amount",
                  "latitude", "longitude", "day_payment_is_due", "merchant_category_code"}
_FLAG_FIELDS = {"is_closed", "is_bill_pay", "is_direct_deposit", "is_expense", "is_fee", "is_income",
                "is_international", "is_overdraft_fee", "is_payroll_advance", "is_subscription"}


def _record(name: str, names, optional=()) -> type[Schema]:
    """A record whose every field is present (null where unknown): numbers, flags, text."""
    def field(n, required=True):
        kind = fields.Float if n in _NUMBER_FIELDS else fields.Boolean if n in _FLAG_FIELDS else fields.String
        return kind(required=required, allow_none=True)
    spec = {n: field(n) for n in names}
    spec.update({n: field(n, required=False) for n in optional})
    return Schema.from_dict(spec, name=name)


PaginationOut = Schema.from_dict({n: fields.Integer(required=True) for n in
                                  ("current_page", "per_page", "total_entries", "total_pages")}, name="PaginationOut")


def _one(name: str, key: str, item) -> type[Schema]:
    return Schema.from_dict({key: fields.Nested(item, required=True)}, name=name)


def _page_of(name: str, key: str, item) -> type[Schema]:
    return Schema.from_dict({key: fields.List(fields.Nested(item), required=True),
                             "pagination": fields.Nested(PaginationOut, required=True)}, name=name)



user_body = UserBody()
member_create_body = MemberCreateBody()
member_update_body = MemberUpdateBody()
resume_body = ResumeBody()
institution_query = InstitutionQuery()
transaction_query = TransactionQuery()


def paging(args) -> tuple[int, int]:
    """(page, records_per_page) from the query string. Like a Rails app, values that are
    not usable fall back to the defaults instead of failing (page 1, 25 per page; more
    than 100 per page also gives 25, as MX's Platform API documents)."""
    page = _int(args.get("page"), 1)
    per_page = _int(args.get("records_per_page"), DEFAULT_PER_PAGE)
    if page < 1:
        page = 1
    if per_page < 1 or per_page > MAX_PER_PAGE:
        per_page = DEFAULT_PER_PAGE
    return min(page, MAX_PAGE), per_page


def _int(text, default: int) -> int:
    try:
        return int(str(text).strip()) if text is not None and len(str(text)) < 20 else default
    except ValueError:
        return default


def pagination(page: int, per_page: int, total: int) -> dict:
    return {"current_page": page, "per_page": per_page, "total_entries": total,
            "total_pages": -(-total // per_page)}


# -- response objects ------------------------------------------------------------------

def instant(value) -> str | None:
    """MX's member timestamps: ``2016-10-13T18:07:57+00:00``."""
    return to_offset_text(value)


def user(row: dict) -> dict:
    return {"guid": row["guid"], "identifier": row["identifier"],
            "is_disabled": bool(row["is_disabled"]), "metadata": row["metadata"]}


def member(row: dict) -> dict:
    return {
        "aggregated_at": instant(row["aggregated_at"]),
        "connection_status": row["connection_status"],
        "guid": row["guid"],
        "identifier": row["identifier"],
        "institution_code": row["institution_code"],
        "is_being_aggregated": row["is_being_aggregated"],
        "is_oauth": False,
        "metadata": row["metadata"],
        "name": row["institution_name"],
        "oauth_window_uri": None,
        "status": row["status"],
        "successfully_aggregated_at": instant(row["successfully_aggregated_at"]),
        "user_guid": row["user_guid"],
    }


def member_status(row: dict) -> dict:
    """GET .../status: the connection-status fields only (``challenges`` when CHALLENGED)."""
    body = {"aggregated_at": instant(row["aggregated_at"])}
    if row.get("challenges"):
        body["challenges"] = row["challenges"]
    body.update({
        "connection_status": row["connection_status"],
        "guid": row["guid"],
        "has_processed_accounts": row["has_processed_accounts"],
        "has_processed_transactions": row["has_processed_transactions"],
        "is_authenticated": row["is_authenticated"],
        "is_being_aggregated": row["is_being_aggregated"],
        "status": row["status"],
        "successfully_aggregated_at": instant(row["successfully_aggregated_at"]),
    })
    return body


def institution(row: dict) -> dict:
    return {
        "code": row["code"],
        "medium_logo_url": row["medium_logo_url"],
        "name": row["name"],
        "small_logo_url": row["small_logo_url"],
        "supports_account_identification": bool(row["supports_account_identification"]),
        "supports_account_statement": bool(row["supports_account_statement"]),
        "supports_account_verification": bool(row["supports_account_verification"]),
        "supports_oauth": bool(row["supports_oauth"]),
        "supports_transaction_history": bool(row["supports_transaction_history"]),
        "url": row["url"],
    }


ACCOUNT_FIELDS = (
    "account_number", "apr", "apy", "available_balance", "available_credit", "balance", "cash_balance",
    "cash_surrender_value", "created_at", "credit_limit", "currency_code", "day_payment_is_due",
    "death_benefit", "guid", "holdings_value", "insured_name", "institution_code", "interest_rate",
    "is_closed", "last_payment", "last_payment_at", "loan_amount", "matures_on", "member_guid",
    "minimum_balance", "minimum_payment", "name", "original_balance", "payment_due_at",
    "payoff_balance", "pay_out_amount", "premium_amount", "started_on", "subtype",
    "total_account_value", "type", "updated_at", "user_guid")
# Added to accounts by the beta Accept header (MX's atrium-java beta Account model).
BETA_ACCOUNT_FIELDS = ("credit_card_product_guid", "current_reward_level", "enrolled_in_rewards_on",
                       "next_reward_level", "primary_reward_unit")
TRANSACTION_FIELDS = (
    "account_guid", "amount", "category", "check_number", "check_number_string", "created_at",
    "currency_code", "date", "description", "guid", "is_bill_pay", "is_direct_deposit", "is_expense",
    "is_fee", "is_income", "is_international", "is_overdraft_fee", "is_payroll_advance",
    "is_subscription", "latitude", "longitude", "member_guid", "memo", "merchant_category_code",
    "merchant_guid", "original_description", "posted_at", "status", "top_level_category",
    "transacted_at", "type", "updated_at", "user_guid")


def account(row: dict, beta: bool) -> dict:
    """An account; the beta Accept header adds the reward fields (MX's beta Account)."""
    names = sorted(ACCOUNT_FIELDS + BETA_ACCOUNT_FIELDS) if beta else ACCOUNT_FIELDS
    values = {**row["data"], "guid": row["guid"], "member_guid": row["member_guid"],
              "user_guid": row["user_guid"], "institution_code": row["institution_code"]}
    return {name: values.get(name) for name in names}


def transaction(row: dict) -> dict:
    values = {**row["data"], "guid": row["guid"], "member_guid": row["member_guid"],
              "user_guid": row["user_guid"], "account_guid": row["account_guid"]}
    return {name: values.get(name) for name in TRANSACTION_FIELDS}


CREDIT_CARD_PRODUCT_FLAGS = ("has_cashback_rewards", "has_travel_rewards", "has_zero_percent_introductory_rate",
                             "is_small_business_card")


def credit_card_product(row: dict) -> dict:
    """The fields of MX's Atrium beta CreditCardProduct (MX's atrium-java, branch beta), flags as booleans."""
    flags = {name: None if row[name] is None else bool(row[name]) for name in CREDIT_CARD_PRODUCT_FLAGS}
    return {"annual_fee": row["annual_fee"], "guid": row["guid"], **flags, "name": row["name"]}


ACCOUNT_NUMBER_FIELDS = ("account_guid", "account_number", "institution_number", "member_guid", "routing_number",
                         "transit_number", "user_guid")
ACCOUNT_OWNER_FIELDS = ("account_guid", "address", "city", "country", "email", "guid", "member_guid", "owner_name",
                        "postal_code", "state", "user_guid")
STATEMENT_FIELDS = ("account_guid", "content_hash", "created_at", "guid", "member_guid", "updated_at", "uri",
                    "user_guid")


def _premium_values(row: dict) -> dict:
    return {**row["data"], "guid": row["guid"], "member_guid": row["member_guid"], "user_guid": row["user_guid"],
            "account_guid": row["account_guid"]}


def account_number(row: dict) -> dict:
    """MX's AccountNumber (atrium 2.11.7 models/account_number.py)."""
    values = _premium_values(row)
    return {name: values.get(name) for name in ACCOUNT_NUMBER_FIELDS}


def account_owner(row: dict) -> dict:
    """MX's AccountOwner (atrium 2.11.7 models/account_owner.py)."""
    values = _premium_values(row)
    return {name: values.get(name) for name in ACCOUNT_OWNER_FIELDS}


def statement(row: dict) -> dict:
    """MX's Statement (atrium 2.11.7 models/statement.py), instants with an offset."""
    values = _premium_values(row)
    values["created_at"], values["updated_at"] = instant(values.get("created_at")), instant(values.get("updated_at"))
    return {name: values.get(name) for name in STATEMENT_FIELDS}


def reward(row: dict) -> dict:
    """Exactly the reward fields of MX "Rewards endpoints" plus ``updated_at``."""
    return {
        "account_guid": row["account_guid"],
        "balance": row["balance"],
        "balance_type": row["balance_type"],
        "created_at": instant(row["created_at"]),
        "description": row["description"],
        "expires_on": row["expires_on"],
        "guid": row["guid"],
        "member_guid": row["member_guid"],
        "unit_type": row["unit_type"],
        "updated_at": instant(row["updated_at"]),
        "user_guid": row["user_guid"],
    }


AccountOut = _record("AccountOut", ACCOUNT_FIELDS, optional=BETA_ACCOUNT_FIELDS)   # beta adds five
TransactionOut = _record("TransactionOut", TRANSACTION_FIELDS)
RewardOut = Schema.from_dict({
    "account_guid": _maybe(), "balance": _maybe(fields.Float), "balance_type": _maybe(),
    "created_at": _maybe(), "description": _maybe(), "expires_on": _maybe(), "guid": _text(),
    "member_guid": _text(), "unit_type": _maybe(), "updated_at": _maybe(), "user_guid": _text()}, name="RewardOut")

# the answers, envelopes included
UserAnswer = _one("UserAnswer", "user", UserOut)
UsersAnswer = _page_of("UsersAnswer", "users", UserOut)
InstitutionAnswer = _one("InstitutionAnswer", "institution", InstitutionOut)
InstitutionsAnswer = _page_of("InstitutionsAnswer", "institutions", InstitutionOut)
CredentialsAnswer = Schema.from_dict({"credentials": fields.List(fields.Nested(CredentialOut), required=True)},
                                     name="CredentialsAnswer")
MemberAnswer = _one("MemberAnswer", "member", MemberOut)
MembersAnswer = _page_of("MembersAnswer", "members", MemberOut)
MemberStatusAnswer = _one("MemberStatusAnswer", "member", MemberStatusOut)
ChallengesAnswer = Schema.from_dict({"challenges": fields.List(fields.Nested(ChallengeOut), required=True)},
                                    name="ChallengesAnswer")
AccountsAnswer = _page_of("AccountsAnswer", "accounts", AccountOut)
TransactionsAnswer = _page_of("TransactionsAnswer", "transactions", TransactionOut)
RewardsAnswer = Schema.from_dict({"rewards": fields.List(fields.Nested(RewardOut), required=True)},
                                 name="RewardsAnswer")
RewardAnswer = _one("RewardAnswer", "reward", RewardOut)
AccountAnswer = _one("AccountAnswer", "account", AccountOut)
TransactionAnswer = _one("TransactionAnswer", "transaction", TransactionOut)
CreditCardProductOut = Schema.from_dict({
    "annual_fee": _maybe(fields.Float), "guid": _text(), "name": _maybe(),
    **{flag: _maybe(fields.Boolean) for flag in CREDIT_CARD_PRODUCT_FLAGS}}, name="CreditCardProductOut")
CreditCardProductAnswer = _one("CreditCardProductAnswer", "credit_card_product", CreditCardProductOut)
AccountNumberOut = _record("AccountNumberOut", ACCOUNT_NUMBER_FIELDS)
AccountOwnerOut = _record("AccountOwnerOut", ACCOUNT_OWNER_FIELDS)
StatementOut = _record("StatementOut", STATEMENT_FIELDS)
AccountNumbersAnswer = Schema.from_dict({"account_numbers": fields.List(fields.Nested(AccountNumberOut), required=True)},
                                        name="AccountNumbersAnswer")
AccountOwnersAnswer = Schema.from_dict({"account_owners": fields.List(fields.Nested(AccountOwnerOut), required=True)},
                                       name="AccountOwnersAnswer")
StatementsAnswer = _page_of("StatementsAnswer", "statements", StatementOut)
StatementAnswer = _one("StatementAnswer", "statement", StatementOut)
