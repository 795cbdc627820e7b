"""What an emulated API package hands to the app factory.

Each package under ``sandbox/apis/`` builds one ``ApiPackage`` in its ``__init__``; the
core knows the APIs only through this object.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import Blueprint, Response
from marshmallow import Schema
from sqlite_utils import Migrations

from .errors import ApiError


@dataclass
class SeedContext:
    """What a scenario loader gets: the connection (inside the load's write
    transaction), the sandbox time the world starts at, and the world's name."""

    db: object
    now: object
    scenario_name: str


@dataclass(frozen=True)
class ApiPackage:
    name: str
    blueprint: Blueprint
    # Renders any ApiError (including 404/405/413/500 raised by the framework) in the
    # vendor's own error shape.
    render_error: Callable[[ApiError], Response]
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
    # the named faults this API's own logic takes (core.faults.take_named), for the dashboard's
    # fault form: {name: what happens}
    named_faults: dict = field(default_factory=dict)
    # extra mount prefixes below the main one that serve the same routes (e.g. "/2.0")
    extra_prefixes: tuple[str, ...] = field(default_factory=tuple)
    # for the generated OpenAPI document: a title, the error body's marshmallow schema,
    # and the OpenAPI security schemes the vendor uses
    title: str = ""
    error_schema: type[Schema] | None = None
    security: dict = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"/{self.name}"

    @property
    def table_prefix(self) -> str:
        return f"{self.name}_"
