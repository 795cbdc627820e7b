"""The ``dummy:`` section of a scenario: wallets with opening balances."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sandbox.core.scenario_files import problem
from sandbox.core.timeutil import to_db

from . import store


class WalletSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True)
    balance = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class SectionSchema(Schema):
    class Meta:
        unknown = RAISE

    wallets = fields.List(fields.Nested(WalletSchema), load_default=list)
    owner = fields.String()


def seed(ctx, section: dict) -> None:
    seen = set()
    for i, wallet in enumerate(section["wallets"]):
        if wallet["id"] in seen:
            raise problem(None, f"dummy.wallets[{i}].id", f"duplicate wallet id {wallet['id']!r}")
        seen.add(wallet["id"])
        store.insert_wallet(ctx.db, wallet["id"])
        if wallet["balance"]:
            store.post(ctx.db, wallet["id"], wallet["balance"], to_db(ctx.now))


def credentials(db) -> list[dict]:
    return [{"owner": "test"}]
