"""SaaSquatch's state: accounts and users, rewards with their redemptions, and each
account's balances as ``GET /reward/balance`` answers them now."""
from __future__ import annotations

from sandbox.apis.saasquatch.schemas import balance_json
from sandbox.apis.saasquatch.service import reward_balances

from .model import Table, View


def derive(db, tables: dict, now) -> None:
    tenants = {tenant["tenant_alias"]: tenant for tenant in tables.get("tenants", [])}
    balances = []
    for account in tables.get("accounts", []):
        tenant = tenants.get(account["tenant_alias"])
        if tenant is None:
            continue
        for balance in reward_balances(db, tenant, now, account["id"]):
            balances.append({"tenant_alias": account["tenant_alias"], "account_id": account["id"],
                             **balance_json(balance)})
    tables["balances"] = balances


VIEW = View(
    derive=derive,
    tables=(
        Table("accounts", key="id", links={"tenant_alias": "tenants"}, singular="Account"),
        Table("users", key="id", links={"account_id": "accounts", "tenant_alias": "tenants"}, singular="User"),
        Table("balances", links={"account_id": "accounts", "tenant_alias": "tenants"},
              note="as GET /reward/balance answers them now, one row per account, type and unit"),
        Table("rewards", key="pk", singular="Reward",
              links={"account_id": "accounts", "user_id": "users", "tenant_alias": "tenants"},
              columns=("pk", "id", "account_id", "user_id", "type", "unit", "name", "assigned_credit",
                       "redeemed_credit", "date_given", "date_expires", "date_cancelled",
                       "date_scheduled_for", "reward_source")),
        Table("redemptions", key="pk", links={"reward_pk": "rewards"}, singular="Redemption"),
        Table("tenants", key="tenant_alias", singular="Tenant"),
    ),
)
