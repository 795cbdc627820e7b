"""Eagle Eye AIR emulation, mounted at `/eagleeye`."""
from sandbox.core.apis import ApiPackage

from . import auth, errors, scenario, schemas, store
from .routes import bp
from .service.exchange import ROLLBACK_FAULT

API = ApiPackage(
    name="eagleeye",
    blueprint=bp,
    render_error=errors.render_error,
    migrations=store.migrations,
    section_schema=scenario.SectionSchema,
    seed=scenario.seed,
    credentials=scenario.credentials,
    auth_headers=auth.replay_headers,
    named_faults={ROLLBACK_FAULT: "an exchange whose coupon issuance fails is not rolled back: 207, the debit stands"},
    extra_prefixes=("/2.0",),
    title="Eagle Eye AIR API (wallets, accounts, reward-bank exchange)",
    error_schema=schemas.ErrorSchema,
    security={
        "ClientId": {"type": "apiKey", "in": "header", "name": auth.CLIENT_HEADER},
        "RequestHash": {"type": "apiKey", "in": "header", "name": auth.HASH_HEADER,
                        "description": "lowercase hex SHA-256 of path + ?query + raw body + client secret"},
    },
)
