"""Control API errors: ``{"error": message, "problems": [{"path", "message"(, "file")}]}``."""
from __future__ import annotations

from sandbox.core.errors import ApiError, RequestError

_INVALID = {"body": "invalid request body", "query": "invalid query"}


def render_error(err: ApiError) -> tuple[dict, dict]:
    message = err.message
    if isinstance(err, RequestError) and err.kind == RequestError.INVALID:
        message = _INVALID.get(err.details.get("location"), message)
    body = {"error": message}
    if err.details.get("problems"):
        body["problems"] = err.details["problems"]
    return body, {}


def refused(message: str, status: int = 400, problems: list | None = None) -> ApiError:
    return ApiError(message, status=status, details={"problems": problems} if problems else None)
