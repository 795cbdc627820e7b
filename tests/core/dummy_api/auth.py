"""The dummy API's auth policy: every caller is let in (a key, when sent, is only recorded)."""
from __future__ import annotations

KEY_HEADER = "X-Dummy-Key"


def replay_headers(section: dict, auth: dict, method: str, path: str, body: bytes) -> dict:
    return {KEY_HEADER: str((auth or {}).get("key", ""))}
