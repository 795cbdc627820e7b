"""Reading requests and writing answers, the same way for every API and the control API.

- ``json_body(schema)``: the request's JSON object through a marshmallow schema. An empty
  body is an empty object (the schema then says what is missing); a body that is not UTF-8
  or not JSON, or JSON that is not an object, is refused before the schema sees it.
- ``query(schema)``: the query string through a schema.
- ``load(schema, data)``: anything else (MyRewards' Rails-style params) through a schema.
- ``answer(data, status)``: one compact JSON answer in the serving API's content type.

Every refusal is a ``RequestError`` whose message says what was wrong (validation problems
through ``errors.one_line``, all of them in ``details["problems"]``); each API's renderer
words it in its vendor's shape.
"""
from __future__ import annotations

import json

from flask import Response, request
from marshmallow import Schema, ValidationError

from . import context, jsontext
from .errors import RequestError, one_line, validation_problems

# statuses that never carry a body (RFC 9110): whatever an error renderer or a fault gives
NO_BODY = (204, 304)


class BodyError(ValueError):
    """The body could not be read at all (not UTF-8, not JSON); the message says why."""


def _refuse_constant(constant):
    raise ValueError(f"{constant} is not valid JSON")


def decode_json(raw: bytes):
    """The JSON value in ``raw``, refusing what Python's json would let through but no
    JSON text may hold: ``NaN``/``Infinity``, invalid UTF-8, lone surrogate escapes
    (``"\\ud800"``, which no database or response can encode), and nesting deep enough
    to exhaust the interpreter."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise BodyError("The request body is not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise BodyError("The request body is not valid JSON") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError("The request body is not valid UTF-8") from None
    except RecursionError:
        raise BodyError("The request body is nested too deeply") from None
    return value


def raw_body() -> bytes:
    """The request body exactly as sent (kept, so it can be read again)."""
    return request.get_data(cache=True)


def json_value(raw: bytes):
    """The JSON in ``raw``; an empty (or all-whitespace) body is an empty object."""
    if not raw.strip():
        return {}
    try:
        return decode_json(raw)
    except BodyError as exc:
        raise RequestError(RequestError.UNREADABLE, str(exc)) from None


def json_body(schema: Schema) -> dict:
    """The request's JSON object, loaded through ``schema``."""
    data = json_value(raw_body())
    if not isinstance(data, dict):
        raise RequestError(RequestError.NOT_AN_OBJECT, "The request body must be a JSON object")
    return load(schema, data, "body")


def query(schema: Schema) -> dict:
    """The query string (the first value of each name), loaded through ``schema``."""
    return load(schema, request.args.to_dict(), "query")


def load(schema: Schema, data, location: str = "body") -> dict:
    """``schema.load(data)``; a RequestError listing every problem when it fails."""
    try:
        return schema.load(data)
    except ValidationError as err:
        problems = validation_problems(err.messages)
        raise RequestError(RequestError.INVALID, one_line(problems),
                           details={"problems": problems, "location": location}) from None


def encode(data) -> str:
    """Compact JSON (no spaces), ASCII-only, keys in the order given."""
    return jsontext.compact(data)


def answer(data, status: int = 200, *, content_type: str | None = None, headers: dict | None = None) -> Response:
    """The answer to the current request: ``data`` as JSON in the serving API's content type,
    or, when ``data`` is None or the status is 204 / 304, no body and no Content-Type at all."""
    if data is None or status in NO_BODY:
        response = Response(status=status)
        del response.headers["Content-Type"]
    else:
        if content_type is None:
            state = context.current()
            content_type = state.answer_type or (state.owner.content_type if state.owner else "application/json")
        response = Response(encode(data), status=status, content_type=content_type)
    if headers:
        response.headers.update(headers)
    return response
