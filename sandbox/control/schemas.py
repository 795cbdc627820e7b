"""Request bodies of the control API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from sandbox.core.faults import MAX_DELAY_MS, compile_pattern
from sandbox.core.scenarios import InstantField
from sandbox.core.timeutil import parse_duration


class ClockSetSchema(Schema):
    class Meta:
        unknown = RAISE

    frozen_at = InstantField(allow_none=False)
    real = fields.Boolean()

    @validates_schema
    def one_of(self, data, **kwargs):
        if ("frozen_at" in data) == bool(data.get("real")):
            raise ValidationError('Give either {"frozen_at": ISO-8601} or {"real": true}.')


class ClockAdvanceSchema(Schema):
    class Meta:
        unknown = RAISE

    seconds = fields.Float(validate=validate.Range(min=0, max=10 * 365 * 86400))
    by = fields.String()

    @validates("by")
    def valid_duration(self, value, **kwargs):
        try:
            parse_duration(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    @validates_schema
    def one_of(self, data, **kwargs):
        if ("seconds" in data) == ("by" in data):
            raise ValidationError('Give either {"seconds": N} or {"by": "3h"} (s, m, h, d).')


class FaultSchema(Schema):
    class Meta:
        unknown = RAISE

    api = fields.String(allow_none=True)
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    method = fields.String(allow_none=True, validate=validate.OneOf(
        ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]))
    path = fields.String(allow_none=True, validate=validate.Length(max=1000))
    status = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=100, max=599))
    body = fields.Raw(allow_none=True)
    delay_ms = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_DELAY_MS))
    times = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=1_000_000))

    @validates("path")
    def valid_regex(self, value, **kwargs):
        if value is None:
            return
        try:
            compile_pattern(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    @validates_schema
    def does_something(self, data, **kwargs):
        if data.get("name"):
            if not data.get("api"):
                raise ValidationError("a named fault needs the api it belongs to", "api")
        elif not data.get("status") and not data.get("delay_ms"):
            raise ValidationError("a fault needs a status, a delay_ms, or a name")


class RequestFilterSchema(Schema):
    class Meta:
        unknown = RAISE

    api = fields.String()
    method = fields.String()
    path = fields.String()
    status = fields.Integer(validate=validate.Range(min=100, max=599))
    limit = fields.Integer(validate=validate.Range(min=1, max=100_000))


class ProblemSchema(Schema):
    file = fields.String()
    path = fields.String()
    message = fields.String()


class ErrorSchema(Schema):
    error = fields.String(required=True)
    problems = fields.List(fields.Nested(ProblemSchema))


class HealthSchema(Schema):
    status = fields.String()
    scenario = fields.String(allow_none=True)
    version = fields.String()
    namespace = fields.String()
    worker_pid = fields.Integer()


class ClockSchema(Schema):
    now = fields.String()
    frozen = fields.Boolean()
    offset_seconds = fields.Float()


class SummarySchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    clock = fields.Nested(ClockSchema)
    counts = fields.Dict(keys=fields.String(), values=fields.Dict())
    document = fields.Dict()


class FaultOutSchema(FaultSchema):
    id = fields.Integer()
    remaining = fields.Integer()


class FaultListSchema(Schema):
    faults = fields.List(fields.Nested(FaultOutSchema))


class JournalEntrySchema(Schema):
    id = fields.Integer()
    api = fields.String(allow_none=True)
    method = fields.String()
    path = fields.String()
    query = fields.String()
    headers = fields.Dict()
    body = fields.Raw(allow_none=True)
    status = fields.Integer()
    response_body = fields.Raw(allow_none=True)
    time = fields.String()
    duration_ms = fields.Float()


class JournalSchema(Schema):
    requests = fields.List(fields.Nested(JournalEntrySchema))
    omitted = fields.Integer()


class CountSchema(Schema):
    count = fields.Integer()


class NearMissSchema(Schema):
    methods = fields.List(fields.String())
    path = fields.String(metadata={"description": "a route the sandbox serves, {placeholders} for its ids"})


class UnmatchedEntrySchema(JournalEntrySchema):
    near_misses = fields.List(fields.Nested(NearMissSchema))


class UnmatchedSchema(Schema):
    requests = fields.List(fields.Nested(UnmatchedEntrySchema))


class SnapshotBodySchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        error="a snapshot name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"))


class SnapshotSchema(Schema):
    name = fields.String()
    created_at = fields.String(metadata={"description": "ISO-8601"})
    bytes = fields.Integer()
    scenario = fields.String(allow_none=True, metadata={"description": "the world loaded when it was taken"})


class SnapshotListSchema(Schema):
    snapshots = fields.List(fields.Nested(SnapshotSchema))


class StateSchema(Schema):
    api = fields.String()
    scenario = fields.String()
    tables = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()))


class NamespaceSchema(Schema):
    name = fields.String()
    last_used = fields.String(allow_none=True, metadata={"description": "ISO-8601"})
    created = fields.Boolean()
    scenario = fields.String(allow_none=True)


class NamespacePutSchema(Schema):
    """``scenario``: a built-in scenario's name (``atrium/lockout-after-rewards``) or a world
    document, loaded into the namespace after the startup world."""

    class Meta:
        unknown = RAISE

    scenario = fields.Raw(allow_none=True)

    @validates("scenario")
    def name_or_document(self, value, **kwargs):
        if value is not None and not isinstance(value, (str, dict)):
            raise ValidationError("expected a built-in scenario's name or a world document (an object)")


class NamespaceListSchema(Schema):
    namespaces = fields.List(fields.Nested(NamespaceSchema))


class BuiltinScenarioSchema(Schema):
    name = fields.String(metadata={"description": "what POST /_sandbox/scenario {\"builtin\": NAME} takes"})
    description = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    steps = fields.Integer(metadata={"description": "how many replay steps the file has"})


class ScenarioListSchema(Schema):
    scenarios = fields.List(fields.Nested(BuiltinScenarioSchema))


def scenario_body_schema(apis) -> Schema:
    """A world (see scenarios/README.md), with a section per API of the app; also accepted
    as YAML with Content-Type application/yaml. ``{"builtin": NAME}`` alone loads a built-in
    scenario instead (``GET /_sandbox/scenarios``). (Documentation only: the world is
    validated by ``core.scenarios.scenario_schema``.)"""
    spec = {"builtin": fields.String(metadata={"description": "the name of a built-in scenario, given alone"}),
            "name": fields.String(required=True), "description": fields.String(), "source": fields.String(),
            "include": fields.List(fields.String()), "clock": fields.String()}
    spec.update({api.name: fields.Dict() for api in apis})
    spec["steps"] = fields.List(fields.Dict())
    return Schema.from_dict(spec, name="ScenarioBody")


class OpenApiDocumentSchema(Schema):
    """An OpenAPI 3 document (its parts are OpenAPI's own objects)."""
    openapi = fields.String(required=True)
    info = fields.Dict(required=True)
    servers = fields.List(fields.Dict(), required=True)
    paths = fields.Dict(required=True)
    components = fields.Dict()
