"""The built-in institution catalogue, the credential fields every institution asks
for, and what a new member finds at its institution (accounts, transactions, rewards).

`mxbank` is MX's own test institution as recorded on vestibule (MX's atrium-elixir sandbox
tests), plus rewards support (the sandbox's choice: the Atrium README, "Deviations from MX").
`sandbox_cu` is the sandbox's own institution without rewards; it supports the other premium
jobs.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

DEFAULT_JOB_SECONDS = 3.0
_LOGO = "https://content.moneydesktop.com/storage/MD_Assets/Ipad%20Logos/{size}/{guid}_{size}.png"
_MXBANK_GUID = "INS-1572a04c-912b-59bf-5841-332c7dfafaef"
# the product MX Bank's rewards card carries (the guid of MX's beta SDK example); the default
# world describes it, other worlds may (GET /credit_card_products/{guid} is 404 otherwise)
MXBANK_CARD_PRODUCT = "CCA-b5bcd822-6d01-4e23-b8d6-846a225e714a"
_CREDENTIAL_NAMESPACE = uuid.UUID("8d0e6d1a-40a4-4c1f-9d8f-6c0b3f1e2a77")

INSTITUTION_DEFAULTS = {
    "name": None, "url": None, "small_logo_url": None, "medium_logo_url": None,
    "supports_account_identification": False, "supports_account_statement": False,
    "supports_account_verification": False, "supports_oauth": False,
    "supports_transaction_history": False, "supports_rewards": False,
    "job_seconds": DEFAULT_JOB_SECONDS,
}

BUILT_IN_INSTITUTIONS = [
    {**INSTITUTION_DEFAULTS,
     "code": "mxbank", "name": "MX Bank", "url": "https://www.mx.com",
     "small_logo_url": _LOGO.format(size="50x50", guid=_MXBANK_GUID),
     "medium_logo_url": _LOGO.format(size="100x100", guid=_MXBANK_GUID),
     "supports_account_verification": True, "supports_rewards": True},
    {**INSTITUTION_DEFAULTS,
     "code": "sandbox_cu", "name": "Sandbox Credit Union", "url": "https://example.com/sandbox-cu",
     "supports_account_identification": True, "supports_account_statement": True,
     "supports_account_verification": True, "supports_transaction_history": True},
]

# MX Bank's credential guids are the recorded ones; other institutions get stable ones.
_RECORDED_CREDENTIAL_GUIDS = {
    ("mxbank", "LOGIN"): "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1",
    ("mxbank", "PASSWORD"): "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d",
}
_CREDENTIAL_FIELDS = (("LOGIN", "Username", 1), ("PASSWORD", "Password", 2))


def institution_credentials(code: str) -> list[dict]:
    """The credentials an institution asks for, in display order."""
    return [
        {"guid": _RECORDED_CREDENTIAL_GUIDS.get((code, field))
         or f"CRD-{uuid.uuid5(_CREDENTIAL_NAMESPACE, f'{code}:{field}')}",
         "field_name": field, "label": label, "type": field, "display_order": order}
        for field, label, order in _CREDENTIAL_FIELDS
    ]


def credential_field(code: str, guid: str) -> str | None:
    """LOGIN or PASSWORD for one of the institution's credential guids, else None."""
    return next((c["field_name"] for c in institution_credentials(code) if c["guid"] == guid), None)


def holdings(code: str, now: datetime) -> dict:
    """What a member newly connected to institution ``code`` finds there: accounts,
    transactions (``account`` names one of the accounts by key) and rewards. Dates are
    relative to ``now`` so the data looks current whenever it is created."""
    if code == "mxbank":
        found = _mxbank_holdings(now)
    elif code == "sandbox_cu":
        found = _credit_union_holdings(now)
    else:
        return {"accounts": [], "transactions": [], "rewards": []}
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    for account in found["accounts"]:
        account.update(created_at=stamp, updated_at=stamp)
    for txn in found["transactions"]:
        at = f"{txn['date']}T12:00:00+00:00"
        txn.update(currency_code="USD", created_at=stamp, updated_at=stamp, transacted_at=at, posted_at=at)
    return found


def _day(now: datetime, days: int) -> str:
    return (now + timedelta(days=days)).date().isoformat()


def _mxbank_holdings(now: datetime) -> dict:
    return {
        "accounts": [
            {"key": "checking", "name": "MX Bank Checking", "type": "CHECKING", "balance": 1000.23,
             "available_balance": 1000.23, "currency_code": "USD", "account_number": "6789"},
            {"key": "card", "name": "MX Bank Rewards Visa", "type": "CREDIT_CARD", "balance": 340.12,
             "available_credit": 4659.88, "credit_limit": 5000.0, "currency_code": "USD",
             "account_number": "4321", "primary_reward_unit": "MILES",
             "credit_card_product_guid": MXBANK_CARD_PRODUCT,
             "current_reward_level": "Silver", "next_reward_level": "Gold",
             "enrolled_in_rewards_on": _day(now, -400)},
        ],
        "transactions": [
            {"account": "card", "amount": 412.6, "type": "DEBIT", "description": "Delta Air Lines",
             "category": "Air Travel", "top_level_category": "Travel", "status": "POSTED",
             "date": _day(now, -6)},
            {"account": "card", "amount": 61.11, "type": "DEBIT", "description": "Whole Foods",
             "category": "Groceries", "top_level_category": "Food & Dining", "status": "POSTED",
             "date": _day(now, -3)},
            {"account": "checking", "amount": 2500.0, "type": "CREDIT", "description": "Payroll",
             "category": "Paycheck", "top_level_category": "Income", "status": "POSTED",
             "date": _day(now, -1)},
        ],
        "rewards": [
            {"account": "card", "balance": 24500, "balance_type": "TOTAL_BALANCE", "unit_type": "MILES",
             "description": "SkyMiles balance", "expires_on": None},
            {"account": "card", "balance": 5500, "balance_type": "BALANCE_TO_LEVEL", "unit_type": "MILES",
             "description": "Miles to Gold status", "expires_on": _day(now, 240)},
            {"account": None, "balance": 1200, "balance_type": "EXPIRING_BALANCE", "unit_type": "POINTS",
             "description": "Dining points expiring soon", "expires_on": _day(now, 30)},
        ],
    }


def _credit_union_holdings(now: datetime) -> dict:
    return {
        "accounts": [
            {"key": "savings", "name": "Share Savings", "type": "SAVINGS", "balance": 5200.0,
             "available_balance": 5200.0, "currency_code": "USD", "account_number": "1111"},
        ],
        "transactions": [
            {"account": "savings", "amount": 4.33, "type": "CREDIT", "description": "Dividend",
             "category": "Interest Income", "top_level_category": "Income", "status": "POSTED",
             "date": _day(now, -2)},
        ],
        "rewards": [],
    }
