"""MX Atrium emulation, mounted at `/atrium`."""
from sandbox.core.apis import ApiPackage

from . import auth, errors, scenario, schemas, store
from .routes import bp

API = ApiPackage(
    name="atrium",
    blueprint=bp,
    render_error=errors.render_error,
    migrations=store.migrations,
    section_schema=scenario.SectionSchema,
    seed=scenario.seed,
    credentials=scenario.credentials,
    auth_headers=auth.replay_headers,
    secret_headers=("MX-API-Key",),
    content_type=auth.CONTENT_TYPES["v1"],
    title="MX Atrium API (users, members, aggregation, rewards beta)",
    error_schema=schemas.ErrorSchema,
    security={"apiKey": {"type": "apiKey", "in": "header", "name": "MX-API-Key"},
              "clientID": {"type": "apiKey", "in": "header", "name": "MX-Client-ID"}},
)
