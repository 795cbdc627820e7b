"""SaaSquatch's refusals and its error body: ``{"message", "statusCode", "apiErrorCode"}``
(+ ``rsCode``); a 401 asks for Basic credentials (``WWW-Authenticate``).

The vendor documents the body (schema `Error`, rsCode in impact.com's copy) and the
statuses (400 bad request, 401 no valid key, 402 valid but failed, 404 not found); the
`apiErrorCode` values below are the sandbox's own where the docs name none.
"""
from __future__ import annotations

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


def render_error(err: ApiError) -> tuple[dict, dict]:
    body = {"message": err.message, "statusCode": err.status,
            "apiErrorCode": err.code or DEFAULT_CODES.get(err.status, "ERROR")}
    if err.details.get("rsCode"):
        body["rsCode"] = err.details["rsCode"]
    headers = {"WWW-Authenticate": 'Basic realm="SaaSquatch API"'} if err.status == 401 else {}
    return body, headers


def _error(message: str, status: int, code: str, rs_code: str | None = None) -> ApiError:
    """``rs_code``: the vendor's documented RS0NN issue code, where one applies."""
    return ApiError(message, status=status, code=code, details={"rsCode": rs_code} if rs_code else None)


def bad_request(message: str) -> ApiError:
    return _error(message, 400, "BAD_REQUEST")


def wrong_content_type() -> ApiError:
    return _error("The request had an incorrect content-type; send application/json.", 400, "BAD_REQUEST", "RS046")


def unauthorized() -> ApiError:
    return _error("Unauthorized - No valid API key provided.", 401, "UNAUTHORIZED")


def tenant_not_found() -> ApiError:
    return _error("No tenant found for the provided alias", 404, "TENANT_NOT_FOUND", "RS038")


def account_not_found() -> ApiError:
    return _error("No account found for the provided id", 404, "ACCOUNT_NOT_FOUND", "RS041")


def user_not_found() -> ApiError:
    return _error("No user found for the provided id", 404, "USER_NOT_FOUND", "RS042")


def reward_not_found() -> ApiError:
    return _error("Reward not found", 404, "REWARD_NOT_FOUND")


def reward_not_cancellable(why: str) -> ApiError:
    return _error(f"Reward is not cancellable: {why}", 400, "REWARD_NOT_CANCELLABLE")


def insufficient_credit(message: str) -> ApiError:
    """Too little credit is 402, nothing debited (the sandbox's choice, in the SaaSquatch README)."""
    return _error(message, 402, "INSUFFICIENT_CREDIT")


def subscription_not_found() -> ApiError:
    return _error("No webhook subscription for that URL", 404, "SUBSCRIPTION_NOT_FOUND")
