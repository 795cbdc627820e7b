"""What the control API does, independent of HTTP."""
from __future__ import annotations

import json

from marshmallow import ValidationError

from sandbox.core import faults, journal
from sandbox.core.errors import ControlError
from sandbox.core.scenario_files import (MAX_FILE_BYTES, ScenarioProblem, find_builtin, parse_text, plain, read_file,
                                         resolve)
from sandbox.core.scenarios import api_tables, flatten_errors, get_meta, load_world, summary

from .schemas import RequestFilterSchema

_request_filter = RequestFilterSchema()


def load_document(db, journal_db, apis, doc: dict, provenance: dict, source: str, *, startup=False) -> dict:
    try:
        result = load_world(db, doc, provenance, source, apis, startup=startup)
    except ScenarioProblem as exc:
        raise ControlError("invalid scenario", status=400, problems=exc.problems) from None
    journal.clear(journal_db)
    return result


def load_from_body(db, journal_db, apis, body: bytes, content_type: str) -> dict:
    """A world sent as YAML (application/yaml) or JSON; includes resolve against the
    built-in fixtures."""
    source = "request body"
    try:
        if "json" in content_type:
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
        raise ControlError("invalid scenario", status=400, problems=exc.problems) from None
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
        raise ControlError("invalid scenario", status=400, problems=exc.problems) from None
    return load_document(db, journal_db, apis, doc, provenance, f"built-in scenario {name}")


def _builtin_problem(error: str, message: str) -> ControlError:
    return ControlError(error, status=400,
                        problems=[{"path": "builtin", "message": message}])


def reset(db, journal_db, apis) -> dict:
    startup = get_meta(db, "startup_scenario")
    if startup is None:
        raise ControlError("no startup world recorded for this database", status=409)
    return load_document(db, journal_db, apis, json.loads(startup), {}, "startup world")


def current(db, apis) -> dict:
    result = summary(db, apis)
    result["document"] = json.loads(get_meta(db, "scenario") or "null")
    return result


def journal_filters(args: dict) -> dict:
    """The journal's filters (``api``, ``method``, ``path``, ``status``, ``limit``) from a query."""
    try:
        return _request_filter.load(args)
    except ValidationError as err:
        problems = [{"path": p, "message": m} for p, m in flatten_errors(err.messages)]
        raise ControlError("invalid filter", status=400, problems=problems) from None


def export_state(db, api) -> dict:
    tables = {}
    for table in sorted(api_tables(db, [api])):
        cursor = db.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
        columns = [c[0] for c in cursor.description]
        tables[table[len(api.table_prefix):]] = [dict(zip(columns, row)) for row in cursor]
    return {"api": api.name, "scenario": get_meta(db, "scenario_name"), "tables": tables}


def add_fault(db, apis, data: dict) -> dict:
    names = {api.name for api in apis}
    if data.get("api") and data["api"] not in names:
        raise ControlError(f"unknown api {data['api']!r}; expected one of {sorted(names)}", status=400)
    return faults.add(db, data)
