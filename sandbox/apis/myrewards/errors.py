"""MyRewards errors: ``{"errors": ["..."]}``; a 204 has no body."""
from flask import Response, json

from sandbox.core.errors import ApiError


def render_error(err: ApiError) -> Response:
    if err.status == 204:
        response = Response(status=204)
    else:
        body = err.body if err.body is not None else {"errors": [err.message]}
        response = Response(json.dumps(body), status=err.status, mimetype="application/json")
    response.headers.update(err.headers)
    return response
