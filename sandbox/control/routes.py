"""``/_sandbox``: health, scenarios, reset, clock, journal, faults, state, namespaces."""
from __future__ import annotations

import os

from flask import Blueprint, jsonify, request
from marshmallow import Schema, ValidationError

import sandbox
from sandbox.core import clock, faults, journal
from sandbox.core.auth import secrets_equal
from sandbox.core.context import journal_db, namespace, runtime, state_db
from sandbox.core.errors import ControlError
from sandbox.core.namespaces import NamespaceNameError, list_namespaces, validate_name
from sandbox.core.scenario_files import builtin_scenarios
from sandbox.core.scenarios import get_meta
from sandbox.core.scenarios import flatten_errors
from sandbox.core.timeutil import parse_duration

from . import service
from sandbox.core.openapi import documented, docs_page

from .schemas import (ClockAdvanceSchema, ClockSchema, ClockSetSchema, FaultListSchema, FaultOutSchema,
                      FaultSchema, HealthSchema, JournalSchema, NamespaceListSchema, RequestFilterSchema,
                      ScenarioBodySchema, ScenarioListSchema, StateSchema, SummarySchema)

bp = Blueprint("control", __name__)
_clock_set = ClockSetSchema()
_clock_advance = ClockAdvanceSchema()
_fault = FaultSchema()


@bp.before_request
def require_admin_token():
    token = runtime().settings.admin_token
    if not token:
        return
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets_equal(given.strip(), token):
        raise ControlError("the control API needs Authorization: Bearer <SANDBOX_ADMIN_TOKEN>", status=401)


def _json_body(schema: Schema) -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:          # nested too deeply for the parser: not a usable body
        data = None
    if data is None and request.get_data(cache=True).strip():
        raise ControlError("the body is not valid JSON", status=400)
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as err:
        problems = [{"path": path, "message": msg} for path, msg in flatten_errors(err.messages)]
        raise ControlError("invalid request body", status=400, problems=problems) from None


@bp.get("/health")
@documented(responses={200: HealthSchema, 503: HealthSchema})
def health():
    name = get_meta(state_db(), "scenario_name")
    if name is None:
        return jsonify({"status": "loading", "scenario": None, "version": sandbox.__version__}), 503
    return jsonify({"status": "ok", "scenario": name, "version": sandbox.__version__,
                    "namespace": namespace(), "worker_pid": os.getpid()})


@bp.get("/scenario")
@documented(responses={200: SummarySchema})
def get_scenario():
    return jsonify(service.current(state_db(), runtime().apis))


@bp.get("/scenarios")
@documented(responses={200: ScenarioListSchema})
def get_scenarios():
    """The built-in scenarios; ``POST /_sandbox/scenario {"builtin": NAME}`` loads one."""
    return jsonify({"scenarios": builtin_scenarios()})


@bp.post("/scenario")
@documented(body=ScenarioBodySchema, responses={200: SummarySchema})
def post_scenario():
    result = service.load_from_body(state_db(), journal_db(), runtime().apis,
                                    request.get_data(cache=True), request.mimetype or "")
    return jsonify(result)


@bp.post("/reset")
@documented(responses={200: SummarySchema}, errors=(409,))
def reset():
    return jsonify(service.reset(state_db(), journal_db(), runtime().apis))


@bp.get("/clock")
@documented(responses={200: ClockSchema})
def get_clock():
    return jsonify(clock.read_clock(state_db()).describe())


@bp.put("/clock")
@documented(body=ClockSetSchema, responses={200: ClockSchema})
def put_clock():
    data = _json_body(_clock_set)
    db = state_db()
    state = clock.set_real(db) if data.get("real") else clock.freeze(db, data["frozen_at"])
    return jsonify(state.describe())


@bp.post("/clock/advance")
@documented(body=ClockAdvanceSchema, responses={200: ClockSchema})
def advance_clock():
    from datetime import timedelta
    data = _json_body(_clock_advance)
    by = timedelta(seconds=data["seconds"]) if "seconds" in data else parse_duration(data["by"])
    return jsonify(clock.advance(state_db(), by).describe())


@bp.get("/requests")
@documented(query=RequestFilterSchema, responses={200: JournalSchema})
def get_requests():
    filters = service.journal_filters(request.args.to_dict())
    return jsonify({"requests": journal.entries(journal_db(), **filters)})


@bp.delete("/requests")
@documented(responses={204: None})
def delete_requests():
    journal.clear(journal_db())
    return "", 204


@bp.get("/faults")
@documented(responses={200: FaultListSchema})
def get_faults():
    return jsonify({"faults": faults.all_faults(state_db())})


@bp.post("/faults")
@documented(body=FaultSchema, responses={201: FaultOutSchema})
def post_fault():
    fault = service.add_fault(state_db(), runtime().apis, _json_body(_fault))
    return jsonify(fault), 201


@bp.delete("/faults")
@documented(responses={204: None})
def delete_faults():
    faults.clear(state_db())
    return "", 204


@bp.get("/state/<api_name>")
@documented(responses={200: StateSchema})
def get_state(api_name):
    api = runtime().by_name.get(api_name)
    if api is None:
        raise ControlError(f"unknown api {api_name!r}", status=404)
    return jsonify(service.export_state(state_db(), api))


@bp.get("/namespaces")
@documented(responses={200: NamespaceListSchema})
def get_namespaces():
    return jsonify({"namespaces": list_namespaces(runtime().settings.db_path)})


@bp.delete("/namespaces/<name>")
@documented(responses={204: None})
def delete_namespace(name):
    try:
        validate_name(name)
        existed = runtime().drop_namespace(name)
    except NamespaceNameError as exc:
        raise ControlError(str(exc), status=400) from None
    if not existed:
        raise ControlError(f"no namespace {name!r}", status=404)
    return "", 204


@bp.get("/openapi.json")
@documented(summary="This document")
def openapi_document():
    """The control API's OpenAPI document."""
    return jsonify(runtime().openapi_document("control"))


@bp.get("/docs")
@documented(summary="Every API's operations as a plain HTML page", responses={200: None})
def docs():
    """All OpenAPI documents rendered as plain HTML (no scripts, works offline)."""
    documents = [("control", "/_sandbox/openapi.json", runtime().openapi_document("control"))]
    for api in runtime().apis:
        documents.append((api.name, f"{api.prefix}/openapi.json", runtime().openapi_document(api.name)))
    return docs_page(documents), 200, {"Content-Type": "text/html; charset=utf-8"}
