"""Auth primitives the APIs build their vendor policies on (no Flask: a store may compare
secrets too)."""
from __future__ import annotations

import base64
import binascii
import hmac


def secrets_equal(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; a missing value never matches."""
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) from an ``Authorization: Basic ...`` header, else None.
    RFC 7617: the credentials are ``user-id ":" password``; decoded credentials without a
    colon are malformed (None), while an empty user-id or password is fine."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def signing_paths(environ, mount_prefix: str) -> list[str]:
    """The path of the request in WSGI ``environ`` (with ``?query`` when there is one) in
    each form a client may have signed: as it arrived (namespace and mount prefix included),
    without a namespace prefix, and without the API's mount prefix."""
    query = environ.get("QUERY_STRING", "")
    suffix = f"?{query}" if query else ""
    candidates = []
    # as sent on the wire (percent-encoding intact), when the server tells us
    sent = _utf8((environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?", 1)[0])
    if sent:
        candidates += _with_and_without(sent, environ, mount_prefix)
    # percent-decoded, as UTF-8 (WSGI hands the path over as latin-1 text of its bytes, a
    # form no client signs)
    arrived = _utf8(environ.get("sandbox.raw_path") or environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    if arrived:
        candidates += _with_and_without(arrived, environ, mount_prefix)
    seen, ordered = set(), []
    for path in candidates:
        if path and path not in seen:
            seen.add(path)
            ordered.append(path + suffix)
    return ordered


def _utf8(wsgi_text: str) -> str | None:
    """A WSGI path (bytes as latin-1 text, PEP 3333) as the UTF-8 text the client meant;
    None when its bytes are not UTF-8."""
    try:
        return wsgi_text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _with_and_without(path: str, environ, mount_prefix: str) -> list[str]:
    """``path``, then without a ``/_ns/<name>`` prefix, then without the mount prefix."""
    forms = [path]
    namespace = environ.get("sandbox.namespace")
    if namespace and path.startswith(f"/_ns/{namespace}/"):
        path = path[len(f"/_ns/{namespace}"):]
        forms.append(path)
    if path.startswith(mount_prefix + "/"):
        forms.append(path[len(mount_prefix):])
    return forms
