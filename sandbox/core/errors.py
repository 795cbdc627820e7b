"""One error type for every emulated API; each API renders it in its vendor's shape."""
from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """An error answer. ``status`` and ``message`` always; ``code`` where the vendor has
    error codes; ``body`` replaces the rendered body entirely (vendor bodies with extra
    fields, such as MyRewards' ``index_of_failed_data`` or Eagle Eye's 207)."""

    status: int = 400
    code: str | None = None
    message: str = "Bad request"

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 code: str | None = None, body=None, headers: dict | None = None):
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        if message is not None:
            self.message = message
        self.body = body
        self.headers = headers or {}
        super().__init__(self.message)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ControlError(ApiError):
    """An error of the sandbox's own control API: ``{"error": message, "problems": [...]}``."""

    def __init__(self, message: str, *, status: int = 400, problems: list | None = None):
        super().__init__(message, status=status)
        self.problems = problems or []
