"""Eagle Eye AIR authentication: ``X-EES-AUTH-CLIENT-ID`` and ``X-EES-AUTH-HASH``.

The hash is the lowercase hex SHA-256 of ``path + ("?" + query) + raw body + client
secret`` ("API authentication"; as Eagle Eye's own clients compute it). No
canonicalisation: the client hashes the bytes it sends. The sandbox accepts the path as it
arrived (mount prefix included) and the path below the ``/eagleeye`` mount, in decoded and
in percent-encoded form, so clients that sign only the vendor path also work (the
sandbox's choice: the Eagle Eye README, "Rules").
"""
from __future__ import annotations

import hashlib

from flask import request

from sandbox.core.auth import secrets_equal, signing_paths
from sandbox.core.http import raw_body

from . import errors, store

CLIENT_HEADER = "X-EES-AUTH-CLIENT-ID"
HASH_HEADER = "X-EES-AUTH-HASH"
MOUNT = "/eagleeye"


def request_hash(path_and_query: str, body: bytes, secret: str) -> str:
    """The AIR request hash."""
    return hashlib.sha256(path_and_query.encode("utf-8") + body + secret.encode("utf-8")).hexdigest()


def authenticate(db) -> dict:
    """The calling client's row, or ApiError 401."""
    client_id = request.headers.get(CLIENT_HEADER)
    given = (request.headers.get(HASH_HEADER) or "").strip().lower()
    if not client_id or not given:
        raise errors.unauthorized(f"Missing {CLIENT_HEADER} or {HASH_HEADER} header")
    client = store.get_client(db, client_id)
    if client is None:
        raise errors.unauthorized("Unknown client id")
    body = raw_body()
    # compare against every accepted form; each comparison is constant time
    matches = [secrets_equal(given, request_hash(path, body, client["secret"]))
               for path in signing_paths(request.environ, MOUNT)]
    if not any(matches):
        raise errors.unauthorized("Invalid request hash")
    return client


def replay_headers(section: dict, auth: dict, method: str, path: str, body: bytes) -> dict:
    """Headers that authenticate a replayed request as the client named by ``auth``
    (``{client: CLIENT_ID}``); ``path`` is the full path sent, ``?query`` included."""
    client_id = auth.get("client")
    for client in (section or {}).get("clients") or []:
        if client.get("client_id") == client_id:
            digest = request_hash(path, body or b"", str(client["secret"]))
            return {CLIENT_HEADER: client_id, HASH_HEADER: digest}
    raise KeyError(f"eagleeye: no client {client_id!r} under eagleeye.clients in this scenario")
