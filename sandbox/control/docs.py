"""``/_sandbox/docs``: an interactive reference (Swagger UI) for every API and the control API.

Swagger UI's files come from the flask-swagger-ui package (its ``dist`` folder, served here as
static files: no CDN, works offline). The page and its files hold no secret, so they are open
with ``SANDBOX_ADMIN_TOKEN`` set, like the documents themselves. "Try it out" sends requests
to the document's server, this sandbox.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import flask_swagger_ui

DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}
ASSETS = frozenset(p.name for p in DIST.iterdir() if p.suffix in _TYPES)
_read: dict = {}


def asset(name: str) -> tuple[bytes, str] | None:
    """(bytes, content type) of one of Swagger UI's files, read once; None for any other name."""
    if name not in ASSETS:
        return None
    if name not in _read:
        _read[name] = ((DIST / name).read_bytes(), _TYPES[Path(name).suffix])
    return _read[name]


def documents(root: str, control, apis) -> list[dict]:
    """``[{name, url}]``: each OpenAPI document's address below ``root`` (the script root)."""
    found = [{"name": api.name, "url": f"{root}{api.prefix}/openapi.json"} for api in apis]
    return found + [{"name": control.name, "url": f"{root}{control.prefix}/openapi.json"}]


def page(root: str, urls: list[dict], primary: str | None) -> str:
    """The Swagger UI page over ``urls``, showing ``primary`` first (one of their names)."""
    static = html.escape(f"{root}/_sandbox/docs/static")
    names = [u["name"] for u in urls]
    config = {"urls": urls, "urls.primaryName": primary if primary in names else names[0],
              "dom_id": "#swagger-ui", "deepLinking": True, "tryItOutEnabled": False,
              "displayRequestDuration": True}
    # </ cannot end the script element early: json.dumps output is escaped for it
    config_js = json.dumps(config).replace("</", "<\\/")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>rewards-sandbox API reference</title>"
        f"<link rel='stylesheet' href='{static}/swagger-ui.css'>"
        f"<link rel='icon' href='{static}/favicon-32x32.png'></head><body>"
        "<div id='swagger-ui'></div>"
        f"<script src='{static}/swagger-ui-bundle.js'></script>"
        f"<script src='{static}/swagger-ui-standalone-preset.js'></script>"
        "<script>window.ui = SwaggerUIBundle(Object.assign(" + config_js + ", {"
        "presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],"
        "layout: 'StandaloneLayout'}));</script></body></html>")
