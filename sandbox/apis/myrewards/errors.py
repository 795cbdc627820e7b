"""MyRewards errors: ``{"errors": ["..."]}`` (specs decision 1); a 204 has no body.

The statuses are the seed's: 401 invalid key, 402 user short of points, 412 programme
short of points, 204 user not found, 406 invalid transaction; 422 for failed validation
and 403 for a key without the permission (the vendor's API standards).
"""
from __future__ import annotations

from flask import Response, json

from sandbox.core.errors import ApiError

JSON_TYPE = "application/json; charset=utf-8"

INVALID_KEY = "HTTP Token: Access denied."
USER_NOT_FOUND = "User not found"
USER_SHORT = "User does not have enough points"
PROGRAMME_SHORT = "Programme does not have enough points"


def render_error(err: ApiError) -> Response:
    if err.status == 204:
        response = Response(status=204)
        del response.headers["Content-Type"]
    else:
        body = err.body if err.body is not None else {"errors": [err.message]}
        response = Response(json.dumps(body, separators=(",", ":")), status=err.status, content_type=JSON_TYPE)
    response.headers.update(err.headers)
    return response


def errors(status: int, messages: list[str], **extra) -> ApiError:
    """An error whose body lists every message (validation failures)."""
    return ApiError("; ".join(messages), status=status, body={"errors": list(messages), **extra})


def unauthorized() -> ApiError:
    return ApiError(INVALID_KEY, status=401, headers={"WWW-Authenticate": 'Token realm="Application"'})


def forbidden(resource: str, access: str) -> ApiError:
    return ApiError(f"This API key does not have {access} permission for {resource}", status=403)


def not_found(what: str) -> ApiError:
    return ApiError(f"{what} not found", status=404)


def bad_request(message: str) -> ApiError:
    return ApiError(message, status=400)


def user_not_found_no_content() -> ApiError:
    """The v1 transaction POST's "204 User not found": no body at all."""
    return ApiError(USER_NOT_FOUND, status=204)


def invalid_transaction(messages: list[str]) -> ApiError:
    return errors(406, messages)


def unprocessable(messages: list[str]) -> ApiError:
    return errors(422, messages)
