"""What the control API does, independent of HTTP."""
from __future__ import annotations

import json

from marshmallow import ValidationError

from sandbox.core import faults, journal
from sandbox.core.errors import ApiError, validation_problems
from sandbox.core import namespaces
from sandbox.core.db import pool
from sandbox.core.scenario_files import (MAX_FILE_BYTES, ScenarioProblem, builtin_scenario, find_builtin, parse_text,
                                         plain, read_file, resolve)
from sandbox.core.scenarios import api_state, get_meta, load_world, summary, validate_world

from .errors import refused
from .schemas import RequestFilterSchema

_request_filter = RequestFilterSchema()


def load_document(db, journal_db, apis, doc: dict, provenance: dict, source: str, *, startup=False) -> dict:
    try:
        result = load_world(db, doc, provenance, source, apis, startup=startup)
    except ScenarioProblem as exc:
        raise refused("invalid scenario", problems=exc.problems) from None
    journal.clear(journal_db)
    return result


def load_from_body(db, journal_db, apis, body: bytes, content_type: str) -> dict:
    """A world sent as YAML (application/yaml) or JSON; includes resolve against the
    built-in fixtures."""
    source = "request body"
    try:
        # without a Content-Type, a body that starts like a JSON object is read as JSON
        if "json" in content_type or (not content_type and body.lstrip()[:1] == b"{"):
            try:
                doc = json.loads(body or b"null")
            except (ValueError, RecursionError) as exc:
                reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
                raise ScenarioProblem([{"file": source, "path": "", "message": f"not valid JSON: {reason}"}]) from None
            if not isinstance(doc, dict):
                raise ScenarioProblem([{"file": source, "path": "", "message": "expected a JSON object"}])
            if "builtin" in doc:
                return load_builtin(db, journal_db, apis, doc)
            if len(body) > MAX_FILE_BYTES:
                raise ScenarioProblem([{"file": source, "path": "", "message": f"larger than {MAX_FILE_BYTES} bytes"}])
            doc = plain(doc, source)
        else:
            doc = parse_text(body, source)
        doc, provenance = resolve(doc, source)
    except ScenarioProblem as exc:
        raise refused("invalid scenario", problems=exc.problems) from None
    return load_document(db, journal_db, apis, doc, provenance, source)


def load_builtin(db, journal_db, apis, body: dict) -> dict:
    """``{"builtin": NAME}``: the built-in scenario of that name (``GET /_sandbox/scenarios``)."""
    name = body["builtin"]
    if len(body) > 1:
        raise _builtin_problem("invalid request body",
                               "give a built-in scenario's name alone, or a world without 'builtin'")
    if not isinstance(name, str) or not name:
        raise _builtin_problem("invalid request body",
                               "expected the name of a built-in scenario, as GET /_sandbox/scenarios lists them")
    path = find_builtin(name)
    if path is None:
        raise _builtin_problem("unknown built-in scenario",
                               f"no built-in scenario {name!r}; GET /_sandbox/scenarios lists them")
    try:
        doc, provenance = read_file(path)
    except ScenarioProblem as exc:
        raise refused("invalid scenario", problems=exc.problems) from None
    return load_document(db, journal_db, apis, doc, provenance, f"built-in scenario {name}")


def _builtin_problem(error: str, message: str) -> ApiError:
    return refused(error, problems=[{"path": "builtin", "message": message}])


def reset(runtime, db, journal_db) -> dict:
    """The namespace's startup world again (a copy of its prepared template), journal emptied."""
    startup = get_meta(db, "startup_scenario")
    if startup is None:
        raise refused("no startup world recorded for this database", status=409)
    runtime.restore_startup_world(db, startup)
    journal.clear(journal_db)
    return summary(db, runtime.apis)


def current(db, apis) -> dict:
    result = summary(db, apis)
    result["document"] = json.loads(get_meta(db, "scenario") or "null")
    return result


def journal_filters(args: dict, apis) -> dict:
    """The journal's filters (``api``, ``method``, ``path``, ``status``, ``limit``) from a query."""
    try:
        filters = _request_filter.load(args)
    except ValidationError as err:
        raise refused("invalid filter", problems=validation_problems(err.messages)) from None
    check_api_name(apis, filters.get("api"), "invalid filter")
    return filters


def export_state(db, api) -> dict:
    return {"api": api.name, "scenario": get_meta(db, "scenario_name"), "tables": api_state(db, api)}


def check_api_name(apis, name: str | None, error: str) -> None:
    """A 400 with a problem at ``api`` unless ``name`` is None or an API's name."""
    names = [api.name for api in apis]
    if name is not None and name not in names:
        raise refused(error, problems=[
            {"path": "api", "message": f"unknown api {name!r}; expected one of {', '.join(names)}"}])


def add_fault(db, apis, data: dict) -> dict:
    check_api_name(apis, data.get("api") or None, "invalid fault")
    if data.get("name"):
        api = next(api for api in apis if api.name == data["api"])
        if data["name"] not in api.named_faults:
            known = ", ".join(api.named_faults) or "none"
            raise refused("invalid fault", problems=[
                {"path": "name", "message": f"{api.name} has no named fault {data['name']!r}; "
                                            f"the named faults it knows: {known}"}])
    return faults.add(db, data)


def world_from(value) -> tuple[dict, dict, str]:
    """(document, provenance, source) of a built-in scenario's name or a world document."""
    try:
        if isinstance(value, str):
            return (*read_file(builtin_scenario(value)), value)
        doc, provenance = resolve(plain(value, "request body"), "request body")
        return doc, provenance, "request body"
    except ScenarioProblem as exc:
        raise refused("invalid scenario", problems=exc.problems) from None


def put_namespace(runtime, name: str, world) -> tuple[bool, str | None]:
    """Create namespace ``name`` (with ``world`` loaded) or load ``world`` into it:
    (whether it was created, the name of its world)."""
    try:
        if world is not None:
            validate_world(*world, runtime.apis)     # every problem before anything is made
        created = runtime.create_namespace(name, world)
        path, fd = runtime.open_namespace(name, may_create=False)
    except ScenarioProblem as exc:
        raise refused("invalid scenario", problems=exc.problems) from None
    try:
        db = runtime.state_connection(path)
        journal_db = runtime.journal_connection(namespaces.journal_path_for(path))
        try:
            if world is not None and not created:
                load_document(db, journal_db, runtime.apis, *world)
            return created, get_meta(db, "scenario_name")
        finally:
            pool.release(db)
            pool.release(journal_db)
    finally:
        namespaces.release(fd)
