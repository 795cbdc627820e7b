"""SaaSquatch emulation, mounted at `/saasquatch`."""
from sandbox.core.apis import ApiPackage

from . import auth, errors, scenario, schemas, store
from .routes import bp

API = ApiPackage(
    name="saasquatch",
    blueprint=bp,
    render_error=errors.render_error,
    migrations=store.migrations,
    section_schema=scenario.SectionSchema,
    seed=scenario.seed,
    credentials=scenario.credentials,
    auth_headers=auth.replay_headers,
    title="SaaSquatch REST API (reward balances and rewards)",
    error_schema=schemas.ErrorSchema,
    security={"APIKey": {"type": "http", "scheme": "basic",
                         "description": "The tenant's API key as the Basic password (username empty)"}},
)
