"""``GET /``: where everything is. JSON for clients, a small HTML page for browsers.

Needs no admin token: it shows only addresses, which hold no secrets.
"""
from __future__ import annotations

import html

from flask import Blueprint, request

import sandbox
from sandbox.core.context import runtime
from sandbox.core.http import answer

bp = Blueprint("front_door", __name__)


def addresses() -> dict:
    """The absolute URLs of this server as the client reached it (a namespace's
    ``/_ns/<name>`` prefix included)."""
    root = request.url_root.rstrip("/")
    return {"apis": {api.name: root + api.prefix for api in runtime().apis},
            "docs": root + "/_sandbox/docs", "health": root + "/_sandbox/health",
            "version": sandbox.__version__}


@bp.get("/")
def front_door():
    found = addresses()
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return page(found), 200, {"Content-Type": "text/html; charset=utf-8", "Vary": "Accept"}
    return answer(found, headers={"Vary": "Accept"})


def page(found: dict) -> str:
    root = request.url_root.rstrip("/")
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td><code>{html.escape(url)}</code></td>"
        f"<td><a href='{html.escape(url)}/openapi.json'>OpenAPI</a> &middot; "
        f"<a href='{html.escape(found['docs'])}?api={html.escape(name)}'>reference</a></td></tr>"
        for name, url in found["apis"].items())
    control = html.escape(root + "/_sandbox")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>rewards-sandbox</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}code{background:#eee}"
        "td{padding:2px 10px}</style></head><body>"
        f"<h1>rewards-sandbox {html.escape(found['version'])}</h1>"
        "<p>A local sandbox of four rewards APIs. Point a client's base URL at one of these.</p>"
        f"<table><tr><th>API</th><th>base URL</th><th>docs</th></tr>{rows}</table>"
        f"<h2>Control API</h2><p><code>{control}</code>: "
        f"<a href='{html.escape(found['health'])}'>health</a> &middot; "
        f"<a href='{html.escape(found['docs'])}'>interactive reference of every API</a> &middot; "
        f"<a href='{control}/openapi.json'>OpenAPI</a> &middot; "
        f"<a href='{html.escape(found['docs'])}?api=control'>reference</a></p>"
        "</body></html>")
