"""A tiny fifth API, built as sandbox/core/README.md says an API is added: this package (the
same file set as every package under sandbox/apis/), then one line in a registry. The tests
use it to prove the core's mechanisms on their own and that everything that lists the APIs
derives from the registry (tests/core/test_fifth_api.py)."""
import sys

from sandbox.core.apis import ApiPackage

from . import auth, errors, routes, scenario, schemas, store  # noqa: F401  (the parts API is made of)

API = ApiPackage.assemble(
    sys.modules[__name__],
    name="dummy",
    secret_headers=(auth.KEY_HEADER,),
    named_faults={"rollback_fails": "the dummy API fails its rollback"},
    title="Dummy wallets",
    security={"key": {"type": "apiKey", "in": "header", "name": auth.KEY_HEADER}},
)
