"""SaaSquatch authentication: HTTP Basic with the tenant's API key.

The docs say "Provide your API key as the basic auth password. You do not need to provide
a username" (curl ``-u :KEY``); older guides put the key in the username (``-u KEY:``).
Either field is accepted. The header must be HTTP Basic as RFC 7617 defines it:
``base64(user-id ":" password)``; credentials without the colon (``base64("KEY")``) are
malformed and answered 401, as a standard Basic parser refuses them. The tenant comes from the path: an unknown alias is 404 before
the key is looked at; a missing or wrong key (another tenant's included) is 401.
"""
from __future__ import annotations

import base64

from sandbox.core.auth import basic_credentials, secrets_equal

from . import errors, store


def authenticate(db, tenant_alias: str, authorization: str | None) -> dict:
    """The tenant row for a request to ``tenant_alias`` with this Authorization header."""
    tenant = store.tenant(db, tenant_alias)
    if tenant is None:
        raise errors.tenant_not_found()
    credentials = basic_credentials(authorization)
    if credentials is None or not any(secrets_equal(given, tenant["api_key"])
                                      for given in credentials if given):
        raise errors.unauthorized()
    return tenant


def basic_header(api_key: str) -> str:
    """``Authorization`` value the vendor's own SDK sends: Basic base64(":" + key)."""
    return "Basic " + base64.b64encode(f":{api_key}".encode("utf-8")).decode("ascii")


def replay_headers(section: dict, auth: dict, method: str, path: str, body: bytes) -> dict:
    """Headers that authenticate a replayed request as the tenant named by ``auth``
    (``{tenant: TENANT_ALIAS}``)."""
    alias = (auth or {}).get("tenant")
    if not alias:
        raise ValueError("saasquatch steps authenticate with auth: {tenant: TENANT_ALIAS}")
    for tenant in (section or {}).get("tenants") or []:
        if tenant.get("tenant_alias") == alias:
            return {"Authorization": basic_header(str(tenant.get("api_key", "")))}
    raise KeyError(f"no saasquatch tenant {alias!r} in the scenario")
