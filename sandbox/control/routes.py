"""``/_sandbox``: health, scenarios, reset, clock, journal, faults, state, namespaces."""
from __future__ import annotations

import os

from flask import Blueprint, request

import sandbox
from sandbox.core import clock, faults, journal
from sandbox.core.auth import secrets_equal
from sandbox.core.context import journal_db, namespace, runtime, state_db
from sandbox.core.http import answer, json_body, query
from sandbox.core.namespaces import NamespaceNameError, list_namespaces, validate_name
from sandbox.core.openapi import docs_page, documented
from sandbox.core.scenarios import get_meta
from sandbox.core.timeutil import parse_duration

from . import service
from .errors import refused
from .schemas import (ClockAdvanceSchema, ClockSchema, ClockSetSchema, FaultListSchema, FaultOutSchema,
                      FaultSchema, HealthSchema, JournalSchema, NamespaceListSchema, RequestFilterSchema,
                      StateSchema, SummarySchema, scenario_body_schema)

bp = Blueprint("control", __name__)
_clock_set = ClockSetSchema()
_clock_advance = ClockAdvanceSchema()
_fault = FaultSchema()
_request_filter = RequestFilterSchema()


@bp.before_request
def require_admin_token():
    token = runtime().settings.admin_token
    if not token:
        return
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets_equal(given.strip(), token):
        raise refused("the control API needs Authorization: Bearer <SANDBOX_ADMIN_TOKEN>", status=401)


@bp.get("/health")
@documented(responses={200: HealthSchema, 503: HealthSchema})
def health():
    name = get_meta(state_db(), "scenario_name")
    if name is None:
        return answer({"status": "loading", "scenario": None, "version": sandbox.__version__}, 503)
    return answer({"status": "ok", "scenario": name, "version": sandbox.__version__,
                   "namespace": namespace(), "worker_pid": os.getpid()})


@bp.get("/scenario")
@documented(responses={200: SummarySchema})
def get_scenario():
    return answer(service.current(state_db(), runtime().apis))


@bp.post("/scenario")
@documented(body=scenario_body_schema, responses={200: SummarySchema})
def post_scenario():
    result = service.load_from_body(state_db(), journal_db(), runtime().apis,
                                    request.get_data(cache=True), request.mimetype or "")
    return answer(result)


@bp.post("/reset")
@documented(responses={200: SummarySchema}, errors=(409,))
def reset():
    return answer(service.reset(state_db(), journal_db(), runtime().apis))


@bp.get("/clock")
@documented(responses={200: ClockSchema})
def get_clock():
    return answer(clock.read_clock(state_db()).describe())


@bp.put("/clock")
@documented(body=ClockSetSchema, responses={200: ClockSchema})
def put_clock():
    data = json_body(_clock_set)
    db = state_db()
    state = clock.set_real(db) if data.get("real") else clock.freeze(db, data["frozen_at"])
    return answer(state.describe())


@bp.post("/clock/advance")
@documented(body=ClockAdvanceSchema, responses={200: ClockSchema})
def advance_clock():
    from datetime import timedelta
    data = json_body(_clock_advance)
    by = timedelta(seconds=data["seconds"]) if "seconds" in data else parse_duration(data["by"])
    return answer(clock.advance(state_db(), by).describe())


@bp.get("/requests")
@documented(query=RequestFilterSchema, responses={200: JournalSchema})
def get_requests():
    filters = query(_request_filter)
    return answer({"requests": journal.entries(journal_db(), **filters, secret_headers=runtime().secret_headers)})


@bp.delete("/requests")
@documented(responses={204: None})
def delete_requests():
    journal.clear(journal_db())
    return answer(None, 204)


@bp.get("/faults")
@documented(responses={200: FaultListSchema})
def get_faults():
    return answer({"faults": faults.all_faults(state_db())})


@bp.post("/faults")
@documented(body=FaultSchema, responses={201: FaultOutSchema})
def post_fault():
    fault = service.add_fault(state_db(), runtime().apis, json_body(_fault))
    return answer(fault, 201)


@bp.delete("/faults")
@documented(responses={204: None})
def delete_faults():
    faults.clear(state_db())
    return answer(None, 204)


@bp.get("/state/<api_name>")
@documented(responses={200: StateSchema})
def get_state(api_name):
    api = runtime().by_name.get(api_name)
    if api is None:
        raise refused(f"unknown api {api_name!r}", status=404)
    return answer(service.export_state(state_db(), api))


@bp.get("/namespaces")
@documented(responses={200: NamespaceListSchema})
def get_namespaces():
    return answer({"namespaces": list_namespaces(runtime().settings.db_path)})


@bp.delete("/namespaces/<name>")
@documented(responses={204: None})
def delete_namespace(name):
    try:
        validate_name(name)
        existed = runtime().drop_namespace(name)
    except NamespaceNameError as exc:
        raise refused(str(exc)) from None
    if not existed:
        raise refused(f"no namespace {name!r}", status=404)
    return answer(None, 204)


@bp.get("/openapi.json")
@documented(summary="This document")
def openapi_document():
    """The control API's OpenAPI document."""
    return answer(runtime().openapi_document(runtime().control.name))


@bp.get("/docs")
@documented(summary="Every API's operations as a plain HTML page", responses={200: None})
def docs():
    """All OpenAPI documents rendered as plain HTML (no scripts, works offline)."""
    control = runtime().control
    documents = [(control.name, f"{control.prefix}/openapi.json", runtime().openapi_document(control.name))]
    for api in runtime().apis:
        documents.append((api.name, f"{api.prefix}/openapi.json", runtime().openapi_document(api.name)))
    return docs_page(documents), 200, {"Content-Type": "text/html; charset=utf-8"}
