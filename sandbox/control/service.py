"""What the control API does, independent of HTTP."""
from __future__ import annotations

import json

from sandbox.core import faults, journal
from sandbox.core.scenario_files import MAX_FILE_BYTES, ScenarioProblem, parse_text, plain, resolve
from sandbox.core.scenarios import api_state, get_meta, load_world, summary

from .errors import refused


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
        if "json" in content_type:
            try:
                doc = json.loads(body or b"null")
            except (ValueError, RecursionError) as exc:
                reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
                raise ScenarioProblem([{"file": source, "path": "", "message": f"not valid JSON: {reason}"}]) from None
            if not isinstance(doc, dict):
                raise ScenarioProblem([{"file": source, "path": "", "message": "expected a JSON object"}])
            if len(body) > MAX_FILE_BYTES:
                raise ScenarioProblem([{"file": source, "path": "", "message": f"larger than {MAX_FILE_BYTES} bytes"}])
            doc = plain(doc, source)
        else:
            doc = parse_text(body, source)
        doc, provenance = resolve(doc, source)
    except ScenarioProblem as exc:
        raise refused("invalid scenario", problems=exc.problems) from None
    return load_document(db, journal_db, apis, doc, provenance, source)


def reset(db, journal_db, apis) -> dict:
    startup = get_meta(db, "startup_scenario")
    if startup is None:
        raise refused("no startup world recorded for this database", status=409)
    return load_document(db, journal_db, apis, json.loads(startup), {}, "startup world")


def current(db, apis) -> dict:
    result = summary(db, apis)
    result["document"] = json.loads(get_meta(db, "scenario") or "null")
    return result


def export_state(db, api) -> dict:
    return {"api": api.name, "scenario": get_meta(db, "scenario_name"), "tables": api_state(db, api)}


def add_fault(db, apis, data: dict) -> dict:
    names = {api.name for api in apis}
    if data.get("api") and data["api"] not in names:
        raise refused(f"unknown api {data['api']!r}; expected one of {sorted(names)}")
    return faults.add(db, data)
