"""MyRewards authentication: ``Authorization: Token token=KEY`` or ``Token token=KEY:SECRET``.

A key belongs to one programme and carries read/write permissions per resource
(``users``, ``transactions``, ``performance``). A key registered with a secret must be
sent as ``KEY:SECRET``; one without a secret as ``KEY`` alone. Parsing follows Rails'
token parser (the platform is Rails): ``Token`` or ``Bearer``, the value may be quoted and
may be followed by other ``, name=value`` pairs. The scheme is matched in any case, so the
reference's ``TOKEN token=...`` spelling works too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request

from sandbox.core.auth import secrets_equal

from . import errors, store

RESOURCES = ("users", "transactions", "performance")
ACCESS = ("read", "write")
_PAIR_DELIMITER = re.compile(r"\s*[,;\t]\s*")


@dataclass(frozen=True)
class Caller:
    key: str
    programme_id: int
    permissions: dict


def token_from_header(header: str | None) -> str | None:
    """The token value of an ``Authorization`` header, or None when it is not a token."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer"):
        return None
    first = _PAIR_DELIMITER.split(rest.strip(), maxsplit=1)[0]
    name, sep, value = first.partition("=")
    if not sep:
        value = first                       # "Bearer KEY"
    elif name.strip().lower() != "token":
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value or None


def authorize(db, resource: str, access: str) -> Caller:
    """The caller of this request, allowed ``access`` to ``resource``; else 401 or 403."""
    token = token_from_header(request.headers.get("Authorization"))
    if token is None:
        raise errors.unauthorized()
    found = store.api_key(db, token)
    if found is not None and found["secret"]:
        found = None                        # a key with a secret must be sent with it
    if found is None:
        key, sep, secret = token.partition(":")
        found = store.api_key(db, key) if sep else None
        if found is None or not secrets_equal(secret, found["secret"]):
            raise errors.unauthorized()
    if access not in found["permissions"].get(resource, []):
        raise errors.forbidden(resource, access)
    return Caller(found["key"], found["programme_id"], found["permissions"])


def header_for(key: str, secret: str | None) -> str:
    return f"Token token={key}:{secret}" if secret else f"Token token={key}"


def replay_headers(section: dict, auth: dict, method: str, path: str, body: bytes) -> dict:
    """Headers that authenticate a replayed request as the key named by ``auth: {key: KEY}``."""
    wanted = auth.get("key")
    if not wanted:
        raise ValueError("MyRewards replay auth needs {key: KEY}, naming one of the world's api_keys")
    for programme in (section or {}).get("programmes") or []:
        for entry in programme.get("api_keys") or []:
            if entry.get("key") == wanted:
                return {"Authorization": header_for(entry["key"], entry.get("secret"))}
    raise KeyError(f"no MyRewards api key {wanted!r} in this world (myrewards.programmes[].api_keys[].key)")
