"""A tiny fifth API, built as sandbox/core/README.md says an API is added: this package (the
same file set as every package under sandbox/apis/), then one line in a registry. The tests
use it to prove the core's mechanisms on their own and that everything that lists the APIs
derives from the registry (tests/core/test_fifth_api.py)."""
from sandbox.core.apis import ApiPackage

from . import auth, errors, scenario, schemas, store
from .routes import bp

API = ApiPackage(
    name="dummy",
    blueprint=bp,
    render_error=errors.render_error,
    migrations=store.migrations,
    section_schema=scenario.SectionSchema,
    seed=scenario.seed,
    credentials=scenario.credentials,
    auth_headers=auth.replay_headers,
    secret_headers=(auth.KEY_HEADER,),
    title="Dummy wallets",
    error_schema=schemas.ErrorSchema,
    security={"key": {"type": "apiKey", "in": "header", "name": auth.KEY_HEADER}},
)
