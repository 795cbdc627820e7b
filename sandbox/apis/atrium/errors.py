"""MX Atrium's refusals and its error body: ``{"error": {"message": "..."}}`` with the
statuses of the MX error table (the sandbox's choice: the Atrium README, "Deviations from MX"),
in MX's v1 content type.

The services raise these ``ApiError`` values; ``render_error`` gives them MX's shape.
"""
from __future__ import annotations

from sandbox.core.errors import ApiError, RequestError

UNAUTHORIZED = "Invalid MX-API-Key or MX-Client-ID provided."
NOT_ACCEPTABLE = "The request didn't specify a valid API version."
NOT_FOUND = "Invalid item/id/URL requested."
# MX's wording for what the sandbox's request handling refuses itself
_REQUEST_MESSAGES = {
    RequestError.NO_ROUTE: NOT_FOUND,
    RequestError.TOO_LARGE: "The request body is too large.",
    RequestError.INTERNAL: "An unexpected error occurred.",
}


def render_error(err: ApiError) -> tuple[dict, dict]:
    message = err.message
    if isinstance(err, RequestError):
        if err.kind == RequestError.INVALID:
            message = f"A required parameter is missing or invalid ({err.message})."
        else:
            message = _REQUEST_MESSAGES.get(err.kind, message)
    return {"error": {"message": message}}, {}


def bad_request(message: str) -> ApiError:
    return ApiError(message, status=400)


def unauthorized() -> ApiError:
    return ApiError(UNAUTHORIZED, status=401)


def forbidden(message: str) -> ApiError:
    return ApiError(message, status=403)


def not_found() -> ApiError:
    return ApiError(NOT_FOUND, status=404)


def constraint(message: str) -> ApiError:
    """405: "A constraint on the requested endpoint wasn't met." (e.g. a 26th member)."""
    return ApiError(message, status=405)


def not_acceptable(message: str = NOT_ACCEPTABLE) -> ApiError:
    return ApiError(message, status=406)


def conflict(message: str) -> ApiError:
    return ApiError(message, status=409)


def unprocessable(message: str) -> ApiError:
    return ApiError(message, status=422)
