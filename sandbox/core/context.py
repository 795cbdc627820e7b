"""The state a request works on: its namespace's database, journal and runtime."""
from __future__ import annotations

import os

from flask import current_app, g, request

from . import db as dbmod
from . import namespaces


def runtime():
    """The ``SandboxRuntime`` of the current app."""
    return current_app.extensions["sandbox"]


def namespace() -> str:
    if "sandbox_ns" not in g:
        name = request.environ.get("sandbox.namespace") or request.headers.get(namespaces.HEADER)
        g.sandbox_ns = namespaces.validate_name(name) if name else namespaces.DEFAULT
    return g.sandbox_ns


def state_db_path() -> str:
    if "sandbox_db_path" not in g:
        g.sandbox_db_path = runtime().namespace_db_path(namespace())
    return g.sandbox_db_path


def state_db():
    """This request's state database (the worker's cached connection)."""
    if "sandbox_db" not in g:
        path = state_db_path()
        db = dbmod.shared_connection(path, runtime().settings.busy_timeout_s)
        if namespace() != namespaces.DEFAULT and _reopened_elsewhere(db, path):
            dbmod.forget_connection(path)
            db = dbmod.shared_connection(path, runtime().settings.busy_timeout_s)
        g.sandbox_db = db
    return g.sandbox_db


def _reopened_elsewhere(db, path: str) -> bool:
    """A namespace dropped and recreated by another worker is a new file: reconnect."""
    try:
        inode = os.stat(path).st_ino
    except FileNotFoundError:
        return True
    known = getattr(db, "_sandbox_inode", None)
    db._sandbox_inode = inode
    return known is not None and known != inode


def journal_db():
    path = namespaces.journal_path_for(state_db_path())
    return runtime().journal_connection(path)
