"""The shape of ``steps:`` (validated with marshmallow before anything runs)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from sandbox.core.scenarios import InstantField
from sandbox.core.timeutil import parse_duration

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class Duration(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_duration(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return text


class ClockMoveSchema(Schema):
    class Meta:
        unknown = RAISE

    advance = Duration()
    set = InstantField()
    real = fields.Boolean()

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("give exactly one of advance (e.g. 3h), set (ISO-8601) or real: true")


class RequestSchema(Schema):
    class Meta:
        unknown = RAISE

    method = fields.String(required=True, validate=validate.OneOf(METHODS + [m.lower() for m in METHODS]))
    path = fields.String(required=True, validate=validate.Regexp(r"^/", error="must start with /"))
    query = fields.Dict(keys=fields.String())
    headers = fields.Dict(keys=fields.String(), values=fields.Raw())
    auth = fields.Dict(keys=fields.String(), values=fields.String())
    json = fields.Raw(allow_none=True)
    form = fields.Dict(keys=fields.String(), values=fields.Raw())
    body = fields.String()

    @validates_schema
    def one_body(self, data, **kwargs):
        if sum(1 for k in ("json", "form", "body") if k in data and data[k] is not None) > 1:
            raise ValidationError("give at most one of json, form or body")


class ExpectSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.Raw()
    json = fields.Raw(allow_none=True)
    headers = fields.Dict(keys=fields.String(), values=fields.Raw())
    body = fields.String()


class WebhookExpectSchema(Schema):
    class Meta:
        unknown = RAISE

    api = fields.String(required=True)
    type = fields.String(required=True)
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class StepSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1))
    clock = fields.Nested(ClockMoveSchema)
    request = fields.Nested(RequestSchema, required=True)
    expect = fields.Nested(ExpectSchema, load_default=dict)
    capture = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    # events this step must cause (matched among those emitted since it began)
    expect_webhooks = fields.List(fields.Nested(WebhookExpectSchema))


step_list = StepSchema(many=True)
