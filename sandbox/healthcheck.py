"""Container health check: exit 0 when the local sandbox answers /_sandbox/health with 200.

Used by the Dockerfile's HEALTHCHECK (the image has no curl). Reads the same
``SANDBOX_PORT`` the server does; the health route needs no admin token.
"""
from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("SANDBOX_PORT") or "8080"
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/health", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
