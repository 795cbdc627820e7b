"""What an API package hands to the app factory.

Each package under ``sandbox/apis/`` builds one ``ApiPackage`` in its ``__init__``, and
``sandbox.apis.API_PACKAGES`` lists them: the core knows the APIs only through these objects
(and the control API through its ``Mount``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import Blueprint
from marshmallow import Schema
from sqlite_utils import Migrations

from .errors import ApiError

JSON = "application/json"


@dataclass
class SeedContext:
    """What a scenario loader gets: the connection (inside the load's write
    transaction), the sandbox time the world starts at, and the world's name."""

    db: object
    now: object
    scenario_name: str


@dataclass(frozen=True, kw_only=True)
class Mount:
    """A blueprint the app serves under ``prefix``, answering in one vendor's style."""

    name: str
    blueprint: Blueprint
    # The vendor's error shape: (body, or None for no body; extra headers) for any ApiError,
    # including the RequestErrors the framework raises (404, 405, 413, 500, bodies).
    render_error: Callable[[ApiError], tuple[dict | None, dict]]
    # the Content-Type of its JSON answers and errors
    content_type: str = JSON
    # headers every answer carries, errors included (e.g. a per-call id)
    headers: Callable[[], dict] | None = None
    # serve ``/x/`` and ``/x//y`` as ``/x`` and ``/x/y`` (a client joining a base URL that ends in
    # ``/``) instead of a 404 or an HTML redirect
    lenient_slashes: bool = False
    # the Content-Type of this request's answers, errors included, when the vendor negotiates
    # one from the request's headers (MX's versioned Accept); None: ``content_type``
    answer_type: Callable[[object], str | None] | None = None
    # for the generated OpenAPI document: a title, the error body's marshmallow schema, and
    # the OpenAPI security schemes the vendor uses
    title: str = ""
    error_schema: type[Schema] | None = None
    security: dict = field(default_factory=dict)
    # the media types of its answers where the vendor versions them (default: content_type's),
    # whether the vendor requires an Accept header naming one of them, and the media types a
    # request body may be sent in
    media_types: tuple[str, ...] = ()
    accept_header: bool = False
    request_media_types: tuple[str, ...] = (JSON,)

    @property
    def prefix(self) -> str:
        return f"/{self.name}"


@dataclass(frozen=True, kw_only=True)
class ApiPackage(Mount):
    """An emulated API: its routes, tables, scenario section and credentials."""

    migrations: Migrations
    # marshmallow schema for this API's scenario section (loaded before anything is written)
    section_schema: type[Schema]
    # writes the validated section into the API's tables (inside the load transaction)
    seed: Callable[[SeedContext, dict], None]
    # printed on start and shown by the control API: [{"label": ..., ...}]
    credentials: Callable[[object], list[dict]] = lambda db: []
    # replay: headers that authenticate a request for the credential named by ``auth``
    # (section is the scenario's raw section for this API)
    auth_headers: Callable[..., dict] = lambda section, auth, method, path, body: {}
    # request headers that carry a secret: the journal shows them masked
    secret_headers: tuple[str, ...] = ()
    # the named faults this API's own logic takes (core.faults.take_named), for the dashboard's
    # fault form: {name: what happens}
    named_faults: dict = field(default_factory=dict)
    # extra mount prefixes below the main one that serve the same routes (e.g. "/2.0")
    extra_prefixes: tuple[str, ...] = ()
    # its events and webhooks (core.events.EventSource), if it has any
    events: object = None

    @property
    def table_prefix(self) -> str:
        return f"{self.name}_"

    @classmethod
    def assemble(cls, package, **declared) -> "ApiPackage":
        """The API of ``package`` (the package module, its submodules imported), from the
        names every package gives its parts: ``routes.bp``, ``errors.render_error``,
        ``store.migrations``, ``scenario.SectionSchema``, ``seed`` and ``credentials``,
        ``auth.replay_headers``, ``schemas.ErrorSchema``. ``declared``: the rest of the
        fields (content type, secret headers, title, ...); ``name`` defaults to the package's."""
        scenario = package.scenario
        declared.setdefault("name", package.__name__.rpartition(".")[2])
        return cls(blueprint=package.routes.bp, render_error=package.errors.render_error,
                   migrations=package.store.migrations, section_schema=scenario.SectionSchema, seed=scenario.seed,
                   credentials=scenario.credentials, auth_headers=package.auth.replay_headers,
                   error_schema=package.schemas.ErrorSchema, **declared)


@dataclass(frozen=True, kw_only=True)
class ControlMount(Mount):
    """The sandbox's own control API, at ``/_sandbox``, and what it serves beside it
    (``extra_blueprints``: (blueprint, url prefix) pairs, such as the front door and the
    dashboard), all answering errors in its shape."""

    description: str = ""
    extra_blueprints: tuple = ()

    @property
    def prefix(self) -> str:
        return "/_sandbox"
