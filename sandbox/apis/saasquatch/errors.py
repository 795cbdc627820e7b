"""SaaSquatch errors: ``{"message", "statusCode", "apiErrorCode"}`` (+ ``rsCode``)."""
from flask import Response, json

from sandbox.core.errors import ApiError

DEFAULT_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "REQUEST_FAILED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
    500: "INTERNAL_ERROR",
}


def render_error(err: ApiError) -> Response:
    if err.body is not None:
        body = err.body
    else:
        body = {"message": err.message, "statusCode": err.status,
                "apiErrorCode": err.code or DEFAULT_CODES.get(err.status, "ERROR")}
        rs_code = getattr(err, "rs_code", None)
        if rs_code:
            body["rsCode"] = rs_code
    response = Response(json.dumps(body), status=err.status, mimetype="application/json")
    response.headers.update(err.headers)
    return response
