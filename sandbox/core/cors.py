"""CORS, for integrations that call the sandbox from a browser (``SANDBOX_CORS_ORIGINS``).

Off unless origins are configured: a comma-separated list of origins
(``http://localhost:3000,https://app.example``) or ``*``. A preflight (``OPTIONS`` with
``Origin`` and ``Access-Control-Request-Method``) from an allowed origin is answered here,
before any authentication, fault or journal entry; every other response to an allowed
origin gets ``Access-Control-Allow-Origin``. A request from any other origin is served as
if CORS were off, so the browser refuses it.
"""
from __future__ import annotations

ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
MAX_AGE_S = "600"


def parse_origins(value: str | None) -> tuple[str, ...]:
    """``SANDBOX_CORS_ORIGINS`` as a tuple of origins (``("*",)`` for any)."""
    origins = tuple(o.strip().rstrip("/") for o in (value or "").split(",") if o.strip())
    return ("*",) if "*" in origins else origins


class CorsMiddleware:
    def __init__(self, app, origins: tuple[str, ...]):
        self.app = app
        self.any_origin = origins == ("*",)
        self.origins = frozenset(origins)

    def __call__(self, environ, start_response):
        origin = environ.get("HTTP_ORIGIN")
        if not origin or not (self.any_origin or origin in self.origins):
            return self.app(environ, start_response)
        allow = self.allow_headers(origin)
        if environ.get("REQUEST_METHOD") == "OPTIONS" and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
            headers = allow + [("Access-Control-Allow-Methods", ALLOWED_METHODS),
                               ("Access-Control-Max-Age", MAX_AGE_S), ("Content-Length", "0")]
            if requested:
                headers.append(("Access-Control-Allow-Headers", requested))
            start_response("204 No Content", headers)
            return [b""]

        def with_cors(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept + allow, exc_info)

        return self.app(environ, with_cors)

    def allow_headers(self, origin: str) -> list[tuple[str, str]]:
        if self.any_origin:
            return [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "*")]
        return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin")]
