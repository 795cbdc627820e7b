"""The refusals MX documents, as ApiErrors (statuses from the MX error table,
specs/README.md Atrium decision 1). Rendered by ``atrium/errors.py``."""
from __future__ import annotations

from sandbox.core.errors import ApiError

UNAUTHORIZED = "Invalid MX-API-Key or MX-Client-ID provided."
NOT_ACCEPTABLE = "The request didn't specify a valid API version."
NOT_FOUND = "Invalid item/id/URL requested."


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
