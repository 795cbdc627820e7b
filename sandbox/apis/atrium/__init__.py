"""MX Atrium emulation, mounted at `/atrium`."""
import sys
import uuid

from sandbox.core.apis import ApiPackage

from . import auth, errors, routes, scenario, schemas, store  # noqa: F401  (the parts API is made of)
from .service.events import SOURCE

API = ApiPackage.assemble(
    sys.modules[__name__],
    secret_headers=("MX-API-Key",),
    content_type=auth.CONTENT_TYPES["v1"],
    # MX's versioned media types: every request names one in Accept (the beta one for the
    # rewards endpoints), and answers and bodies are in it
    media_types=(auth.V1, auth.BETA),
    accept_header=True,
    request_media_types=(auth.V1, "application/json"),
    answer_type=auth.answer_type,            # answers and errors in the version Accept names
    headers=lambda: {"X-Request-Id": str(uuid.uuid4())},   # as MX's answers carry (MX's recorded vestibule answers)
    lenient_slashes=True,                    # base URLs ending in "/" (".../atrium/") work
    title="MX Atrium API (users, members, aggregation, rewards beta)",
    security={"apiKey": {"type": "apiKey", "in": "header", "name": "MX-API-Key"},
              "clientID": {"type": "apiKey", "in": "header", "name": "MX-Client-ID"}},
    events=SOURCE,
)
