"""OpenAPI 3 documents generated from the routes and their marshmallow schemas (apispec).

Every route of a blueprint appears, with its path parameters; a view decorated with
``documented(...)`` adds its operation id, query, body, success and error responses. The
marshmallow schemas named there are the only description of each shape: the document is
built from them, and the test suite checks every answer it receives against the document.

An operation's id is ``documented(operation_id=...)`` or the view's endpoint name in
camelCase (``list_rewards`` -> ``listRewards``). Its errors are the ones it declares, 401
when the API is secured, 404 when the path names something, 400 when it reads a query or
a body, and ``default``: every error of the API comes in the API's one error shape.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

_CONVERTER_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}
_IGNORED_METHODS = {"HEAD", "OPTIONS"}
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class AnyObject(Schema):
    """A JSON object whose fields the API does not fix (free-form vendor data)."""

    class Meta:
        unknown = "include"


def documented(*, summary: str | None = None, operation_id: str | None = None, query=None, body=None,
               form: bool = False, responses: dict | None = None, errors: tuple = (),
               media_types: tuple[str, ...] | None = None, secured: bool = True):
    """Attach OpenAPI facts to a view: ``query`` (a schema, or a tuple of schemas) and
    ``body`` schemas, ``responses`` as ``{status: Schema class/instance, or None for no
    body}``, extra error statuses, the media types of its answers (default: the API's),
    and ``secured=False`` for a view that needs no credentials. A ``body`` that depends on
    the app's APIs (the control API's scenario) is a plain function of the ApiPackage
    list that returns the schema."""

    def attach(view):
        view._openapi = {"summary": summary, "operation_id": operation_id, "query": query, "body": body,
                         "form": form, "responses": responses or {}, "errors": tuple(errors),
                         "media_types": media_types, "secured": secured}
        return view

    return attach


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def media_type(content_type: str) -> str:
    """``application/json`` of ``application/json; charset=utf-8``."""
    return content_type.split(";")[0].strip()


def _path(rule: str, prefix: str) -> tuple[str, list[dict]]:
    params = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        schema = _CONVERTER_TYPES.get((converter or "").rstrip(":"), {"type": "string"})
        params.append({"in": "path", "name": name, "required": True, "schema": dict(schema)})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule[len(prefix):] if prefix and rule.startswith(prefix) else rule)
    return path or "/", params


def build_spec(app, mount, *, security_required: bool = True, description: str = "", apis=()) -> dict:
    """The OpenAPI document of ``mount`` (an ApiPackage or the control API's mount) as
    ``app`` serves it. ``security_required=False`` documents the schemes as optional."""
    import sandbox

    prefix = mount.prefix
    spec = APISpec(title=mount.title or mount.name, version=sandbox.__version__, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": description},
                   servers=[{"url": prefix}])
    for name, scheme in mount.security.items():
        spec.components.security_scheme(name, scheme)
    requirement = {name: [] for name in mount.security}
    security = ([requirement] if security_required else [{}, requirement]) if requirement else []
    spec.components.schema("Error", schema=mount.error_schema or AnyObject)
    default_types = mount.media_types or (media_type(mount.content_type),)
    examples = recorded_examples().get(mount.name, {})
    operations_by_path: dict = {}
    used_ids: set = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != mount.blueprint.name:
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "_openapi", {})
        path, params = _path(rule.rule, prefix)
        types = meta.get("media_types") or default_types
        # refusals made before the version is known come in the API's own content type
        error_types = types + tuple(t for t in (media_type(mount.content_type),) if t not in types)
        methods = sorted((rule.methods or set()) - _IGNORED_METHODS)
        for method in methods:
            operation_id = meta.get("operation_id") or camel_case(rule.endpoint.split(".", 1)[1])
            operation_id = _unique(operation_id, method if len(methods) > 1 else "", used_ids)
            secured = bool(security) and meta.get("secured", True)
            operation = {
                "operationId": operation_id,
                "summary": meta.get("summary") or _first_line(view.__doc__) or _words(rule.endpoint),
                "parameters": list(params) + _accept(mount, types),
                "responses": _responses(meta, types, error_types, bool(params), secured,
                                        examples.get(f"{method} {rule.endpoint.split('.', 1)[1]}", {})),
                "security": security if secured else [],
            }
            queries = meta.get("query")
            for schema in queries if isinstance(queries, (tuple, list)) else [queries] if queries else []:
                operation["parameters"].append({"in": "query", "schema": schema})
            if meta.get("body") is not None:
                operation["requestBody"] = _request_body(mount, meta, apis)
            operations_by_path.setdefault(path, {})[method.lower()] = operation
    for path, operations in operations_by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _unique(operation_id: str, method: str, used: set) -> str:
    """One view can serve several methods (the second is ``<id><Method>``) or paths (the
    second is ``<id>2``, and so on)."""
    if method and operation_id in used:
        operation_id += method.title()
    candidate, n = operation_id, 1
    while candidate in used:
        n += 1
        candidate = f"{operation_id}{n}"
    used.add(candidate)
    return candidate


def _accept(mount, types: tuple[str, ...]) -> list[dict]:
    """The Accept header an API with versioned media types requires (mount.accept_header)."""
    if not mount.accept_header:
        return []
    return [{"in": "header", "name": "Accept", "required": True,
             "description": "The API version asked for; any other value is refused with 406.",
             "schema": {"type": "string", "enum": list(types), "default": types[0]}}]


def _request_body(mount, meta: dict, apis) -> dict:
    body = meta["body"]
    if not isinstance(body, (type, Schema)):
        body = body(apis)
    content = {kind: {"schema": body} for kind in mount.request_media_types}
    if meta.get("form"):
        content[FORM] = {"schema": body}
    return {"required": True, "content": content}


@functools.cache
def recorded_examples() -> dict:
    """{api: {"METHOD view": {status: body}}}: the default world's answers
    (``sandbox/openapi_examples.json``, written by ``python -m sandbox.openapi_examples``)."""
    import sandbox

    path = Path(sandbox.__file__).with_name("openapi_examples.json")
    return json.loads(path.read_text()) if path.exists() else {}


def _responses(meta: dict, types: tuple[str, ...], error_types: tuple[str, ...], names_something: bool,
               secured: bool, examples: dict) -> dict:
    responses = {}
    for status, schema in (meta.get("responses") or {200: AnyObject}).items():
        if schema is None:
            responses[str(status)] = {"description": "No body"}
            continue
        content = {kind: {"schema": schema} for kind in types}
        if str(status) in examples:
            content[types[0]]["example"] = examples[str(status)]   # the first: the one a client asks for
        responses[str(status)] = {"description": "Success", "content": content}
    error = {"description": "Error", "content": {kind: {"schema": {"$ref": "#/components/schemas/Error"}}
                                                 for kind in error_types}}
    statuses = set(meta.get("errors", ()))
    statuses |= {401} if secured else set()
    statuses |= {404} if names_something else set()
    statuses |= {400} if meta.get("query") is not None or meta.get("body") is not None else set()
    for status in sorted(statuses):
        responses.setdefault(str(status), {**error, "description": _ERROR_WORDS.get(status, "Error")})
    responses["default"] = {**error, "description": "Any other error, in the same shape"}
    return responses


_ERROR_WORDS = {400: "Bad request", 401: "Missing or wrong credentials", 402: "Not enough balance",
                403: "Not permitted", 404: "Not found", 405: "Refused by a limit", 406: "Not acceptable",
                409: "Conflict", 412: "Precondition failed", 413: "Body too large",
                422: "Unprocessable", 503: "Unavailable"}


def _words(endpoint: str) -> str:
    """``control.list_subscriptions`` -> ``List subscriptions``."""
    return endpoint.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _first_line(doc: str | None) -> str | None:
    return doc.strip().splitlines()[0] if doc and doc.strip() else None

