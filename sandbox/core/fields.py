"""marshmallow fields the APIs' schemas share: JSON values taken only as what they are, and
a record checked field by field."""
from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields


class JsonInteger(fields.Integer):
    """A JSON integer: no strings, no floats (even 200.0), no booleans."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """A JSON boolean only (marshmallow would also take "yes", 1, ...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class SparseRecord(fields.Field):
    """A mapping checked against ``shape`` (name -> field), visiting only the keys present;
    ``required`` names the keys it must have. Unknown keys are refused.

    perf: a nested Schema visits every declared field of every item, which made loading a
    world of tens of thousands of vendor objects (MX accounts, MyRewards users) slow; the
    targets are in bench/README.md ("Scenario loads")."""

    def __init__(self, shape: dict, required: tuple = (), **kwargs):
        super().__init__(**kwargs)
        self.shape, self.required = shape, required

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("Not a valid mapping type.")
        loaded, problems = {}, {}
        for name, item in value.items():
            field = self.shape.get(name)
            if field is None:
                problems[name] = ["Unknown field."]
                continue
            try:
                loaded[name] = field.deserialize(item, name, value)
            except ValidationError as err:
                problems[name] = err.messages
        for name in self.required:
            if name not in value:
                problems[name] = ["Missing data for required field."]
        if problems:
            raise ValidationError(problems)
        return loaded


def absolute_url(value: str) -> None:
    """A validator: an absolute http:// or https:// URL (where a webhook can be sent)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("Must be an absolute http:// or https:// URL.")
