"""The one error type, and the one way validation problems are put into words.

An ``ApiError`` is a plain value: the services raise it, and the API's package renders it in
its vendor's shape at the edge (``ApiPackage.render_error``). Nothing here imports Flask, so a
service that raises one stays free of the web framework.
"""
from __future__ import annotations

PROBLEMS_IN_ONE_LINE = 5


class ApiError(Exception):
    """An error answer.

    ``status``: the HTTP status; ``code``: the vendor's error code where the vendor has codes
    (None: the renderer's default for the status); ``message``: what went wrong, in words;
    ``details``: whatever else the vendor's error body carries (MyRewards' list of messages
    and ``index_of_failed_data``, SaaSquatch's ``rsCode``, the control API's ``problems``).
    """

    status: int = 400
    message: str = "Bad request"

    def __init__(self, message: str | None = None, *, status: int | None = None, code: str | None = None,
                 details: dict | None = None):
        if status is not None:
            self.status = status
        if message is not None:
            self.message = message
        self.code = code
        self.details = details or {}
        super().__init__(self.message)


class RequestError(ApiError):
    """A request refused by the sandbox's own request handling, before any vendor rule ran.
    ``kind`` says which refusal it is, so a vendor's renderer can word it its own way;
    ``headers``: what HTTP itself asks the answer to carry (``Allow`` on a 405)."""

    NO_ROUTE = "no_route"            # 404: no route for the path
    METHOD = "method"                # 405: the path has routes, not for this method
    TOO_LARGE = "too_large"          # 413: the body is over SANDBOX_MAX_BODY_BYTES
    UNREADABLE = "unreadable"        # 400: not UTF-8, not JSON, nested too deeply
    NOT_AN_OBJECT = "not_an_object"  # 400: JSON, but not the object the endpoint takes
    INVALID = "invalid"              # 400: fields the schema refuses; details["problems"]
    NAMESPACE = "namespace"          # 400: an unusable namespace selector
    HTTP = "http"                    # any other refusal of the HTTP layer (its own status)
    INTERNAL = "internal"            # 500: an unexpected exception (a bug)

    def __init__(self, kind: str, message: str, *, status: int = 400, details: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message, status=status, details=details)
        self.kind = kind
        self.headers = headers or {}


def validation_problems(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested error messages as ``[{"path": "a.b[0].c", "message": ...}]``."""
    found = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            found.extend(validation_problems(value, path))
    elif isinstance(messages, list):
        for item in messages:
            found.extend(validation_problems(item, prefix))
    else:
        found.append({"path": prefix, "message": str(messages)})
    return found


def one_line(problems: list[dict]) -> str:
    """The first few problems as one sentence: ``amount: Not a valid integer.; unit: ...``."""
    parts = [f"{p['path']}: {p['message']}" if p["path"] else p["message"]
             for p in problems[:PROBLEMS_IN_ONE_LINE]]
    return "; ".join(parts) or "Invalid request"
