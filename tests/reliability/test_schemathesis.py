"""schemathesis, driven by each API's served OpenAPI document (and the control API's):
for every operation, requests generated from the document (positive: valid by the
schema; negative: violating it) with world.py's real path ids half of the time and valid
credentials, against the in-process app. Every answer is below 500, refusals are in the
vendor's error shape, a refused request leaves the state as it was, and every answer agrees
with the document (status, media type, body: tests/conformance.py checks each one the test
client receives, and a disagreement is a failure here).

Example counts are small and derandomized so CI is stable; SANDBOX_RELIABILITY_SCALE
raises them."""
from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from .catalogue import APIS, PREFIX, _quote, routes
from tests.support import examples

from .harness import SCALE, Tally
from .test_hostile_input import assert_no_errors_logged, fresh

pytestmark = pytest.mark.slow

ALL = (*APIS, "control")
EXAMPLES = examples(5) * SCALE          # per operation, mode and choice of path ids


def _body(kwargs: dict) -> bytes:
    if "json" in kwargs:
        return json.dumps(kwargs["json"], default=str).encode()
    data = kwargs.get("data", kwargs.get("body"))
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    if isinstance(data, dict):
        return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in data.items()).encode()
    return str(data).encode("utf-8", "surrogatepass")


def _url(kwargs: dict) -> str:
    pairs = []
    for name, value in (kwargs.get("query_string") or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{_quote(name)}={_quote(item)}")
    return kwargs["path"] + (f"?{'&'.join(pairs)}" if pairs else "")


def _negatable(operation) -> bool:
    """Whether the operation has a body or query to violate (path ids are plain strings,
    which no value violates)."""
    definition = operation.definition.raw
    return "requestBody" in definition or any(p.get("in") == "query" for p in definition.get("parameters", []))


def _strategy(operation, route):
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if _negatable(operation) else [])
    options = []
    for mode in modes:
        options.append(operation.as_strategy(mode))
        if route.params:
            options.append(operation.as_strategy(mode, path_parameters={k: str(v) for k, v in route.params.items()}))
    return st.one_of(options), len(options)


@pytest.mark.parametrize("api", ALL)
def test_schemathesis_from_the_served_openapi_document(sandbox, api, caplog):
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX[api]}/openapi.json", sandbox.app)
    by_key = {route.key: route for route in routes(api)}
    tally = Tally(f"schemathesis, {api}")
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        route = by_key[(operation.method.upper(), operation.path)]
        current = {"before": fresh(sandbox, route)}
        strategy, variants = _strategy(operation, route)

        @settings(max_examples=EXAMPLES * variants, suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            kwargs = case.as_transport_kwargs()
            url, body = _url(kwargs), _body(kwargs)
            content_type = (kwargs.get("headers") or {}).get("Content-Type")
            failures = len(tally.failures)
            current["before"] = tally.check(
                sandbox, api, lambda: sandbox.send(api, operation.method.upper(), url, body,
                                                   content_type=content_type, namespace=route.namespace),
                current["before"], f"{operation.label}: {url[:200]!r} body {body[:200]!r}")
            assert len(tally.failures) == failures, tally.failures[-1]

        try:
            run()
        except AssertionError as exc:
            tally.failures.append(f"{operation.label}: minimal failing example: {exc}")
    tally.report(operations=len(operations), examples_per_variant=EXAMPLES)
    tally.assert_clean()
    assert_no_errors_logged(caplog)
