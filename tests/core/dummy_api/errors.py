"""The dummy API's refusals and its error body: ``{"dummy_error": message, "status": status}``."""
from __future__ import annotations

from sandbox.core.errors import ApiError


def render_error(err: ApiError) -> tuple[dict, dict]:
    return {"dummy_error": err.message, "status": err.status}, {}


def no_wallet() -> ApiError:
    return ApiError("no such wallet", status=404)


def short(balance: int, amount: int) -> ApiError:
    return ApiError("insufficient balance", status=402, details={"balance": balance, "amount": amount})
