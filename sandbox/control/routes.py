"""``/_sandbox``: health, scenarios, reset, clock, journal, faults, state, namespaces."""
from __future__ import annotations

import os
from datetime import datetime

from flask import Blueprint, request

import sandbox
from sandbox.core import clock, events, faults, journal, snapshots
from sandbox.core.auth import secrets_equal
from sandbox.core.context import journal_db, namespace, runtime, state_db, state_db_path
from sandbox.core.http import answer, json_body
from sandbox.core.namespaces import NamespaceBusy, NamespaceNameError, db_path_for, list_namespaces, validate_name
from sandbox.core.scenario_files import builtin_scenarios
from sandbox.core.scenarios import get_meta
from sandbox.core.timeutil import UTC, InstantRangeError, parse_duration, to_iso

from sandbox.core.openapi import documented

from . import docs as reference
from . import near_misses, service
from .errors import refused

from .schemas import (ClockAdvanceSchema, ClockSchema, ClockSetSchema, CountSchema, FaultListSchema,
                      FaultOutSchema, FaultSchema, HealthSchema, JournalSchema, NamespaceListSchema,
                      NamespacePutSchema, NamespaceSchema, OpenApiDocumentSchema, RequestFilterSchema,
                      ScenarioListSchema,
                      SnapshotBodySchema, SnapshotListSchema, SnapshotSchema, StateSchema, SummarySchema,
                      UnmatchedSchema, scenario_body_schema)

bp = Blueprint("control", __name__)
_clock_set = ClockSetSchema()
_clock_advance = ClockAdvanceSchema()
_fault = FaultSchema()
_namespace_put = NamespacePutSchema()
_snapshot_body = SnapshotBodySchema()


# what holds no secret and changes nothing: answered without the admin token
OPEN_ENDPOINTS = {"control.health", "control.docs", "control.docs_asset", "control.openapi_document"}


@bp.before_request
def require_admin_token():
    token = runtime().settings.admin_token
    if not token or request.endpoint in OPEN_ENDPOINTS:
        return
    header = request.headers.get("Authorization")
    if not header:
        raise refused("the control API needs Authorization: Bearer <token>, "
                      "the token being the server's SANDBOX_ADMIN_TOKEN", status=401)
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not secrets_equal(given.strip(), token):
        raise refused("wrong admin token: Authorization: Bearer <token> must carry the server's "
                      "SANDBOX_ADMIN_TOKEN", status=401)


@bp.get("/health")
@documented(summary="Is the sandbox up, and on which world", responses={200: HealthSchema, 503: HealthSchema}, secured=False)
def health():
    name = get_meta(state_db(), "scenario_name")
    if name is None:
        return answer({"status": "loading", "scenario": None, "version": sandbox.__version__}, 503)
    return answer({"status": "ok", "scenario": name, "version": sandbox.__version__,
                    "namespace": namespace(), "worker_pid": os.getpid()})


@bp.get("/scenario")
@documented(summary="The world loaded now", responses={200: SummarySchema})
def get_scenario():
    return answer(service.current(state_db(), runtime().apis))


@bp.get("/scenarios")
@documented(summary="List the built-in scenarios", responses={200: ScenarioListSchema})
def get_scenarios():
    """The built-in scenarios; ``POST /_sandbox/scenario {"builtin": NAME}`` loads one."""
    return answer({"scenarios": builtin_scenarios()})


@bp.post("/scenario")
@documented(summary="Load a world (a built-in scenario by name, or a world document)", body=scenario_body_schema, responses={200: SummarySchema})
def post_scenario():
    result = service.load_from_body(state_db(), journal_db(), runtime().apis,
                                    request.get_data(cache=True), request.mimetype or "")
    return answer(result)


@bp.post("/reset")
@documented(summary="Reset to the startup world", responses={200: SummarySchema}, errors=(409,))
def reset():
    return answer(service.reset(runtime(), state_db(), journal_db()))


@bp.get("/clock")
@documented(summary="Read the sandbox clock", responses={200: ClockSchema})
def get_clock():
    return answer(clock.read_clock(state_db()).describe())


