"""MX Atrium emulation, mounted at `/atrium`."""
import sys

from sandbox.core.apis import ApiPackage

from . import auth, errors, routes, scenario, schemas, store  # noqa: F401  (the parts API is made of)
from .service.events import SOURCE

API = ApiPackage.assemble(
    sys.modules[__name__],
    secret_headers=("MX-API-Key",),
    content_type=auth.CONTENT_TYPES["v1"],
    title="MX Atrium API (users, members, aggregation, rewards beta)",
    security={"apiKey": {"type": "apiKey", "in": "header", "name": "MX-API-Key"},
              "clientID": {"type": "apiKey", "in": "header", "name": "MX-Client-ID"}},
    events=SOURCE,
)
