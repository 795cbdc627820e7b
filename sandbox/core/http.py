"""Reading request bodies strictly, the same way for every API."""
from __future__ import annotations

import json


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