@bp.put("/clock")
@documented(summary="Freeze the clock at an instant, or make it real time again", body=ClockSetSchema, responses={200: ClockSchema})
def put_clock():
    data = json_body(_clock_set)
    db = state_db()
    try:
        state = clock.set_real(db) if data.get("real") else clock.freeze(db, data["frozen_at"])
    except InstantRangeError as exc:
        raise refused(f"the clock cannot be set there: {exc}",
                      problems=[{"path": "frozen_at", "message": str(exc)}]) from None
    events.materialise(db, runtime().apis, state.now())     # what the move made due, before answering
    return answer(state.describe())


@bp.post("/clock/advance")
@documented(summary="Move the clock forward", body=ClockAdvanceSchema, responses={200: ClockSchema})
def advance_clock():
    from datetime import timedelta
    data = json_body(_clock_advance)
    try:
        by = timedelta(seconds=data["seconds"]) if "seconds" in data else parse_duration(data["by"])
        state = clock.advance(state_db(), by)
    except InstantRangeError as exc:
        raise refused(f"the clock cannot move that far: {exc}",
                      problems=[{"path": "by" if "by" in data else "seconds", "message": str(exc)}]) from None
    events.materialise(state_db(), runtime().apis, state.now())    # what the move made due, before answering
    return answer(state.describe())


def _journal_filters() -> dict:
    return service.journal_filters(request.args.to_dict(), runtime().apis)


@bp.get("/requests")
@documented(summary="List the journalled requests", query=RequestFilterSchema, responses={200: JournalSchema})
def get_requests():
    found, omitted = journal.read(journal_db(), **_journal_filters())
    return answer({"requests": found, "omitted": omitted})


@bp.get("/requests/count")
@documented(summary="Count the journalled requests that match", query=RequestFilterSchema, responses={200: CountSchema})
def count_requests():
    """How many journal entries match the filters (WireMock's verify)."""
    return answer({"count": journal.count(journal_db(), **_journal_filters())})


@bp.get("/requests/unmatched")
@documented(summary="List the requests no route matched, with the closest routes", query=RequestFilterSchema, responses={200: UnmatchedSchema})
def unmatched_requests():
    """The requests no route matched, newest last, each with the closest routes served."""
    return answer({"requests": near_misses.unmatched(journal.entries(journal_db(), **_journal_filters()))})


@bp.delete("/requests")
@documented(summary="Clear the request journal", responses={204: None})
def delete_requests():
    journal.clear(journal_db())
    return answer(None, 204)


@bp.get("/faults")
@documented(summary="List the injected faults", responses={200: FaultListSchema})
def get_faults():
    return answer({"faults": faults.all_faults(state_db())})


@bp.post("/faults")
@documented(summary="Inject a fault", body=FaultSchema, responses={201: FaultOutSchema})
def post_fault():
    fault = service.add_fault(state_db(), runtime().apis, json_body(_fault))
    return answer(fault, 201)


@bp.delete("/faults")
@documented(summary="Remove every injected fault", responses={204: None})
def delete_faults():
    faults.clear(state_db())
    return answer(None, 204)


@bp.get("/state/<api_name>")
@documented(summary="Export one API's state", responses={200: StateSchema})
def get_state(api_name):
    api = runtime().by_name.get(api_name)
    if api is None:
        raise refused(f"unknown api {api_name!r}", status=404)
    return answer(service.export_state(state_db(), api))


@bp.get("/namespaces")
@documented(summary="List the namespaces", responses={200: NamespaceListSchema})
def get_namespaces():
    found = list_namespaces(runtime().settings.db_path)
    return answer({"namespaces": [{**n, "last_used": to_iso(datetime.fromtimestamp(n["last_used"], UTC))} for n in found]})


