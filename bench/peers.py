"""The peers whose resets anchor the isolation figures: moto's server (``POST /moto-api/reset``)
and WireMock's standalone server (``POST /__admin/reset``), both in memory. Each is started
on a loopback port when it is installed; when it is not, the report says so and the run goes on.

- moto: ``pip install -e '.[bench]'`` (the ``bench`` extra holds ``moto[server]``);
- WireMock: its standalone jar from the npm package ``wiremock``, run with Java 17 or later:
  ``npm install --prefix ~/.cache/rewards-sandbox-bench wiremock@3.13.2`` puts it where the
  benchmark looks (``BENCH_WIREMOCK_JAR=/path/to/wiremock-standalone-*.jar`` points elsewhere).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .servers import Server

WIREMOCK_VERSION = "3.13.2"
WIREMOCK_CACHE = Path.home() / ".cache" / "rewards-sandbox-bench"


@dataclass(frozen=True)
class Peer:
    name: str            # as the report names it
    reset_path: str      # POSTed, answered 200
    health_path: str     # answers 200 once the server is up
    command: list[str]   # without the port, which Server appends


def wiremock_jar() -> Path | None:
    named = os.environ.get("BENCH_WIREMOCK_JAR")
    if named:
        return Path(named) if Path(named).is_file() else None
    found = sorted(WIREMOCK_CACHE.glob("node_modules/wiremock/build/wiremock-standalone-*.jar"))
    return found[-1] if found else None


def available() -> tuple[list[Peer], list[str]]:
    """The peers installed here, and a sentence for each one that is not."""
    peers, missing = [], []
    if importlib.util.find_spec("moto") and importlib.util.find_spec("flask_cors"):
        peers.append(Peer("moto: POST /moto-api/reset", "/moto-api/reset", "/moto-api/data.json",
                          [sys.executable, "-m", "moto.server", "-H", "127.0.0.1"]))
    else:
        missing.append("moto is not installed (`pip install -e '.[bench]'`): its reset was not measured")
    jar, java = wiremock_jar(), shutil.which("java")
    if jar and java:
        peers.append(Peer("WireMock: POST /__admin/reset", "/__admin/reset", "/__admin/health",
                          [java, "-jar", str(jar), "--bind-address", "127.0.0.1", "--disable-banner"]))
    else:
        missing.append("WireMock is not installed (" + ("no `java` on PATH" if jar else
                       f"`npm install --prefix {WIREMOCK_CACHE} wiremock@{WIREMOCK_VERSION}`") +
                       "): its reset was not measured")
    return peers, missing


def start(peer: Peer, log: Path) -> Server:
    """The peer on a free loopback port (``--port N``, as both take it)."""
    return Server(peer.command, log, peer.health_path, workers=None)
