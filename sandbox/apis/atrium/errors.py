"""MX Atrium errors: ``{"error": {"message": "..."}}`` with the MX status table
(specs/README.md Atrium decision 1), in MX's vendor content type."""
from flask import Response, json

from sandbox.core.errors import ApiError

from .service.errors import NOT_FOUND

CONTENT_TYPE = "application/vnd.mx.atrium.v1+json; charset=utf-8"
# Messages the framework uses for errors it raises itself (unknown path, body too
# large, an unexpected exception), replaced by MX's wording.
_FRAMEWORK_MESSAGES = {
    (404, "Resource not found"): NOT_FOUND,
    (413, "Request body too large"): "The request body is too large.",
    (500, "Internal server error"): "An unexpected error occurred.",
}


def render_error(err: ApiError) -> Response:
    message = _FRAMEWORK_MESSAGES.get((err.status, err.message), err.message)
    body = err.body if err.body is not None else {"error": {"message": message}}
    response = Response(json.dumps(body), status=err.status, content_type=CONTENT_TYPE)
    response.headers.update(err.headers)
    return response
