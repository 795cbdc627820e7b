"""OpenAPI 3 documents generated from the routes and their marshmallow schemas (apispec).

Every route of a blueprint appears, with its path parameters and error responses; a view
decorated with ``documented(...)`` adds its query, body and success schemas.
"""
from __future__ import annotations

import html
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

_CONVERTER_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}
_IGNORED_METHODS = {"HEAD", "OPTIONS"}
DEFAULT_ERRORS = (400, 401, 404, 405, 413, 500)


class AnyObject(Schema):
    """A JSON object (the shape is in the vendor's documentation)."""

    class Meta:
        unknown = "include"


def documented(*, summary: str | None = None, query=None, body=None, form: bool = False,
               responses: dict | None = None, errors: tuple = ()):
    """Attach OpenAPI facts to a view: ``query`` and ``body`` schemas, ``responses`` as
    ``{status: Schema class/instance, or None for no body}``, extra error statuses. A
    ``body`` that depends on the app's APIs (the control API's scenario) is a plain
    function of the ApiPackage list that returns the schema."""

    def attach(view):
        view._openapi = {"summary": summary, "query": query, "body": body, "form": form,
                         "responses": responses or {}, "errors": tuple(errors)}
        return view

    return attach


def _path(rule: str, prefix: str) -> tuple[str, list[dict]]:
    params = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        schema = _CONVERTER_TYPES.get((converter or "").rstrip(":"), {"type": "string"})
        params.append({"in": "path", "name": name, "required": True, "schema": dict(schema)})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule[len(prefix):] if prefix and rule.startswith(prefix) else rule)
    return path or "/", params


def build_spec(app, *, title: str, blueprint: str, prefix: str, error_schema=None,
               security: dict | None = None, description: str = "", apis=()) -> dict:
    import sandbox

    spec = APISpec(title=title, version=sandbox.__version__, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": description},
                   servers=[{"url": prefix or "/"}])
    if security:
        for name, scheme in security.items():
            spec.components.security_scheme(name, scheme)
    error_ref = {"$ref": "#/components/schemas/Error"}
    spec.components.schema("Error", schema=error_schema or AnyObject)
    operations_by_path: dict = {}
    used_ids: set = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != blueprint:
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "_openapi", {})
        path, params = _path(rule.rule, prefix)
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            operation_id = f"{rule.endpoint.split('.', 1)[1]}_{method.lower()}"
            while operation_id in used_ids:  # one view can serve several paths
                operation_id += "_"
            used_ids.add(operation_id)
            operation = {
                "operationId": operation_id,
                "summary": meta.get("summary") or _first_line(view.__doc__) or rule.endpoint,
                "parameters": list(params),
                "responses": _responses(meta, error_ref),
            }
            if security:
                operation["security"] = [{name: []} for name in security]
            if meta.get("query") is not None:
                operation["parameters"].append({"in": "query", "schema": meta["query"]})
            if meta.get("body") is not None:
                body = meta["body"]
                if not isinstance(body, (type, Schema)):
                    body = body(apis)
                content_type = "application/x-www-form-urlencoded" if meta.get("form") else "application/json"
                content = {"application/json": {"schema": body}}
                if meta.get("form"):
                    content[content_type] = {"schema": body}
                operation["requestBody"] = {"required": True, "content": content}
            operations_by_path.setdefault(path, {})[method.lower()] = operation
    for path, operations in operations_by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _responses(meta: dict, error_ref: dict) -> dict:
    responses = {}
    for status, schema in (meta.get("responses") or {200: AnyObject}).items():
        if schema is None:
            responses[str(status)] = {"description": "No body"}
        else:
            responses[str(status)] = {"description": "Success",
                                      "content": {"application/json": {"schema": schema}}}
    for status in sorted(set(DEFAULT_ERRORS) | set(meta.get("errors", ()))):
        responses.setdefault(str(status), {"description": "Error",
                                           "content": {"application/json": {"schema": error_ref}}})
    return responses


def _first_line(doc: str | None) -> str | None:
    return doc.strip().splitlines()[0] if doc and doc.strip() else None


def docs_page(documents: list[tuple[str, str, dict]]) -> str:
    """Plain HTML (no scripts, no CDN) listing every operation of every document."""
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>rewards-sandbox API docs</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}code{background:#eee}"
             "td{padding:2px 8px;vertical-align:top}</style></head><body><h1>rewards-sandbox</h1>"]
    for name, url, doc in documents:
        parts.append(f"<h2 id='{html.escape(name)}'>{html.escape(doc['info']['title'])}</h2>"
                     f"<p>Base URL <code>{html.escape(doc['servers'][0]['url'])}</code> &middot; "
                     f"<a href='{html.escape(url)}'>OpenAPI JSON</a></p><table>")
        for path, operations in doc.get("paths", {}).items():
            for method, op in operations.items():
                statuses = ", ".join(op.get("responses", {}))
                parts.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                             f"<td>{html.escape(op.get('summary') or '')}</td><td>{html.escape(statuses)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
