"""SaaSquatch emulation, mounted at `/saasquatch`."""
import sys

from sandbox.core.apis import ApiPackage

from . import auth, errors, routes, scenario, schemas, store  # noqa: F401  (the parts API is made of)
from .service import SOURCE

API = ApiPackage.assemble(
    sys.modules[__name__],
    title="SaaSquatch REST API (reward balances and rewards)",
    security={"APIKey": {"type": "http", "scheme": "basic",
                         "description": "The tenant's API key as the Basic password (username empty)"}},
    events=SOURCE,
)
