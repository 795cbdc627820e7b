"""The app factory: the control API, the four emulated APIs, and the request pipeline
every API request goes through (namespace, injected faults, journal, error shape)."""
from __future__ import annotations

import logging
import sys
import time

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import bodies, faults, journal
from .masking import mask_body, mask_pairs
from .cors import CorsMiddleware
from .context import RequestState, activate, current, deactivate, journal_path, namespace, state_db
from .errors import ApiError
from .namespaces import NamespaceBusy, NamespaceLimitError, NamespaceNameError, NamespaceNotFound
from .runtime import SandboxRuntime

log = logging.getLogger("sandbox")
QUIET_PATHS = ("/_sandbox/health",)


class NamespaceMiddleware:
    """Serves ``/_ns/<name>/...`` as ``/...`` in namespace ``name``, remembers the path
    exactly as it arrived (some vendors sign it), and makes the request's
    ``RequestState`` current for the pipeline and the routes."""

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
        token = activate(state)
        try:
            return self.app(environ, start_response)
        finally:
            deactivate(token)
            state.close()


class SandboxFlask(Flask):
    """Flask, remembering which functions are plain ``def``: Flask asks (through
    ``inspect``) for every view, before- and after-request function on every request."""

    _sync: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync[func]
        except KeyError:
            found = self._sync[func] = super().ensure_sync(func)
            return found
        except TypeError:           # not hashable
            return super().ensure_sync(func)


def create_app(settings, apis=None) -> Flask:
    if apis is None:
        from sandbox.apis import API_PACKAGES as apis
    from sandbox.control.front_door import bp as front_door_bp
    from sandbox.control.routes import bp as control_bp
    from sandbox.dashboard import bp as dashboard_bp

    app = SandboxFlask("sandbox")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    runtime = app.extensions["sandbox"] = SandboxRuntime(settings, apis)

    app.register_blueprint(control_bp, url_prefix="/_sandbox")
    app.register_blueprint(front_door_bp)
    app.register_blueprint(dashboard_bp, url_prefix="/_sandbox/ui")
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
        return _runtime().openapi_document(api_name)

    openapi_document.__name__ = f"openapi_{api_name}"
    return openapi_document


def _owner():
    return current().owner


def _runtime() -> SandboxRuntime:
    return current().runtime


def _before_request():
    state = current()
    problem = state.environ.get(bodies.PROBLEM)
    if problem is not None:         # nothing of a body that cannot be used is processed
        raise ApiError(problem[1], status=problem[0])
    try:
        namespace()
    except NamespaceNameError as exc:
        raise ApiError(str(exc), status=400) from None
    owner = state.owner
    if owner is None or owner == "control":
        return None
    req = request._get_current_object()
    fault = faults.take_matching(state_db(), owner.name, req.method, req.path)
    if fault is None:
        return None
    if fault["delay_ms"]:
        time.sleep(fault["delay_ms"] / 1000)
    if not fault["status"]:
        return None
    if fault["body"] is not None:
        return Response(json.dumps(fault["body"]), status=fault["status"], mimetype="application/json")
    return owner.render_error(ApiError("Injected fault", status=fault["status"]))


def _after_request(response: Response) -> Response:
    state = current()
    req = request._get_current_object()
    duration_ms = (time.perf_counter() - state.started) * 1000
    # a request refused for its namespace selector, or naming one that does not exist, has
    # no journal to record into
    if state.owner != "control" and state.ns is not None:
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
        None if owner is None else owner.name,
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
    if isinstance(exc, ApiError):
        err = exc
    elif isinstance(exc, (NamespaceNotFound, NamespaceLimitError, NamespaceBusy, NamespaceNameError)):
        err = namespace_error(exc)
    elif isinstance(exc, HTTPException):
        err = ApiError(_http_message(exc), status=exc.code or 500)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            err.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    else:
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=exc)
        err = ApiError("Internal server error", status=500)
    owner = _owner()
    if owner is None or owner == "control":
        from sandbox.control.errors import render_error
        return render_error(err)
    return owner.render_error(err)


def _http_message(exc: HTTPException) -> str:
    return {
        404: "Resource not found",
        405: f"Method {request.method} not allowed",
        413: "Request body too large",
    }.get(exc.code, exc.name)


def namespace_error(exc: Exception) -> ApiError:
    """Why a request's namespace cannot be had, as an answer in the API's own shape."""
    if isinstance(exc, NamespaceNotFound):
        return ApiError(f"no namespace {exc.args[0]!r}: create it first with PUT /_sandbox/namespaces/{exc.args[0]}",
                        status=404)
    if isinstance(exc, NamespaceLimitError):
        return ApiError(str(exc), status=503, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, NamespaceBusy):
        return ApiError(str(exc), status=503, headers={"Retry-After": "1"})
    return ApiError(str(exc), status=400)
