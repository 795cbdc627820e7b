"""The state a request works on: its namespace's database, journal and runtime.

The app's WSGI middleware creates one ``RequestState`` per request and makes it current
(a context variable), so the pipeline and the routes reach the namespace, the database
connection and the sandbox time through plain attributes instead of Flask's ``g`` and
``request`` proxies. Outside the middleware (``app.test_request_context()``), the state is
created from the request's environ on first use.
"""
from __future__ import annotations

from contextvars import ContextVar
from time import perf_counter

from flask import current_app, request

from . import db as dbmod
from . import namespaces

_current: ContextVar["RequestState | None"] = ContextVar("sandbox_request_state", default=None)
_HEADER_KEY = "HTTP_" + namespaces.HEADER.upper().replace("-", "_")


class RequestState:
    """One request's view of the sandbox; each part is worked out on first use.

    The API serving the request keeps what it works out on it too: ``caller``, whoever its
    authentication found (a client, a tenant, a key: the API decides), and ``answer_type``,
    the Content-Type of its answers when it negotiates one (Atrium's v1 or beta)."""

    __slots__ = ("runtime", "environ", "owner", "started", "ns", "db_path", "db", "journal", "now", "held",
                 "caller", "answer_type")

    def __init__(self, runtime, environ):
        self.runtime = runtime
        self.environ = environ
        path = environ.get("PATH_INFO") or "/"
        # which API serves this path (an ApiPackage, the control API's Mount, or None)
        self.owner = runtime.api_for_path(path if path.startswith("/") else "/" + path)
        self.started = perf_counter()
        self.ns = self.db_path = self.db = self.journal = self.now = self.held = None
        self.caller = self.answer_type = None

    def close(self) -> None:
        """Hand back what the request borrowed: its connections and its hold on the namespace."""
        for db in (self.db, self.journal):
            if db is not None:
                dbmod.pool.release(db)
        self.db = self.journal = None
        if self.held is not None:
            namespaces.release(self.held)
            self.held = None


def activate(state: RequestState):
    """Make ``state`` current; returns the token for ``deactivate``."""
    return _current.set(state)


def deactivate(token) -> None:
    _current.reset(token)


def current() -> RequestState:
    state = _current.get()
    if state is None:       # a request context made without the middleware (tests)
        environ = request.environ
        state = environ.get("sandbox.state")
        if state is None:
            state = environ["sandbox.state"] = RequestState(current_app.extensions["sandbox"], environ)
    return state


def runtime():
    """The ``SandboxRuntime`` of the current app."""
    state = _current.get()
    return state.runtime if state is not None else current_app.extensions["sandbox"]


def namespace() -> str:
    state = current()
    if state.ns is None:
        name = state.environ.get("sandbox.namespace") or state.environ.get(_HEADER_KEY)
        state.ns = namespaces.validate_name(name) if name else namespaces.DEFAULT
    return state.ns


def may_create_namespace(state: RequestState) -> bool:
    """A namespace is created on first use, except by an emulated-API request when the
    control API has a token (then only control calls, which carry it, create one)."""
    return state.owner is state.runtime.control or not state.runtime.settings.admin_token


def state_db_path(create: bool | None = None) -> str:
    """This request's namespace database, held in use until the request ends.
    ``NamespaceNotFound`` or ``NamespaceLimitError`` when it cannot be had."""
    state = current()
    if state.db_path is None:
        allowed = may_create_namespace(state) if create is None else create
        state.db_path, state.held = state.runtime.open_namespace(namespace(), allowed)
    return state.db_path


def state_db():
    """This request's state database (a pooled connection of this worker)."""
    state = current()
    db = state.db
    if db is None:
        db = state.db = state.runtime.state_connection(state_db_path())
    return db


def journal_db(create: bool | None = None):
    state = current()
    if state.journal is None:
        state.journal = state.runtime.journal_connection(namespaces.journal_path_for(state_db_path(create)))
    return state.journal


def journal_path(create: bool | None = None) -> str:
    return namespaces.journal_path_for(state_db_path(create))
