"""A tiny API package used to test the core mechanisms on their own: a scenario section,
a seeded balance with a ledger, and a spend route that uses write_transaction."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import RAISE, Schema, fields, validate
from sqlite_utils import Migrations

from sandbox.core.apis import ApiPackage
from sandbox.core.clock import request_now
from sandbox.core.context import state_db
from sandbox.core.db import write_transaction
from sandbox.core.errors import ApiError
from sandbox.core.scenario_files import problem
from sandbox.core.timeutil import to_db, to_iso

migrations = Migrations("dummy")


@migrations(name="0001_initial")
def _initial(db):
    db.executescript("""
        CREATE TABLE dummy_wallets (id TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0));
        CREATE TABLE dummy_ledger (id INTEGER PRIMARY KEY, wallet_id TEXT NOT NULL REFERENCES dummy_wallets(id),
                                   amount INTEGER NOT NULL, at TEXT NOT NULL);
    """)


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


def seed(ctx, section):
    seen = set()
    for i, wallet in enumerate(section["wallets"]):
        if wallet["id"] in seen:
            raise problem(None, f"dummy.wallets[{i}].id", f"duplicate wallet id {wallet['id']!r}")
        seen.add(wallet["id"])
        ctx.db.execute("INSERT INTO dummy_wallets (id, balance) VALUES (?, 0)", [wallet["id"]])
        if wallet["balance"]:
            ctx.db.execute("INSERT INTO dummy_ledger (wallet_id, amount, at) VALUES (?, ?, ?)",
                           [wallet["id"], wallet["balance"], to_db(ctx.now)])
            ctx.db.execute("UPDATE dummy_wallets SET balance = ? WHERE id = ?", [wallet["balance"], wallet["id"]])


def render_error(err: ApiError):
    response = jsonify(err.body if err.body is not None else {"dummy_error": err.message, "status": err.status})
    response.status_code = err.status
    response.headers.update(err.headers)
    return response


bp = Blueprint("dummy", __name__)


@bp.get("/wallets/<wallet_id>")
def read_wallet(wallet_id):
    row = state_db().execute("SELECT balance FROM dummy_wallets WHERE id = ?", [wallet_id]).fetchone()
    if row is None:
        raise ApiError("no such wallet", status=404)
    return jsonify({"id": wallet_id, "balance": row[0], "now": to_iso(request_now())})


@bp.post("/wallets/<wallet_id>/spend")
def spend(wallet_id):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("amount"), int) or body["amount"] <= 0:
        raise ApiError("amount must be a positive integer", status=400)
    db = state_db()
    with write_transaction(db):
        row = db.execute("SELECT balance FROM dummy_wallets WHERE id = ?", [wallet_id]).fetchone()
        if row is None:
            raise ApiError("no such wallet", status=404)
        if row[0] < body["amount"]:
            raise ApiError("insufficient balance", status=402)
        db.execute("INSERT INTO dummy_ledger (wallet_id, amount, at) VALUES (?, ?, ?)",
                   [wallet_id, -body["amount"], to_db(request_now())])
        db.execute("UPDATE dummy_wallets SET balance = balance - ? WHERE id = ?", [body["amount"], wallet_id])
    return jsonify({"id": wallet_id, "balance": row[0] - body["amount"]})


API = ApiPackage(name="dummy", blueprint=bp, render_error=render_error, migrations=migrations,
                 section_schema=SectionSchema, seed=seed,
                 credentials=lambda db: [{"owner": "test"}], named_faults={"rollback_fails": "the dummy API fails its rollback"})
