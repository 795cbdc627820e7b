"""Hostile input on every route of every API and of the control API: bodies that are not
JSON, a wrong JSON type at every level, missing and extra fields, huge, negative and
fractional numbers, long, unicode, control-character and SQL-looking strings, path ids
that do not exist or belong to the other tenant, hostile query values, wrong content
types, bodies over the size limit and invalid namespace selectors.

Every answer is below 500 and, when the request is refused, in the vendor's own error
shape with the state exactly as it was (harness.Tally.check)."""
from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.core.settings import DEFAULT_MAX_BODY_BYTES

from tests.support import examples

from .catalogue import APIS, PREFIX, encode, routes
from .harness import SCALE, Tally
from .mutations import (CONTENT_TYPES, NAMESPACES, NASTY_STRINGS, NOT_JSON, PATH_IDS, body_mutations,
                        fixed_body_variants, hostile_values, path_values, query_values)
from .world import WORLD

pytestmark = pytest.mark.slow

ALL = (*APIS, "control")
EXAMPLES = examples(12) * SCALE


def fresh(sandbox, route, tenant="a") -> dict:
    """Reset the world, run the route's setup, and return the state to compare with."""
    sandbox.load(WORLD)
    for step in route.setup:
        assert sandbox.call(step, tenant).status_code < 300
    return sandbox.state(route.api)


@pytest.mark.parametrize("api", ALL)
def test_catalogue_covers_every_served_route_and_each_works_for_its_owner(sandbox, api):
    document = sandbox.http.get(f"{PREFIX[api]}/openapi.json").get_json()
    served = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    assert served == {route.key for route in routes(api)}
    for route in routes(api):
        fresh(sandbox, route)
        response = sandbox.call(route)
        assert response.status_code < 300, (route.key, response.get_data()[:300])
    print(f"[reliability] catalogue, {api}: {len(served)} served operations, each answered < 300 for its owner")


def fixed_cases(sandbox, route, other):
    """(label, send) for every fixed hostile variation of ``route`` (tenant a's request);
    ``other`` is the same route as tenant b makes it."""
    api, url, body = route.api, route.url(), encode(route.body)

    def send(url=url, body=body, **kw):
        return lambda: sandbox.send(api, route.method, url, body, namespace=route.namespace, **kw)

    for raw in NOT_JSON:
        yield f"body {raw[:16]!r}", send(body=raw)
    if route.body is not None:
        for label, variant in fixed_body_variants(route.body):
            yield label, send(body=encode(variant))
    for content_type in CONTENT_TYPES:
        yield f"content type {content_type}", send(content_type=content_type)
    yield "a body over the size limit", send(body=b'{"x": "' + b"x" * DEFAULT_MAX_BODY_BYTES + b'"}')
    for name, value in route.params.items():
        for bad in [*PATH_IDS, other.params[name]]:
            if bad != value:
                yield f"{{{name}}}={bad!r:.30}", send(url=route.url(**{name: bad}))
    for name in route.query or {}:
        for bad in NASTY_STRINGS[:12]:
            yield f"?{name}={bad!r:.30}", send(url=route.url({**route.query, name: bad}))
        yield f"without ?{name}", send(url=route.url({k: v for k, v in route.query.items() if k != name} or {"_": ""}))
    yield "junk query", send(url=route.url({**(route.query or {}), "limit": "-1", "offset": "1e9", "page": "x" * 300}))
    for namespace in NAMESPACES:
        yield f"namespace {namespace!r}", send(headers={"X-Sandbox-Namespace": namespace})


def assert_no_errors_logged(caplog):
    """A refused request is the client's problem: the server logs no error or traceback."""
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not logged, [f"{r.getMessage()} {r.exc_text or ''}"[:500] for r in logged[:5]]


@pytest.mark.parametrize("api", ALL)
def test_fixed_hostile_requests_on_every_route(sandbox, api, caplog):
    tally = Tally(f"hostile input (fixed cases), {api}")
    for route, other in zip(routes(api, "a"), routes(api, "b")):
        before = fresh(sandbox, route)
        for label, send in fixed_cases(sandbox, route, other):
            before = tally.check(sandbox, api, send, before, f"{route.method} {route.template} {label}")
    tally.report(routes=len(routes(api)))
    tally.assert_clean()
    assert_no_errors_logged(caplog)


def _strategy(route):
    """(url, body bytes) with hostile path ids, query values and body changes."""
    params = st.fixed_dictionaries({name: st.one_of(st.just(value), path_values)
                                    for name, value in route.params.items()})
    query = st.fixed_dictionaries({name: st.one_of(st.just(str(value)), query_values)
                                   for name, value in (route.query or {}).items()})
    if route.body is not None:
        body = body_mutations(route.body).map(encode)
    else:
        body = st.one_of(st.just(b""), hostile_values.map(encode))
    return st.tuples(params, query, body).map(lambda t: (route.url(t[1] or None, **t[0]), t[2]))


@pytest.mark.parametrize("api", ALL)
def test_hypothesis_hostile_requests_on_every_route(sandbox, api, caplog):
    tally = Tally(f"hostile input (hypothesis), {api}")
    for route in routes(api):
        current = {"before": fresh(sandbox, route)}

        @settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))
        @given(request=_strategy(route))
        def run(request):
            url, body = request
            failures = len(tally.failures)
            current["before"] = tally.check(
                sandbox, api, lambda: sandbox.send(api, route.method, url, body, namespace=route.namespace),
                current["before"], f"{route.method} {url[:200]!r} body {body[:200]!r}")
            assert len(tally.failures) == failures, tally.failures[-1]

        try:
            run()
        except AssertionError as exc:   # hypothesis shrank it; keep going with the other routes
            tally.failures.append(f"{route.method} {route.template}: minimal failing example: {exc}")
    tally.report(routes=len(routes(api)), examples_per_route=EXAMPLES)
    tally.assert_clean()
    assert_no_errors_logged(caplog)
