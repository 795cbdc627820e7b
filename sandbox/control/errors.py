"""Control API errors: ``{"error": message, "problems": [{"path", "message"(, "file")}]}``."""
from __future__ import annotations

from sandbox.core.errors import ApiError, RequestError

_INVALID = {"body": "invalid request body", "query": "invalid query"}
# how the control API words what the request handling refuses, the detail going in ``problems``
_REQUEST_ERRORS = {RequestError.UNREADABLE: "the body is not valid JSON",
                   RequestError.NOT_AN_OBJECT: "invalid request body"}


def render_error(err: ApiError) -> tuple[dict, dict]:
    message, problems = err.message, err.details.get("problems")
    if isinstance(err, RequestError):
        if err.kind == RequestError.INVALID:
            message = _INVALID.get(err.details.get("location"), message)
        elif err.kind in _REQUEST_ERRORS and err.status == 400:
            message, problems = _REQUEST_ERRORS[err.kind], [{"path": "", "message": err.message}]
    body = {"error": message}
    if problems:
        body["problems"] = problems
    return body, {}


def refused(message: str, status: int = 400, problems: list | None = None) -> ApiError:
    return ApiError(message, status=status, details={"problems": problems} if problems else None)
