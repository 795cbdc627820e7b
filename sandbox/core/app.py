"""The app factory: the control API, the four emulated APIs, and the request pipeline
every API request goes through (namespace, injected faults, journal, error shape)."""
from __future__ import annotations

import logging
import re
import sys
import time

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import Rule

from . import bodies, faults, journal, turns
from .apis import ApiPackage
from .context import RequestState, activate, current, deactivate, journal_path, namespace, state_db
from .cors import CorsMiddleware
from .errors import ApiError, RequestError
from .http import answer
from .masking import mask_body, mask_pairs
from .namespaces import NamespaceBusy, NamespaceLimitError, NamespaceNameError, NamespaceNotFound
from .runtime import SandboxRuntime

log = logging.getLogger("sandbox")
QUIET_PATHS = ("/_sandbox/health",)
_SLASHES = re.compile("/{2,}")


class NamespaceMiddleware:
    """Serves ``/_ns/<name>/...`` as ``/...`` in namespace ``name``, remembers the path
    exactly as it arrived (some vendors sign it), and makes the request's
    ``RequestState`` current for the pipeline and the routes."""

    # perf: one RequestState, plain attributes instead of g/request proxies: reads +7-8% (bench/README.md)
    def __init__(self, app, runtime):
        self.app = app
        self.runtime = runtime

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        environ["sandbox.raw_path"] = environ.get("SCRIPT_NAME", "") + path
        bodies.take_body(environ, self.runtime.settings.max_body_bytes)
        if path.startswith("/_ns/"):
            name, _, rest = path[len("/_ns/"):].partition("/")
            environ["sandbox.namespace"] = name
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/_ns/" + name
            environ["PATH_INFO"] = "/" + rest
        state = environ["sandbox.state"] = RequestState(self.runtime, environ)
        if state.owner is not None and state.owner.lenient_slashes:
            environ["PATH_INFO"] = tidy_slashes(environ["PATH_INFO"])
        token = activate(state)
        try:
            return self.app(environ, start_response)
        finally:
            deactivate(token)
            state.close()


def tidy_slashes(path: str) -> str:
    """``path`` without repeated slashes or a trailing one."""
    tidy = _SLASHES.sub("/", path)
    return tidy[:-1] if len(tidy) > 1 and tidy.endswith("/") else tidy


class LazyBuilderRule(Rule):
    """A URL rule whose URL builders are compiled when first used. perf: werkzeug compiles
    two per rule as the rule is added (Python source, through ``ast`` and ``compile``), about
    70 ms of a cold start for the sandbox's ~170 rules, and URLs are built for few of them
    (bench/README.md). Should werkzeug stop calling ``_compile_builder``, rules only stop
    being lazy."""

    def _compile_builder(self, append_unknown: bool = True):
        compile_builder, compiled = super()._compile_builder, []

        def build(rule, **values):
            if not compiled:
                compiled.append(compile_builder(append_unknown).__get__(rule, None))
            return compiled[0](**values)
        return build


class SandboxFlask(Flask):
    """Flask, remembering which functions are plain ``def``: Flask asks (through
    ``inspect``) for every view, before- and after-request function on every request.
    Its URL rules compile their builders lazily (``LazyBuilderRule``)."""

    url_rule_class = LazyBuilderRule
    # perf: worker CPU -9..-17 us a request with the journal's environ headers (bench/README.md)
    _sync: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync[func]
        except KeyError:
            found = self._sync[func] = super().ensure_sync(func)
            return found
        except TypeError:           # not hashable
            return super().ensure_sync(func)


