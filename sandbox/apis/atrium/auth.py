"""MX Atrium authentication policy: the ``MX-API-Key`` and ``MX-Client-ID`` headers on
every call (names case-insensitive), and the versioned Accept header."""
from __future__ import annotations

from sandbox.core.auth import secrets_equal

from . import store
from . import errors

V1 = "application/vnd.mx.atrium.v1+json"
BETA = "application/vnd.mx.atrium.beta+json"
# what each version's answers are sent as
CONTENT_TYPES = {"v1": f"{V1}; charset=utf-8", "beta": f"{BETA}; charset=utf-8"}
_BETA_PATH_PARTS = ("/rewards", "/fetch_rewards", "/credit_card_products")


def authenticate(db, headers) -> dict:
    """The calling client (with its ``features``), or 401."""
    client_id = headers.get("MX-Client-ID")
    client = store.get_client(db, client_id) if client_id else None
    if client is None or not secrets_equal(headers.get("MX-API-Key"), client["api_key"]):
        raise errors.unauthorized()
    return client


def requested_version(accept: str | None) -> str | None:
    """``"beta"``, ``"v1"`` or None: the API version the Accept header names."""
    media_types = {part.split(";")[0].strip().lower() for part in (accept or "").split(",")}
    if BETA in media_types:
        return "beta"
    return "v1" if V1 in media_types else None


def answer_type(headers) -> str | None:
    """The content type of every answer to a request, errors included: the version its
    Accept header names (None when it names neither: then v1's)."""
    version = requested_version(headers.get("Accept"))
    return CONTENT_TYPES[version] if version else None


def negotiate(accept: str | None, beta_required: bool) -> str:
    """``"beta"`` or ``"v1"``: the API version the Accept header asks for, or 406."""
    version = requested_version(accept)
    if version != "beta" and beta_required:
        raise errors.not_acceptable(
            f"This endpoint is a beta feature; pass the beta Accept header: {BETA}.")
    if version is None:
        raise errors.not_acceptable()
    return version


def replay_headers(section: dict, auth: dict, method: str, path: str, body: bytes) -> dict:
    """Headers for a replayed request made as ``auth: {client: CLIENT_ID}``: the two MX
    headers, and the Accept header the endpoint needs (beta for rewards) unless the
    step sets its own."""
    client_id = (auth or {}).get("client")
    if not client_id:
        raise KeyError("Atrium steps name their credential as auth: {client: CLIENT_ID}")
    for client in (section or {}).get("clients") or []:
        if isinstance(client, dict) and client.get("client_id") == client_id:
            route = path.split("?", 1)[0]
            beta = any(part in route for part in _BETA_PATH_PARTS)
            return {"MX-Client-ID": client_id, "MX-API-Key": str(client.get("api_key", "")),
                    "Accept": BETA if beta else V1}
    raise KeyError(f"no Atrium client {client_id!r} in the scenario's atrium.clients")
