"""Eagle Eye AIR errors: always ``{"errorCode", "errorMessage"}`` (the Eagle Eye README, "Rules").

The business-rule codes are the sandbox's decisions (no AIR error catalogue is public,
apart from ``ELE`` "Exchange Limit Exceeded" from the Exchange reference page).
"""
from __future__ import annotations

from sandbox.core.errors import ApiError

# Rendered by the core in CONTENT_TYPE; every AIR answer, errors included, carries a per-call id
# (``headers`` in __init__.py).
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
NOTVOIDABLE = "NOTVOIDABLE"  # an account transaction already voided, or not a credit, debit or earn


def render_error(err: ApiError) -> tuple[dict, dict]:
    return {"errorCode": err.code or DEFAULT_CODES.get(err.status, "ERROR"), "errorMessage": err.message}, {}


def bad_request(message: str) -> ApiError:
    return ApiError(message, status=400, code="BADREQ")


def unauthorized(message: str) -> ApiError:
    return ApiError(message, status=401, code="AUTH")


def not_found(what: str, ident, where: str = "") -> ApiError:
    return ApiError(f"{what} {ident} not found{' ' + where if where else ''}", status=404, code="NOTFOUND")


def conflict(message: str) -> ApiError:
    return ApiError(message, status=409, code="DUPLICATE")


def _rule(code: str, message: str) -> ApiError:
    """A business rule refused the request (422); nothing was written."""
    return ApiError(message, status=422, code=code)


def below_threshold(message: str) -> ApiError:
    return _rule(THRESHOLD, message)


def negative_balance(message: str) -> ApiError:
    return _rule(NEGBAL, message)


def limit_exceeded(message: str) -> ApiError:
    return _rule(ELE, message)


def no_link(message: str) -> ApiError:
    return _rule(NOLINK, message)


def not_issued(message: str) -> ApiError:
    """The coupon could not be issued; the exchange was rolled back (its VOIDED traces stay)."""
    return _rule(ISSUANCE, message)


def inactive(message: str) -> ApiError:
    return _rule(INACTIVE, message)


def not_voidable(message: str) -> ApiError:
    return _rule(NOTVOIDABLE, message)