def create_app(settings, apis, control, *, secret_headers=()) -> Flask:
    """The WSGI app serving ``control`` (a ControlMount, with the blueprints it brings) and
    every ApiPackage in ``apis``. The journal masks the request headers any of them declares
    secret, and ``secret_headers``."""
    app = SandboxFlask("sandbox")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    runtime = app.extensions["sandbox"] = SandboxRuntime(settings, apis, control, secret_headers)

    app.register_blueprint(control.blueprint, url_prefix=control.prefix)
    for blueprint, url_prefix in control.extra_blueprints:
        app.register_blueprint(blueprint, url_prefix=url_prefix)
    for api in runtime.apis:
        app.register_blueprint(api.blueprint, url_prefix=api.prefix)
        for i, extra in enumerate(api.extra_prefixes):
            app.register_blueprint(api.blueprint, url_prefix=api.prefix + extra, name=f"{api.name}_alt{i}")
    if runtime.root_api is not None:
        api = runtime.root_api
        app.register_blueprint(api.blueprint, url_prefix="", name=f"{api.name}_root")
        for i, extra in enumerate(api.extra_prefixes):
            app.register_blueprint(api.blueprint, url_prefix=extra, name=f"{api.name}_root_alt{i}")

    for api in runtime.apis:
        app.add_url_rule(f"{api.prefix}/openapi.json", endpoint=f"openapi_{api.name}",
                         view_func=_openapi_view(api.name))

    app.before_request(_before_request)
    app.after_request(_after_request)
    app.register_error_handler(Exception, _handle_error)
    app.wsgi_app = NamespaceMiddleware(app.wsgi_app, runtime)
    if settings.cors_origins:
        app.wsgi_app = CorsMiddleware(app.wsgi_app, settings.cors_origins)
    return app


def _openapi_view(api_name: str):
    def openapi_document():
        return _runtime().openapi_document(api_name, request.script_root)

    openapi_document.__name__ = f"openapi_{api_name}"
    return openapi_document


def _runtime() -> SandboxRuntime:
    return current().runtime


def _before_request():
    state = current()
    problem = state.environ.get(bodies.PROBLEM)
    if problem is not None:         # nothing of a body that cannot be used is processed
        raise _body_error(*problem)
    try:
        namespace()
    except NamespaceNameError as exc:
        raise RequestError(RequestError.NAMESPACE, str(exc)) from None
    owner = state.owner
    if not isinstance(owner, ApiPackage):
        return None
    req = request._get_current_object()
    fault = faults.take_matching(state_db(), owner.name, req.method, req.path)
    if fault is None:
        return None
    if fault["delay_ms"]:
        with turns.waiting():
            time.sleep(fault["delay_ms"] / 1000)
    if not fault["status"]:
        return None
    state.environ["sandbox.fault"] = fault["id"]   # an answer the client asked for: no document describes it
    if fault["body"] is not None:
        return answer(fault["body"], fault["status"], content_type="application/json")
    return _render(owner, ApiError("Injected fault", status=fault["status"]))


def _after_request(response: Response) -> Response:
    state = current()
    req = request._get_current_object()
    duration_ms = (time.perf_counter() - state.started) * 1000
    owner = state.owner
    if owner is not None and owner.headers is not None:
        response.headers.update(owner.headers())
    # a request refused for its namespace selector, or naming one that does not exist, has
    # no journal to record into
    if owner is not state.runtime.control and state.ns is not None:
        try:
            # created on first use under the usual rule, so a first request that no route
            # matches (a typo in a namespaced base URL) is still journaled as unmatched
            path = journal_path()
        except (NamespaceNotFound, NamespaceLimitError, NamespaceBusy):
            path = None
        if path is not None:
            try:
                _record(state, req, response, duration_ms, path)
            except Exception:  # the journal must never break a response
                log.exception("could not record request in the journal")
    if state.runtime.settings.log_requests and req.path not in QUIET_PATHS:
        query = req.environ.get("QUERY_STRING", "")
        print(f"{req.method} {req.path}{'?' + mask_pairs(query) if query else ''} {response.status_code} "
              f"{duration_ms:.1f}ms ns={state.ns or 'default'}", file=sys.stdout, flush=True)
    return response


