"""Per-app runtime: settings, the API list, and how namespaces map to files."""
from __future__ import annotations

import json
import os
import shutil
import threading

from . import db as dbmod
from . import journal, namespaces
from .migrate import prepare_database
from .scenarios import get_meta, load_world
from .snapshots import restore_database
from .templates import WorldTemplates


class SandboxRuntime:
    def __init__(self, settings, apis, control, secret_headers=()):
        self.settings = settings
        self.apis = list(apis)
        self.control = control
        self.by_name = {api.name: api for api in self.apis}
        self.root_api = self.by_name.get(settings.root_api) if settings.root_api else None
        # the request headers the journal masks: the generic ones and every API's own
        self.secret_headers = frozenset(journal.SECRET_HEADERS) | {
            header.lower() for header in (*secret_headers, *(h for api in self.apis for h in api.secret_headers))}
        self._openapi: dict = {}
        self._seen: dict[str, int | None] = {}      # namespace database path -> inode this process last saw
        self._seen_lock = threading.Lock()
        self.templates = WorldTemplates(namespaces.namespace_dir(settings.db_path), self._build_template)

    # -- which API a path belongs to ------------------------------------------------
    def api_for_path(self, path: str):
        """The ApiPackage serving ``path``, the control API's Mount for the control API and
        the front door (``/``), or None."""
        control = self.control.prefix
        if path == "/" or path == control or path.startswith(control + "/"):
            return self.control
        for api in self.apis:
            if path == api.prefix or path.startswith(api.prefix + "/"):
                return api
        return self.root_api

    # -- namespaces -------------------------------------------------------------------
    def open_namespace(self, name: str, may_create: bool) -> tuple[str, int | None]:
        """(database path, lock fd) of namespace ``name``, held in use until
        ``namespaces.release(fd)``; the default namespace needs no lock (fd None)."""
        if name == namespaces.DEFAULT:
            return self.settings.db_path, None
        create = (lambda _path: self.create_namespace(name)) if may_create else None
        path, fd = namespaces.hold(self.settings.db_path, name, create)
        self._notice(path, dbmod.inode_of(path))
        return path, fd

    def create_namespace(self, name: str, world=None) -> bool:
        """Make namespace ``name`` from the startup world (then ``world``, a
        ``(document, provenance, source)``, when given); True if it was made, False if it
        existed. The one way a namespace comes to be."""
        settings = self.settings
        return namespaces.create(settings.db_path, name, lambda path: self.build_world(path, world),
                                 settings.namespace_limit, settings.namespace_idle_seconds)

    def build_world(self, path: str, world=None) -> None:
        """Build a complete database at ``path`` holding the server's startup world (then
        ``world`` over it, when given): a copy of the prepared startup world (``templates``)."""
        shutil.copyfile(self.templates.path_for(self.startup_json()), path)
        if world is not None:
            db = dbmod.connect(path, self.settings.busy_timeout_s)
            try:
                load_world(db, *world, self.apis)
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()

    def restore_startup_world(self, db, startup_json: str) -> None:
        """Make the live database ``db`` (a connection in no transaction) hold the startup
        world ``startup_json`` again, in one write (other workers' next statements see it;
        nothing needs reopening)."""
        restore_database(self.templates.path_for(startup_json), db.conn, self.settings.busy_timeout_s)

    def startup_json(self) -> str:
        with dbmod.borrowed(self.settings.db_path, self.settings.busy_timeout_s) as default:
            return get_meta(default, "startup_scenario") or '{"name": "empty"}'

    def _build_template(self, path: str, startup_json: str) -> None:
        """A fresh database at ``path`` holding the world ``startup_json``. The empty schema
        is copied from a template built once (migrating a new database is ~60 ms); migrations
        then apply only what that template lacks."""
        timeout = self.settings.busy_timeout_s
        schema = str(namespaces.namespace_dir(self.settings.db_path) / ".schema.template")
        if not os.path.exists(schema):
            building = schema + f".tmp-{os.getpid()}-{threading.get_ident()}"
            fresh = prepare_database(building, self.apis, timeout)
            fresh.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            fresh.close()
            os.replace(building, schema)
        shutil.copyfile(schema, path)
        db = prepare_database(path, self.apis, timeout)
        try:
            load_world(db, json.loads(startup_json), {}, "startup world", self.apis, startup=True)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()

    def drop_namespace(self, name: str) -> bool:
        path = namespaces.db_path_for(self.settings.db_path, name)
        existed = namespaces.drop_namespace(self.settings.db_path, name)
        self.forget_handles(path)
        return existed

    def _notice(self, path: str, inode) -> None:
        """Close this process's handles to namespaces that are gone or were replaced:
        the one in hand when its file changed, and every other one the first time this
        process meets a namespace (so churn never piles up handles to deleted files)."""
        with self._seen_lock:
            known = self._seen.get(path, -1)
            self._seen[path] = inode
        if known == -1:
            self.sweep()
        elif known != inode:
            self.forget_handles(path, keep_seen=True)

    def sweep(self) -> None:
        with self._seen_lock:
            seen = list(self._seen.items())
        for path, inode in seen:
            if dbmod.inode_of(path) != inode:
                self.forget_handles(path)

    def forget_handles(self, path: str, keep_seen: bool = False) -> None:
        journal_path = namespaces.journal_path_for(path)
        dbmod.pool.forget(path)
        dbmod.pool.forget(journal_path)
        journal.forget_spill(journal_path)
        if not keep_seen:
            with self._seen_lock:
                self._seen.pop(path, None)

    def state_connection(self, path: str):
        """A pooled connection to a namespace's database (release with ``dbmod.pool``)."""
        inode = None if path == self.settings.db_path else self._seen.get(path)
        return dbmod.pool.acquire(path, busy_timeout_s=self.settings.busy_timeout_s, inode=inode)

    # -- the journal ------------------------------------------------------------------
    def journal_connection(self, path: str):
        """A pooled connection to the journal at ``path`` (release with ``dbmod.pool``)."""
        db = dbmod.pool.acquire(path, opener=journal.open_journal, busy_timeout_s=self.settings.busy_timeout_s)
        db.limit, db.max_bytes = self.settings.journal_limit, self.settings.journal_max_bytes
        db.secret_headers = self.secret_headers
        return db

    # -- OpenAPI documents (built once per app, on first request) ----------------------
    def openapi_document(self, name: str, script_root: str = "") -> dict:
        """The OpenAPI document of the API (or the control API) called ``name``, its server
        being the base URL it is served at below ``script_root`` (``/_ns/<name>`` in a
        namespace)."""
        if name not in self._openapi:
            from flask import current_app

            from .openapi import build_spec

            if name == self.control.name:
                self._openapi[name] = build_spec(
                    current_app, self.control, security_required=bool(self.settings.admin_token),
                    description=self.control.description, apis=self.apis)
            else:
                api = self.by_name[name]
                self._openapi[name] = build_spec(
                    current_app, api, apis=self.apis,
                    description=f"The rewards-sandbox emulation of {api.title or api.name}, mounted at {api.prefix}.")
        document = self._openapi[name]
        if not script_root:
            return document
        prefix = document["servers"][0]["url"]
        return {**document, "servers": [{"url": script_root + prefix}]}
