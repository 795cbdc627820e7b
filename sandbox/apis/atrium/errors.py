"""MX Atrium errors: ``{"error": {"message": "..."}}`` with the MX status table."""
from flask import Response, json

from sandbox.core.errors import ApiError

CONTENT_TYPE = "application/vnd.mx.atrium.v1+json; charset=utf-8"
MESSAGES = {
    401: "Invalid MX-API-Key or MX-Client-ID provided.",
    404: "Invalid item/id/URL requested.",
    405: "A constraint on the requested endpoint wasn't met.",
    406: "The request didn't specify a valid API version.",
    413: "The request body is too large.",
    500: "An unexpected error occurred.",
}


def render_error(err: ApiError) -> Response:
    body = err.body if err.body is not None else {"error": {"message": err.message}}
    response = Response(json.dumps(body), status=err.status, content_type=CONTENT_TYPE)
    response.headers.update(err.headers)
    return response
