"""SaaSquatch errors: ``{"message", "statusCode", "apiErrorCode"}`` (+ ``rsCode``).

The vendor documents the body (schema `Error`, rsCode in impact.com's copy) and the
statuses (400 bad request, 401 no valid key, 402 valid but failed, 404 not found); the
`apiErrorCode` values below are the sandbox's own where the docs name none.
"""
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


class SaasquatchError(ApiError):
    """An ApiError that may carry the vendor's ``rsCode`` (documented RS0NN issue codes)."""

    def __init__(self, message: str, *, status: int, code: str, rs_code: str | None = None,
                 headers: dict | None = None):
        super().__init__(message, status=status, code=code, headers=headers)
        self.rs_code = rs_code


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


def bad_request(message: str) -> SaasquatchError:
    return SaasquatchError(message, status=400, code="BAD_REQUEST")


def wrong_content_type() -> SaasquatchError:
    return SaasquatchError("The request had an incorrect content-type; send application/json.",
                           status=400, code="BAD_REQUEST", rs_code="RS046")


def unauthorized() -> SaasquatchError:
    return SaasquatchError("Unauthorized - No valid API key provided.", status=401,
                           code="UNAUTHORIZED",
                           headers={"WWW-Authenticate": 'Basic realm="SaaSquatch API"'})


def tenant_not_found() -> SaasquatchError:
    return SaasquatchError("No tenant found for the provided alias", status=404,
                           code="TENANT_NOT_FOUND", rs_code="RS038")


def account_not_found() -> SaasquatchError:
    return SaasquatchError("No account found for the provided id", status=404,
                           code="ACCOUNT_NOT_FOUND", rs_code="RS041")


def user_not_found() -> SaasquatchError:
    return SaasquatchError("No user found for the provided id", status=404,
                           code="USER_NOT_FOUND", rs_code="RS042")


def reward_not_found() -> SaasquatchError:
    return SaasquatchError("Reward not found", status=404, code="REWARD_NOT_FOUND")


def reward_not_cancellable(why: str) -> SaasquatchError:
    return SaasquatchError(f"Reward is not cancellable: {why}", status=400,
                           code="REWARD_NOT_CANCELLABLE")


def insufficient_credit(message: str) -> SaasquatchError:
    """specs/README.md SaaSquatch decision 1: too little credit is 402, nothing debited."""
    return SaasquatchError(message, status=402, code="INSUFFICIENT_CREDIT")
