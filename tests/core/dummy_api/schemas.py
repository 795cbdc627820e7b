"""The dummy API's wire format."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sandbox.core.timeutil import to_iso


class SpendSchema(Schema):
    class Meta:
        unknown = RAISE

    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class ErrorSchema(Schema):
    dummy_error = fields.String(required=True)
    status = fields.Integer(required=True)


spend_schema = SpendSchema()


def wallet_json(wallet: dict, now=None) -> dict:
    body = {"id": wallet["id"], "balance": wallet["balance"]}
    if now is not None:
        body["now"] = to_iso(now)
    return body
