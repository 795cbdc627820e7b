"""Two of everything: one world holding two Atrium clients, two MyRewards programmes, two
SaaSquatch tenants (with the same account, user and reward ids) and two Eagle Eye clients.

Tenant ``a`` and tenant ``b`` of each API own objects that look alike but hold different
values, so a response that leaked the other tenant's data would show it. Eagle Eye AIR
clients belong to one company and share its wallets (the API's README), so the Eagle Eye
half of ``b`` lives in a second world (``EAGLEEYE_B``), loaded into its own namespace.
"""
from __future__ import annotations

import copy

CLOCK = "2026-01-15T09:00:00Z"
LOGIN = "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1"       # MX Bank's credential guids
PASSWORD = "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d"


def _atrium_user(t: str) -> dict:
    return {"guid": f"USR-{t}", "client_id": f"client-{t}", "identifier": f"ident-{t}", "members": [
        {"guid": f"MBR-{t}", "institution_code": "mxbank", "identifier": f"member-{t}",
         "accounts": [{"guid": f"ACT-{t}", "name": f"Card {t}", "type": "CREDIT_CARD", "balance": 100.5}],
         "transactions": [{"guid": f"TRN-{t}", "account_guid": f"ACT-{t}", "amount": 12.5, "type": "DEBIT",
                           "description": f"Shop {t}", "date": "2026-01-10"}],
         "rewards": [{"guid": f"RWD-{t}", "account_guid": f"ACT-{t}", "balance": 1000 if t == "a" else 2000,
                      "balance_type": "TOTAL_BALANCE", "unit_type": "MILES", "description": f"Miles {t}"}],
         "statements": [{"guid": f"STA-{t}", "account_guid": f"ACT-{t}"}],
         "jobs": [{"type": "fetch_rewards", "started_at": "2026-01-14T09:00:00Z",
                   "finished_at": "2026-01-14T09:00:03Z"},
                  *[{"type": job, "started_at": f"2026-01-14T09:{10 * (i + 1)}:00Z"}
                    for i, job in enumerate(("verify", "identify", "fetch_statements"))]]},
        {"guid": f"MBR-{t}-mfa", "institution_code": "sandbox_cu", "connection_status": "CHALLENGED",
         "credentials": {"username": "test_atrium", "password": "challenge"}},
    ]}


ATRIUM = {
    "institutions": [{"code": "mxbank", "supports_account_identification": True,
                      "supports_account_statement": True, "supports_transaction_history": True}],
    "credit_card_products": [{"guid": "CCA-shared", "name": "Shared card", "has_travel_rewards": True}],
    "clients": [{"client_id": f"client-{t}", "api_key": f"atrium-key-{t}",
                 "features": ["rewards", "identification", "verification", "statements", "extended_history"]}
                for t in "ab"],
    "users": [_atrium_user("a"), _atrium_user("b")],
}


def _programme(t: str, pid: int) -> dict:
    base = pid * 10
    return {
        "id": pid, "name": f"Programme {t}", "points_balance": 100_000 * pid, "identifier_field": "username",
        "required_fields": ["firstname"],
        "api_keys": [{"key": f"mr-key-{t}"}, {"key": f"mr-signed-{t}", "secret": f"mr-secret-{t}"}],
        "registration_questions": [{"id": base + 1, "label": f"Question {t}", "mandatory": "false",
                                    "field_type": "text", "field_name": f"q_{t}"}],
        "user_groups": [{"id": base + 1, "name": f"group-{t}", "default": "true", "position": 1}],
        "users": [{"id": base, "username": f"user-{t}", "firstname": f"First {t}",
                   "transactions": [{"transaction_type": "Credit", "variety": "Order Adjustment",
                                     "points": 500 * pid, "reason": f"opening {t}",
                                     "created_at": "2026-01-01T00:00:00Z"}]}],
        "data_fields": [{"id": base + 1, "name": f"Field {t}", "mandatory": False, "field_type": "free_text"}],
        "promotions": [{"id": base + 1, "name": f"Promotion {t}", "products": [{"sku": "SKU-1", "points": pid}],
                        "data_fields": [{"id": base + 2, "name": f"Promo field {t}", "mandatory": False,
                                         "field_type": "free_text"}]}],
    }


MYREWARDS = {"programmes": [_programme("a", 1), _programme("b", 2)]}


def _tenant(t: str, assigned: int) -> dict:
    """Both tenants use the same account, user and reward ids with different amounts."""
    return {
        "tenant_alias": f"tenant_{t}", "api_key": f"SQ_KEY_{t.upper()}",
        "webhooks": [{"endpointUrl": f"http://127.0.0.1:9/hooks-{t}"}],     # catalogue.py's subscription
        "accounts": [{"id": "acct-1", "users": [{"id": "u1", "firstName": f"U1 {t}"}, {"id": "u2"}],
                      "rewards": [
                          {"id": "aaaaaaaaaaaaaaaaaaaaaaa1", "userId": "u1", "type": "CREDIT", "unit": "CENTS",
                           "assignedCredit": assigned, "dateGiven": "2026-01-01T00:00:00Z"},
                          {"id": "aaaaaaaaaaaaaaaaaaaaaaa2", "userId": "u1", "type": "PCT_DISCOUNT",
                           "discountPercent": 5 if t == "a" else 7, "dateGiven": "2026-01-01T00:00:00Z"},
                      ]}],
    }


SAASQUATCH = {"tenants": [_tenant("a", 1000), _tenant("b", 2000)]}


def _eagleeye(t: str, balance: int) -> dict:
    """A company with one client; both companies use the same wallet and account ids."""
    return {
        "clients": [{"client_id": f"ee-client-{t}", "secret": f"ee-secret-{t}",
                     "location": {"incomingIdentifier": f"STORE-{t}"}}],
        "schemes": [{"id": "1001"}, {"id": "1002"}],
        "campaigns": [{"id": "2001"}],
        "reward_banks": [
            {"pointsRewardBankId": "3001", "mode": "PUBLIC", "exchangeLimit": None,
             "rewards": [{"pointsRewardBankRewardId": "4001", "resourceId": "2001", "cost": 10, "threshold": 0}]},
            {"pointsRewardBankId": "3002", "mode": "PERSONAL", "exchangeLimit": None,
             "rewards": [{"pointsRewardBankRewardId": "4002", "resourceId": "2001", "cost": 10, "threshold": 0}]},
        ],
        "wallets": [{"walletId": "5001", "identities": [{"value": f"card-{t}"}],
                     "accounts": [{"accountId": "6001", "scheme_id": "1001", "balance": balance}],
                     "links": [{"pointsRewardBankWalletLinkId": "7001", "pointsRewardBankId": "3002"}]}],
    }


EAGLEEYE_A = _eagleeye("a", 500)
EAGLEEYE_B = _eagleeye("b", 900)


def world(name: str = "reliability", eagleeye: dict | None = None) -> dict:
    """The whole world (tenant a of Eagle Eye unless ``eagleeye`` says otherwise)."""
    return copy.deepcopy({"name": name, "clock": CLOCK, "atrium": ATRIUM, "myrewards": MYREWARDS,
                          "saasquatch": SAASQUATCH, "eagleeye": eagleeye or EAGLEEYE_A})


WORLD = world()
WORLD_B = world("reliability-b", EAGLEEYE_B)
