"""The dashboard's parts: the sandbox's state as HTML fragments, rendered from the functions
the control API calls and guarded by the same admin token. ``static/dashboard.js`` fetches
them with the token and swaps them into the pages."""
from __future__ import annotations

import functools
from datetime import datetime, timezone

from flask import render_template, request
from sandbox.control import service
from sandbox.control.errors import refused
from sandbox.control.routes import require_admin_token
from sandbox.core import clock, events, faults, journal, snapshots
from sandbox.core.context import journal_db, namespace, runtime, state_db, state_db_path
from sandbox.core.namespaces import DEFAULT, list_namespaces
from sandbox.core.timeutil import to_iso

from . import bp
from .journal_view import curl_command, pretty
from .state import build_state

ROWS_SHOWN = 200          # journal rows on the requests page (the newest)


def part(rule: str):
    """Register a part at ``/_sandbox/ui/part<rule>``, behind the control API's token check."""
    def register(view):
        @functools.wraps(view)
        def guarded(**kwargs):
            require_admin_token()
            return view(**kwargs)
        return bp.get("/part" + rule)(guarded)
    return register


def _render(template: str, **context):
    return render_template(f"dashboard/parts/{template}", **context)


def _base_url() -> str:
    """Where a client reaches this namespace: scheme, host, and any ``/_ns/<name>`` prefix."""
    return request.host_url.rstrip("/") + request.script_root


@part("/overview")
def overview_part():
    db = state_db()
    apis = runtime().apis
    base = _base_url()
    endpoints = [{"name": api.name, "title": api.title or api.name, "base_url": base + api.prefix,
                  "openapi": base + api.prefix + "/openapi.json", "credentials": api.credentials(db)}
                 for api in apis]
    root = request.host_url.rstrip("/")
    spaces = [{"name": DEFAULT, "last_used": None, "url": root + "/_sandbox/ui"}]
    spaces += [{"name": ns["name"], "url": f"{root}/_ns/{ns['name']}/_sandbox/ui",
                "last_used": to_iso(datetime.fromtimestamp(ns["last_used"], timezone.utc))}
               for ns in reversed(list_namespaces(runtime().settings.db_path))]
    return _render("overview.html", world=service.current(db, apis), endpoints=endpoints,
                   namespaces=spaces, current_namespace=namespace(), control_url=base + "/_sandbox",
                   docs_url=base + "/_sandbox/docs")


@part("/requests")
def requests_part():
    filters = service.journal_filters({key: value for key, value in request.args.items() if value != ""},
                                      runtime().apis)
    filters["limit"] = min(filters.get("limit", ROWS_SHOWN), ROWS_SHOWN)
    rows = journal.entries(journal_db(), **filters)
    rows.reverse()                      # newest first
    return _render("requests.html", rows=rows, limit=filters["limit"])


@part("/requests/<int:entry_id>")
def request_part(entry_id):
    entry = journal.entry(journal_db(), entry_id)
    if entry is None:
        raise refused(f"no journal entry {entry_id} (cleared, or dropped as the journal filled)", status=404)
    return _render("request.html", entry=entry, request_body=pretty(entry["body"]),
                   response_body=pretty(entry["response_body"]), curl=curl_command(entry, _base_url()))


@part("/state/<api_name>")
def state_part(api_name):
    api = runtime().by_name.get(api_name)
    if api is None:
        raise refused(f"unknown api {api_name!r}", status=404)
    db = state_db()
    exported = service.export_state(db, api)
    model = build_state(api.name, db, exported["tables"], clock.now(db), request.args.get("row"))
    return _render("state.html", api_name=api.name, model=model)


@part("/faults")
def faults_part():
    return _render("faults.html", faults=faults.all_faults(state_db()))


@part("/webhooks")
def webhooks_part():
    db = state_db()
    shown = events.webhooks(db)[-ROWS_SHOWN:]
    shown.reverse()                     # newest first
    attempts = events.attempts_of(db, [w["id"] for w in shown])
    return _render("webhooks.html", webhooks=shown, attempts=attempts, subscriptions=events.subscriptions(db),
                   limit=ROWS_SHOWN)


@part("/snapshots")
def snapshots_part():
    return _render("snapshots.html", snapshots=snapshots.list_snapshots(state_db_path()))
