"""MyRewards emulation, mounted at `/myrewards`."""
from sandbox.core.apis import ApiPackage

from . import auth, errors, scenario, store
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
)
