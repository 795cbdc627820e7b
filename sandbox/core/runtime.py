"""Per-app runtime: settings, the API list, and how namespaces map to files."""
from __future__ import annotations

import json
import os
import threading

from . import db as dbmod
from . import namespaces
from .journal import open_journal
from .migrate import prepare_database
from .scenarios import get_meta, load_world

_journals = threading.local()


class SandboxRuntime:
    def __init__(self, settings, apis):
        self.settings = settings
        self.apis = list(apis)
        self.by_name = {api.name: api for api in self.apis}
        self.root_api = self.by_name.get(settings.root_api) if settings.root_api else None
        self._openapi: dict = {}

    # -- which API a path belongs to ------------------------------------------------
    def api_for_path(self, path: str):
        """The ApiPackage serving ``path``, "control" for the control API and the front
        door (``/``), or None."""
        if path == "/" or path == "/_sandbox" or path.startswith("/_sandbox/"):
            return "control"
        for api in self.apis:
            if path == api.prefix or path.startswith(api.prefix + "/"):
                return api
        return self.root_api

    # -- namespaces -------------------------------------------------------------------
    def namespace_db_path(self, name: str) -> str:
        path = namespaces.ensure_namespace(
            self.settings.db_path, name, self.create_startup_world, self.settings.namespace_limit)
        if name != namespaces.DEFAULT:
            namespaces.touch(path)
        return path

    def create_startup_world(self, path: str) -> None:
        """Build a complete database at ``path`` holding the server's startup world."""
        default = dbmod.shared_connection(self.settings.db_path, self.settings.busy_timeout_s)
        startup = json.loads(get_meta(default, "startup_scenario") or '{"name": "empty"}')
        db = prepare_database(path, self.apis, self.settings.busy_timeout_s)
        try:
            load_world(db, startup, {}, "startup world", self.apis, startup=True)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()

    def drop_namespace(self, name: str) -> bool:
        path = namespaces.db_path_for(self.settings.db_path, name)
        dbmod.forget_connection(path)
        self.forget_journal(namespaces.journal_path_for(path))
        return namespaces.drop_namespace(self.settings.db_path, name)

    # -- the journal ------------------------------------------------------------------
    def journal_connection(self, path: str, dropped_elsewhere: bool = True):
        """This thread's connection to the journal at ``path``. ``dropped_elsewhere``: the
        file may have been deleted by another worker (a namespace's), so check it exists."""
        cache = getattr(_journals, "cache", None)
        if cache is None or getattr(_journals, "pid", None) != os.getpid():
            cache = _journals.cache = {}
            _journals.pid = os.getpid()
        db = cache.get(path)
        if db is not None and dropped_elsewhere and not os.path.exists(path):
            db.close()
            db = None
        if db is None:
            db = cache[path] = open_journal(path, self.settings.busy_timeout_s)
            db._sandbox_journal_limit = self.settings.journal_limit
        return db

    def forget_journal(self, path: str) -> None:
        cache = getattr(_journals, "cache", None) or {}
        db = cache.pop(path, None)
        if db is not None:
            db.close()

    # -- OpenAPI documents (built once per app, on first request) ----------------------
    def openapi_document(self, name: str) -> dict:
        if name not in self._openapi:
            from flask import current_app

            from .openapi import build_spec

            if name == "control":
                from sandbox.control.schemas import ERROR_SCHEMA
                self._openapi[name] = build_spec(
                    current_app, title="rewards-sandbox control API", blueprint="control",
                    prefix="/_sandbox", error_schema=ERROR_SCHEMA,
                    security={"adminToken": {"type": "http", "scheme": "bearer"}} if self.settings.admin_token else None,
                    description="Health, scenarios, reset, clock, request journal, faults, state and namespaces.")
            else:
                api = self.by_name[name]
                self._openapi[name] = build_spec(
                    current_app, title=api.title or api.name, blueprint=api.name, prefix=api.prefix,
                    error_schema=api.error_schema, security=api.security or None,
                    description=f"The rewards-sandbox emulation of {api.title or api.name}, mounted at {api.prefix}.")
        return self._openapi[name]