def _record(state: RequestState, req, response: Response, duration_ms: float, path: str) -> None:
    """Journal the request raw; the journal masks and formats entries when they are read."""
    settings = state.runtime.settings
    environ = req.environ
    body = environ.get(bodies.BODY, b"")    # read whole by bodies.take_body, or none
    if bodies.PROBLEM in environ:
        body = f"[body not recorded: {environ[bodies.PROBLEM][1]}]"
    elif len(body) > journal.BODY_LIMIT:    # masked and cut now, so the spill stays small
        body = journal.truncate(mask_body(body))
    response_body = None if response.direct_passthrough else response.get_data()[: journal.BODY_LIMIT + 1]
    owner = state.owner
    raw = (
        owner.name if isinstance(owner, ApiPackage) else None,
        req.method,
        req.path,
        req.query_string,
        journal.raw_headers(environ),
        body,
        response.status_code,
        response_body,
        duration_ms,
    )
    journal.record(path, raw, settings.journal_limit, settings.journal_max_bytes)


def _handle_error(exc: Exception):
    """Every error of every request, answered in the serving API's error shape (the
    control API's for paths outside every API)."""
    if isinstance(exc, ApiError):
        err = exc
    elif isinstance(exc, (NamespaceNotFound, NamespaceLimitError, NamespaceBusy, NamespaceNameError)):
        err = namespace_error(exc)
    elif isinstance(exc, HTTPException):
        err = _request_error(exc)
    else:
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=exc)
        err = RequestError(RequestError.INTERNAL, "Internal server error", status=500)
    state = current()
    return _render(state.owner or state.runtime.control, err)


def _render(owner, err: ApiError) -> Response:
    body, headers = owner.render_error(err)
    if isinstance(err, RequestError):
        headers = {**headers, **err.headers}
    return answer(body, err.status, content_type=_error_type(owner), headers=headers)


def _error_type(owner) -> str:
    """Errors come in the content type the request negotiated, if the API negotiates one
    (worked out again for a request refused before its API's own checks ran)."""
    state = current()
    if state.answer_type is not None and state.owner is owner:
        return state.answer_type
    if owner.answer_type is not None:
        return owner.answer_type(request.headers) or owner.content_type
    return owner.content_type


def _request_error(exc: HTTPException) -> RequestError:
    if isinstance(exc, NotFound):
        return RequestError(RequestError.NO_ROUTE, "Resource not found", status=404)
    if isinstance(exc, MethodNotAllowed):
        allowed = {"Allow": ", ".join(sorted(exc.valid_methods))} if exc.valid_methods else {}
        return RequestError(RequestError.METHOD, f"Method {request.method} not allowed", status=405, headers=allowed)
    if isinstance(exc, RequestEntityTooLarge):
        return RequestError(RequestError.TOO_LARGE, "Request body too large", status=413)
    return RequestError(RequestError.HTTP, exc.name, status=exc.code or 500)


def _body_error(status: int, message: str) -> RequestError:
    """A body that cannot be used (``bodies.take_body``): over the limit, cut short, late."""
    kind = {413: RequestError.TOO_LARGE, 400: RequestError.UNREADABLE}.get(status, RequestError.HTTP)
    return RequestError(kind, message, status=status)


def namespace_error(exc: Exception) -> RequestError:
    """Why a request's namespace cannot be had, as an answer in the API's own shape."""
    if isinstance(exc, NamespaceNotFound):
        return RequestError(RequestError.NAMESPACE, f"no namespace {exc.args[0]!r}: create it first with "
                                                    f"PUT /_sandbox/namespaces/{exc.args[0]}", status=404)
    if isinstance(exc, NamespaceLimitError):
        return RequestError(RequestError.NAMESPACE, str(exc), status=503, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, NamespaceBusy):
        return RequestError(RequestError.NAMESPACE, str(exc), status=503, headers={"Retry-After": "1"})
    return RequestError(RequestError.NAMESPACE, str(exc))
