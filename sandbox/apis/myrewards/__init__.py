"""MyRewards emulation, mounted at `/myrewards`."""
from sandbox.core.apis import ApiPackage

from . import auth, errors, scenario, schemas, store
from .routes import bp

API = ApiPackage(
    name="myrewards",
    blueprint=bp,
    render_error=errors.render_error,
    migrations=store.migrations,
    section_schema=scenario.SectionSchema,
    seed=scenario.seed,
    credentials=scenario.credentials,
    auth_headers=auth.replay_headers,
    content_type=errors.JSON_TYPE,
    title="MyRewards API (programmes, users, points transactions, performance claims)",
    error_schema=schemas.ErrorSchema,
    security={"Token": {"type": "apiKey", "in": "header", "name": "Authorization",
                        "description": "Token token=KEY, or Token token=KEY:SECRET for a key with a secret"}},
)
