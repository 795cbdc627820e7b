"""MyRewards' refusals and its error body: ``{"errors": ["..."]}`` (the sandbox's choice, in the
MyRewards README); a 204 has no body, and a 401 asks for a token (``WWW-Authenticate``).

The statuses are the 2018 reference's: 401 invalid key, 402 user short of points, 412 programme
short of points, 204 user not found, 406 invalid transaction; 422 for failed validation
and 403 for a key without the permission (the vendor's API standards).
"""
from __future__ import annotations

from sandbox.core.errors import ApiError

JSON_TYPE = "application/json; charset=utf-8"

INVALID_KEY = "HTTP Token: Access denied."
USER_NOT_FOUND = "User not found"
USER_SHORT = "User does not have enough points"
PROGRAMME_SHORT = "Programme does not have enough points"


def render_error(err: ApiError) -> tuple[dict | None, dict]:
    headers = {"WWW-Authenticate": 'Token realm="Application"'} if err.status == 401 else {}
    if err.status == 204:
        return None, headers
    body = {"errors": list(err.details.get("errors") or [err.message])}
    if "index_of_failed_data" in err.details:
        body["index_of_failed_data"] = err.details["index_of_failed_data"]
    return body, headers


def _listing(status: int, messages: list[str], **details) -> ApiError:
    """An error whose body lists every message (validation failures)."""
    return ApiError("; ".join(messages), status=status, details={"errors": list(messages), **details})


def unauthorized() -> ApiError:
    return ApiError(INVALID_KEY, status=401)


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
    return _listing(406, messages)


def user_short() -> ApiError:
    return ApiError(USER_SHORT, status=402)


def programme_short() -> ApiError:
    return ApiError(PROGRAMME_SHORT, status=412)


def unprocessable(messages: list[str]) -> ApiError:
    return _listing(422, messages)


def failed_record(messages: list[str], index: int) -> ApiError:
    """A sales-data batch refused at record ``index`` (nothing was written)."""
    return _listing(422, messages, index_of_failed_data=index)
