"""Server settings: one frozen object built from the CLI, the environment or a test."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from .cors import parse_origins

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_JOURNAL_LIMIT = 10_000
DEFAULT_NAMESPACE_LIMIT = 64
DEFAULT_NAMESPACE_IDLE_SECONDS = 900
DEFAULT_JOURNAL_MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    db_path: str
    root_api: str | None = None
    admin_token: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    journal_limit: int = DEFAULT_JOURNAL_LIMIT
    namespace_limit: int = DEFAULT_NAMESPACE_LIMIT
    namespace_idle_seconds: int = DEFAULT_NAMESPACE_IDLE_SECONDS
    journal_max_bytes: int = DEFAULT_JOURNAL_MAX_BYTES
    busy_timeout_s: float = 10.0
    log_requests: bool = False
    # SANDBOX_CORS_ORIGINS: origins answered with CORS headers (("*",) for any; empty: off)
    cors_origins: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def settings_from_env(db_path: str, **overrides) -> Settings:
    """Settings whose optional knobs come from ``SANDBOX_*`` environment variables."""
    values = dict(
        db_path=db_path,
        admin_token=os.environ.get("SANDBOX_ADMIN_TOKEN") or None,
        max_body_bytes=_int_env("SANDBOX_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        journal_limit=_int_env("SANDBOX_JOURNAL_LIMIT", DEFAULT_JOURNAL_LIMIT),
        namespace_limit=_int_env("SANDBOX_NAMESPACE_LIMIT", DEFAULT_NAMESPACE_LIMIT),
        namespace_idle_seconds=_int_env("SANDBOX_NAMESPACE_IDLE_SECONDS", DEFAULT_NAMESPACE_IDLE_SECONDS),
        journal_max_bytes=_int_env("SANDBOX_JOURNAL_MAX_BYTES", DEFAULT_JOURNAL_MAX_BYTES),
        cors_origins=parse_origins(os.environ.get("SANDBOX_CORS_ORIGINS")),
    )
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
