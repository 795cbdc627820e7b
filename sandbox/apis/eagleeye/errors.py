"""Eagle Eye AIR errors: always ``{"errorCode", "errorMessage"}`` (specs/README.md, Eagle Eye 4).

The business-rule codes are the sandbox's decisions (no AIR error catalogue is public,
apart from ``ELE`` "Exchange Limit Exceeded" from the Exchange reference page).
"""
from __future__ import annotations

import uuid

from flask import Response, json

from sandbox.core.errors import ApiError

CONTENT_TYPE = "application/json;charset=utf-8"
DEFAULT_CODES = {400: "BADREQ", 401: "AUTH", 404: "NOTFOUND", 405: "METHOD", 409: "DUPLICATE",
                 413: "TOOLARGE", 422: "UNPROCESSABLE", 500: "U"}

# 422 business rules of the exchange
THRESHOLD = "THRESHOLD"      # balance below the reward's threshold
NEGBAL = "NEGBAL"            # the scheme does not allow a negative balance
ELE = "ELE"                  # Exchange Limit Exceeded (the vendor's own code)
NOLINK = "NOLINK"            # personal bank without a usable wallet link
ISSUANCE = "ISSUANCE"        # campaign issuance limit or window; the exchange was rolled back
INACTIVE = "INACTIVE"        # wallet, bank or reward not ACTIVE
ROLLBACK = "ROLLBACK"        # inside a 207: the rollback itself failed


def called_unique_id() -> str:
    """Value of ``x-ees-called-unique-id``, the per-call id AIR clients log."""
    return uuid.uuid4().hex


def render_error(err: ApiError) -> Response:
    body = err.body if err.body is not None else {
        "errorCode": err.code or DEFAULT_CODES.get(err.status, "ERROR"), "errorMessage": err.message}
    response = Response(json.dumps(body), status=err.status, content_type=CONTENT_TYPE)
    response.headers.update(err.headers)
    response.headers["x-ees-called-unique-id"] = called_unique_id()
    return response


def bad_request(message: str) -> ApiError:
    return ApiError(message, status=400, code="BADREQ")


def unauthorized(message: str) -> ApiError:
    return ApiError(message, status=401, code="AUTH")


def not_found(what: str, ident, where: str = "") -> ApiError:
    return ApiError(f"{what} {ident} not found{' ' + where if where else ''}", status=404, code="NOTFOUND")


def conflict(message: str) -> ApiError:
    return ApiError(message, status=409, code="DUPLICATE")


def rule(code: str, message: str) -> ApiError:
    """A business rule refused the request (422); nothing was written."""
    return ApiError(message, status=422, code=code)
