"""Control API errors: ``{"error": message, "problems": [...]}``."""
from __future__ import annotations

from flask import jsonify

from sandbox.core.errors import ApiError


def render_error(err: ApiError):
    body = err.body if err.body is not None else {"error": err.message}
    if err.body is None and getattr(err, "problems", None):
        body["problems"] = err.problems
    response = jsonify(body)
    response.status_code = err.status
    response.headers.update(err.headers)
    return response
