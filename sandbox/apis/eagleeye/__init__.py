"""Eagle Eye AIR emulation, mounted at `/eagleeye`."""
import sys
import uuid

from sandbox.core.apis import ApiPackage

from . import auth, errors, routes, scenario, schemas, store  # noqa: F401  (the parts API is made of)
from .service.exchange import ROLLBACK_FAULT

API = ApiPackage.assemble(
    sys.modules[__name__],
    secret_headers=(auth.HASH_HEADER,),
    content_type=errors.CONTENT_TYPE,
    # every AIR answer carries x-ees-called-unique-id, the per-call id AIR clients log
    headers=lambda: {"x-ees-called-unique-id": uuid.uuid4().hex},
    named_faults={ROLLBACK_FAULT: "an exchange whose coupon issuance fails is not rolled back: 207, the debit stands"},
    extra_prefixes=("/2.0",),
    title="Eagle Eye AIR API (wallets, accounts, reward-bank exchange)",
    security={
        "ClientId": {"type": "apiKey", "in": "header", "name": auth.CLIENT_HEADER},
        "RequestHash": {"type": "apiKey", "in": "header", "name": auth.HASH_HEADER,
                        "description": (
                            "The request hash: the lowercase hex SHA-256 of the UTF-8 bytes of the path as "
                            "sent (with or without the /eagleeye mount prefix), then ?query when there is "
                            "one, then the raw request body (nothing for a GET), then the client secret. "
                            "Example: sha256('/wallet/1000' + 'SECRET'). Both headers are required.")},
    },
)
