"""Masking credentials before they reach the journal or the request log.

Headers are masked by ``journal.mask_headers``. Query strings and bodies can carry
credentials too: Atrium's member bodies hold the end user's bank credentials
(``credentials: [{guid, value}]``) and MFA answers (``challenges: [{guid, value}]``), and
any parameter or field may be named like a secret. A name is secret when it contains
``key``, ``token``, ``secret``, ``password``, ``auth``, ``signature`` or ``hash`` in any
case (or is ``passcode``); its value becomes ``***`` and the rest is kept, so the journal
still shows what the client sent.

JSON bodies are masked after parsing (``"cr\\u0065dentials"`` is ``credentials``), form
bodies and query strings pair by pair. Masking never raises: what cannot be parsed is
masked by pattern, and a body that cannot be shown safely is replaced by a note.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote_plus

MASK = "***"
SECRET_PARTS = ("key", "token", "secret", "password", "auth", "signature", "hash")
SECRET_NAMES = frozenset({"passcode", "pin", "otp"})
CREDENTIAL_LISTS = frozenset({"credentials", "challenges"})      # their items' "value" is the secret
_HINT = re.compile(rb"key|token|secret|password|auth|signature|hash|passcode|pin|otp|credentials|challenges|\\",
                   re.IGNORECASE)
_SECRET_PAIR = re.compile(
    r'("[^"\\]*(?:key|token|secret|password|auth|signature|hash|passcode)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*"?',
    re.IGNORECASE)
_VALUE_PAIR = re.compile(r'("value"\s*:\s*)"(?:[^"\\]|\\.)*"?')
_FORM_PAIRS = re.compile(rb"^[^=&\s{}\[\]\"]+=")


def is_secret(name) -> bool:
    lowered = str(name).lower()
    return lowered in SECRET_NAMES or any(part in lowered for part in SECRET_PARTS)


def mask_body(data: bytes) -> bytes:
    """``data`` with every credential value replaced by ``***``; unchanged (the same
    object) when it names nothing secret, which is the common case and costs one scan."""
    if not data or not _HINT.search(data):      # perf: one scan; most bodies hold no secret
        return data
    try:
        return _mask_body(data)
    except Exception:                   # masking must never break the journal
        return b"[body not shown: it could not be masked]"


def _mask_body(data: bytes) -> bytes:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        if _FORM_PAIRS.match(data):
            return mask_pairs(data.decode("latin-1")).encode("latin-1")
        return _mask_text(data.decode("utf-8", "replace")).encode("utf-8", "replace")
    masked = _mask(doc, None)
    try:
        return json.dumps(masked, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:          # a lone surrogate escape ("\ud800"): keep it escaped
        return json.dumps(masked).encode("ascii")


def mask_pairs(text: str) -> str:
    """A query string or form body (``a=1&password=x``) with secret values masked, every
    other pair exactly as sent."""
    if not text:
        return text
    out = []
    for pair in text.split("&"):
        name, sep, _ = pair.partition("=")
        if sep and is_secret(unquote_plus(name)):
            pair = f"{name}={MASK}"
        out.append(pair)
    return "&".join(out)


def _mask(value, parent: str | None):
    if isinstance(value, dict):
        return {key: MASK if _secret_field(key, parent) else _mask(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, parent) for item in value]
    return value


def _secret_field(key: str, parent: str | None) -> bool:
    return is_secret(key) or (key.lower() == "value" and (parent or "").lower() in CREDENTIAL_LISTS)


def _mask_text(text: str) -> str:
    """For a body that is not valid JSON (or was cut short): mask by pattern."""
    text = _SECRET_PAIR.sub(lambda m: m.group(1) + f'"{MASK}"', text)
    if re.search(r'"(?:credentials|challenges)"', text, re.IGNORECASE):
        text = _VALUE_PAIR.sub(lambda m: m.group(1) + f'"{MASK}"', text)
    return text
