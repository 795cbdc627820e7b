"""Every answer a sandbox gives the test suite, checked against the OpenAPI document it serves.

``install()`` (tests/conftest.py) wraps Flask's test client: each response of a sandbox app
(made by ``build_sandbox``, so the suite's fixtures, in-process replay and direct builds alike)
to a documented operation is validated with openapi-core against that app's own served
document, status, media type and body; a disagreement raises ``NonConformant`` in the test
that received it. Answers that no document can describe are left out: a path no route
serves (404 or 405 from the router), a documented-as-binary page (the docs, the dashboard),
and an injected fault's body (the fault says what it is).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field

from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

HOST = "http://sandbox.test"
_NAMESPACE = re.compile(r"^/_ns/[^/]+")
_validators: dict = {}


class NonConformant(AssertionError):
    """A response and the OpenAPI document of its API disagree."""


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str = "application/json"
    parameters: RequestParameters = field(default_factory=RequestParameters)

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes


def document_for(app, path: str) -> tuple[str, str] | None:
    """(the API's name, the path as its document sees it: below the namespace and any extra
    prefix) for a request path, or None when no document covers it."""
    runtime = app.extensions.get("sandbox")
    if runtime is None:
        return None
    path = _NAMESPACE.sub("", path)
    for mount in [runtime.control, *runtime.apis]:
        prefix = mount.prefix
        if path == prefix or path.startswith(prefix + "/"):
            rest = path[len(prefix):]
            for extra in getattr(mount, "extra_prefixes", ()):
                if rest == extra or rest.startswith(extra + "/"):
                    rest = rest[len(extra):]
            return mount.name, prefix + (rest.rstrip("/") or rest)   # MyRewards ignores a trailing slash
    return None


def _validator(app, name: str) -> OpenAPI:
    runtime = app.extensions["sandbox"]
    with app.app_context():
        document = runtime.openapi_document(name)
    key = json.dumps(document, sort_keys=True)
    if key not in _validators:
        # vendor JSON media types (application/vnd.mx.atrium.v1+json) read as JSON
        vendor_json = {kind: _read_json for kind in set(re.findall(r'"([a-z]+/[\w.+-]+\+json)"', key))}
        _validators[key] = OpenAPI.from_dict(json.loads(key),
                                             config=Config(extra_media_type_deserializers=vendor_json))
    return _validators[key]


def _read_json(value, **parameters):
    return json.loads(value)


def problems(app, method: str, path: str, query: str, response) -> list[str]:
    """What in ``response`` (a werkzeug response) disagrees with the document of its API.
    The operation is found from the route that served the request (its path template), so
    a path the router reads differently from a template (``<path:url>``) is no matter."""
    if method in ("HEAD", "OPTIONS"):
        return []
    rule = _rule(app, method, path)
    found = None if rule is None else document_for(app, rule.rule)
    if found is None:
        return []           # no route (the router's 404/405), or none of an API's
    name, api_path = found
    blueprint = rule.endpoint.split(".")[0]
    if not (blueprint == name or blueprint.startswith(name + "_alt")) or api_path.endswith("/openapi.json"):
        return []           # another blueprint's (the dashboard), or the document itself
    validator = _validator(app, name)
    template = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", api_path)
    request = _Request(HOST, template, method.lower(), None,
                       parameters=RequestParameters(query=ImmutableMultiDict(_pairs(query))))
    answer = _Response(response.status_code, (response.content_type or "").lower(), response.headers,
                       response.get_data())
    return [_describe(e) for e in validator.iter_response_errors(request, answer)]


def _rule(app, method: str, path: str):
    """The route that serves ``method path``, or None when none does."""
    adapter = app.url_map.bind("sandbox.test")
    try:
        rule, _ = adapter.match(_NAMESPACE.sub("", path) or "/", method=method, return_rule=True)
    except Exception:
        return None
    return rule


def _pairs(query: str) -> list:
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=True)


def _describe(error) -> str:
    cause = getattr(error, "__cause__", None)
    details = [str(error)]
    for inner in getattr(cause, "schema_errors", None) or ([cause] if cause else []):
        details.append(f"{list(getattr(inner, 'absolute_path', []))}: {getattr(inner, 'message', inner)}")
    return "; ".join(details)


class _Tap:
    """Remembers, per thread, the environ the app last saw: the test client copies the one it
    built, so only this tells what the pipeline marked (``sandbox.fault``)."""

    last = threading.local()

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        _Tap.last.environ = environ
        return self.wsgi_app(environ, start_response)


def install() -> None:
    """Validate every response the suite's test clients receive (idempotent)."""
    if getattr(FlaskClient.open, "_conformance", False):
        return
    original = FlaskClient.open

    def open_and_check(self, *args, **kwargs):
        app = self.application
        if "sandbox" in app.extensions and not isinstance(app.wsgi_app, _Tap):
            app.wsgi_app = _Tap(app.wsgi_app)
        _Tap.last.environ = None
        response = original(self, *args, **kwargs)
        environ = _Tap.last.environ
        if environ is None or environ.get("sandbox.fault"):
            return response
        request = response.request
        found = problems(app, request.method, environ.get("sandbox.raw_path") or request.path,
                         request.query_string.decode("latin-1"), response)
        if found:
            raise NonConformant(f"{request.method} {request.full_path} answered {response.status_code} "
                                f"{response.content_type!r}, which its OpenAPI document does not describe:\n  "
                                + "\n  ".join(found) + f"\nbody: {response.get_data()[:500]!r}")
        return response

    open_and_check._conformance = True
    FlaskClient.open = open_and_check
