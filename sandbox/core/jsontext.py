"""Compact JSON text (no spaces, ASCII only, keys in the order given), fast.

orjson writes it when it can give the same text the standard library's compact encoder
would: its output is ASCII (else a non-ASCII character would be sent as UTF-8, not as a
``\\u`` escape) and it could encode the value at all (it refuses integers wider than 64
bits and keys that are not strings). Anything else goes to the standard library. The one
difference left is a float's notation below 1e-4 (``0.00001`` for ``1e-05``): the same
number.

perf: the standard library's encoder builds its C encoder anew on every call; an exchange
encodes ~9 values (its answer and its stored JSON columns): 650 -> 590 us in process
(bench/README.md, "JSON through orjson").
"""
from __future__ import annotations

import json

import orjson

_STANDARD = json.JSONEncoder(separators=(",", ":"))


def compact(value) -> str:
    """``value`` as compact, ASCII-only JSON text."""
    try:
        text = orjson.dumps(value)
    except TypeError:
        return _STANDARD.encode(value)
    return text.decode() if text.isascii() else _STANDARD.encode(value)
