"""MyRewards emulation, mounted at `/myrewards`."""
import sys

from sandbox.core.apis import ApiPackage

from . import auth, errors, routes, scenario, schemas, store  # noqa: F401  (the parts API is made of)

API = ApiPackage.assemble(
    sys.modules[__name__],
    content_type=errors.JSON_TYPE,
    title="MyRewards API (programmes, users, points transactions, performance claims)",
    security={"Token": {"type": "apiKey", "in": "header", "name": "Authorization",
                        "description": "Token token=KEY, or Token token=KEY:SECRET for a key with a secret"}},
)
