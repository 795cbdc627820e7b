"""Eagle Eye AIR errors: ``{"errorCode", "errorMessage"}``."""
from flask import Response, json

from sandbox.core.errors import ApiError

DEFAULT_CODES = {400: "BADREQ", 401: "AUTH", 404: "NOTFOUND", 405: "METHOD",
                 413: "TOOLARGE", 422: "UNPROCESSABLE", 500: "U"}


def render_error(err: ApiError) -> Response:
    body = err.body if err.body is not None else {
        "errorCode": err.code or DEFAULT_CODES.get(err.status, "ERROR"), "errorMessage": err.message}
    response = Response(json.dumps(body), status=err.status, mimetype="application/json")
    response.headers.update(err.headers)
    return response
