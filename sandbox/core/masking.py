"""Masking credentials in request bodies before they reach the journal.

Headers are masked by ``journal.mask_headers``. Bodies can carry credentials too: Atrium's
member bodies hold the end user's bank credentials (``credentials: [{guid, value}]``) and
MFA answers (``challenges: [{guid, value}]``), and any API's body may have a ``password``,
``secret``, ``api_key`` or ``token`` field. Their values become ``***``; the rest of the
body is kept so the journal still shows what the client sent.
"""
from __future__ import annotations

import json
import re

MASK = "***"
SECRET_FIELDS = frozenset({"password", "passcode", "secret", "client_secret", "api_key", "apikey", "token",
                           "access_token", "refresh_token"})
CREDENTIAL_LISTS = frozenset({"credentials", "challenges"})      # their items' "value" is the secret
_NAMES = "|".join(sorted(SECRET_FIELDS | CREDENTIAL_LISTS))
_HINT = re.compile(rf'"(?:{_NAMES})"'.encode(), re.IGNORECASE)
_SECRET_PAIR = re.compile(rf'("(?:{"|".join(sorted(SECRET_FIELDS))})"\s*:\s*)"(?:[^"\\]|\\.)*"?', re.IGNORECASE)
_VALUE_PAIR = re.compile(r'("value"\s*:\s*)"(?:[^"\\]|\\.)*"?')


def mask_body(data: bytes) -> bytes:
    """``data`` with every credential value replaced by ``***``; unchanged (the same
    object) when it names no credential field, which is the common case and costs one
    regular-expression scan."""
    if not data or not _HINT.search(data):      # perf: one scan; most bodies hold no secret
        return data
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return _mask_text(data.decode("utf-8", "replace")).encode()
    return json.dumps(_mask(doc, None), ensure_ascii=False).encode()


def _mask(value, parent: str | None):
    if isinstance(value, dict):
        return {key: MASK if _secret(key, parent) else _mask(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, parent) for item in value]
    return value


def _secret(key: str, parent: str | None) -> bool:
    lowered = key.lower()
    return lowered in SECRET_FIELDS or (lowered == "value" and (parent or "").lower() in CREDENTIAL_LISTS)


def _mask_text(text: str) -> str:
    """For a body that is not valid JSON (or was cut short): mask by pattern."""
    text = _SECRET_PAIR.sub(lambda m: m.group(1) + f'"{MASK}"', text)
    if re.search(r'"(?:credentials|challenges)"', text, re.IGNORECASE):
        text = _VALUE_PAIR.sub(lambda m: m.group(1) + f'"{MASK}"', text)
    return text