@bp.put("/namespaces/<name>")
@documented(summary="Create a namespace, or load a world into one", body=NamespacePutSchema, responses={200: NamespaceSchema, 201: NamespaceSchema}, errors=(503,))
def put_namespace(name):
    """Create a namespace (from the startup world, then ``scenario`` when given: a built-in
    scenario's name or a world document); an existing one gets ``scenario`` loaded, if given."""
    try:
        name = validate_name(name)
    except NamespaceNameError as exc:
        raise refused(str(exc)) from None
    data = json_body(_namespace_put)
    world = service.world_from(data["scenario"]) if data.get("scenario") is not None else None
    created, scenario = service.put_namespace(runtime(), name, world)
    path = db_path_for(runtime().settings.db_path, name)
    body = {"name": name, "created": created, "scenario": scenario,
            "last_used": to_iso(datetime.fromtimestamp(os.path.getmtime(path), UTC)) if os.path.exists(path) else None}
    return answer(body, 201 if created else 200)


@bp.delete("/namespaces/<name>")
@documented(summary="Drop a namespace", responses={204: None}, errors=(409,))
def delete_namespace(name):
    try:
        name = validate_name(name)
        existed = runtime().drop_namespace(name)
    except NamespaceNameError as exc:
        raise refused(str(exc)) from None
    except NamespaceBusy as exc:
        raise refused(str(exc), status=409) from None
    if not existed:
        raise refused(f"no namespace {name!r}", status=404)
    return answer(None, 204)


@bp.post("/snapshots")
@documented(summary="Save this namespace's state as a snapshot", body=SnapshotBodySchema, responses={201: SnapshotSchema})
def post_snapshot():
    """Save this namespace's state (every API, the clock, the faults) under a name."""
    name = json_body(_snapshot_body)["name"]
    return answer(snapshots.save(state_db_path(), name, runtime().settings.busy_timeout_s), 201)


@bp.get("/snapshots")
@documented(summary="List the snapshots", responses={200: SnapshotListSchema})
def get_snapshots():
    return answer({"snapshots": snapshots.list_snapshots(state_db_path())})


@bp.post("/snapshots/<name>/restore")
@documented(summary="Restore a snapshot", responses={200: SummarySchema})
def restore_snapshot(name):
    """Put this namespace's state back as it was when the snapshot was taken."""
    if snapshots.restore(state_db_path(), _snapshot_name(name), runtime().settings.busy_timeout_s,
                         state_db().conn) is None:
        raise refused(f"no snapshot {name!r}; GET /_sandbox/snapshots lists them", status=404)
    return answer(service.current(state_db(), runtime().apis))


@bp.delete("/snapshots/<name>")
@documented(summary="Delete a snapshot", responses={204: None})
def delete_snapshot(name):
    if not snapshots.delete(state_db_path(), _snapshot_name(name)):
        raise refused(f"no snapshot {name!r}", status=404)
    return answer(None, 204)


def _snapshot_name(name: str) -> str:
    try:
        return snapshots.validate_name(name)
    except snapshots.SnapshotNameError as exc:
        raise refused(str(exc), problems=[{"path": "name", "message": str(exc)}]) from None


@bp.get("/openapi.json")
@documented(summary="This document", responses={200: OpenApiDocumentSchema}, secured=False)
def openapi_document():
    """The control API's OpenAPI document."""
    return answer(runtime().openapi_document(runtime().control.name, request.script_root))


@bp.get("/docs")
@documented(summary="The interactive API reference (HTML)", responses={200: None}, secured=False)
def docs():
    """Swagger UI over every API's document; ``?api=<name>`` opens that one first."""
    found = reference.documents(request.script_root, runtime().control, runtime().apis)
    return (reference.page(request.script_root, found, request.args.get("api")), 200,
            {"Content-Type": "text/html; charset=utf-8"})


@bp.get("/docs/static/<asset>")
@documented(summary="A file of the interactive reference", responses={200: None}, secured=False)
def docs_asset(asset):
    found = reference.asset(asset)
    if found is None:
        raise refused(f"no file {asset!r}", status=404)
    data, content_type = found
    return data, 200, {"Content-Type": content_type, "Cache-Control": "public, max-age=3600"}
