"""MyRewards' state: users with their balance, the transactions ledger, and the
programme's points pool."""
from __future__ import annotations

from .model import Table, View


def derive(db, tables: dict, now) -> None:
    """A user's balance is the running balance of their latest transaction (creation order)."""
    balances = {}
    for transaction in sorted(tables.get("transactions", []), key=lambda t: t["seq"]):
        balances[transaction["user_id"]] = transaction["balance"]
    for user in tables.get("users", []):
        user["balance"] = balances.get(user["id"], 0)


VIEW = View(
    derive=derive,
    masked=frozenset({"key"}),
    tables=(
        Table("programmes", key="id", singular="Programme", title="programmes (the points pool)",
              note="points_balance is the pool that credits draw on",
              columns=("id", "name", "points_balance", "points_balance_at_load", "identifier_field")),
        Table("users", key="id", links={"programme_id": "programmes"}, singular="User",
              columns=("id", "programme_id", "username", "email", "mobile", "balance", "created_at",
                       "updated_at", "profile")),
        Table("transactions", key="id", links={"user_id": "users"}, singular="Transaction",
              columns=("seq", "id", "user_id", "transaction_type", "variety", "value", "balance",
                       "pool_delta", "reason", "remote_transaction_id", "created_at")),
        Table("claims", key="id", singular="Claim",
              links={"promotion_id": "promotions", "user_id": "users", "transaction_id": "transactions"}),
        Table("promotions", key="id", links={"programme_id": "programmes"}, singular="Promotion"),
        Table("products", links={"promotion_id": "promotions"}),
        Table("data_fields", key="id", links={"programme_id": "programmes", "promotion_id": "promotions"},
              singular="Data field"),
        Table("registration_questions", links={"programme_id": "programmes"}),
        Table("user_groups", key="id", links={"programme_id": "programmes", "parent_id": "user_groups"},
              singular="User group"),
        Table("api_keys", links={"programme_id": "programmes"}),
    ),
)
