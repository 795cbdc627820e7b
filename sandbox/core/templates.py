"""Prepared worlds: a new namespace, and a reset, start from a copy of a template database
that already holds the startup world, instead of building that world again.

perf: building the default world takes ~45 ms (migrations, validation, seeding); copying its
template takes under 1 ms and restoring it over a live database ~1-2 ms (bench/README.md).

A template is keyed by the startup world's document. A world on a frozen clock is the same
whenever it is built, so its template serves for as long as the server runs. A world on real
time leaves the timestamps it does not give to "now"; its template is used while it is younger
than ``FRESH_S`` and rebuilt in the background once it is older than half of that, so those
timestamps are never more than ``FRESH_S`` seconds before the namespace (or reset) that copies
them.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

FRESH_S = 5.0
PREFIX = ".world-"
SUFFIX = ".template"


class WorldTemplates:
    """The prepared startup worlds of one server's namespace folder.

    ``build(path, startup_json)`` writes a complete database holding that world at ``path``
    (a private temporary path; it is then renamed into place, so a reader never sees half of
    one)."""

    def __init__(self, folder: Path, build):
        self.folder = Path(folder)
        self._build = build
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def path_for(self, startup_json: str) -> str:
        """A template holding the world ``startup_json`` that is fresh enough to copy now."""
        path = self.folder / f"{PREFIX}{hashlib.sha256(startup_json.encode()).hexdigest()[:16]}{SUFFIX}"
        real_time = json.loads(startup_json).get("clock") is None
        age = _age(path)
        if age is None or (real_time and age > FRESH_S):
            self._write(path, startup_json)
        elif real_time and age > FRESH_S / 2:
            self._refresh_in_background(path, startup_json)
        return str(path)

    def _write(self, path: Path, startup_json: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = f"{path}.tmp-{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}"
        try:
            self._build(tmp, startup_json)
            os.replace(tmp, path)
        finally:
            for leftover in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
                if os.path.exists(leftover):
                    os.unlink(leftover)
        for other in self.folder.glob(f"{PREFIX}*{SUFFIX}"):     # worlds of an earlier server
            if other != path:
                other.unlink(missing_ok=True)

    def _refresh_in_background(self, path: Path, startup_json: str) -> None:
        with self._lock:
            if str(path) in self._refreshing:
                return
            self._refreshing.add(str(path))

        def refresh():
            try:
                self._write(path, startup_json)
            except Exception:       # the next copy rebuilds it in the foreground, and says why
                pass
            finally:
                with self._lock:
                    self._refreshing.discard(str(path))

        threading.Thread(target=refresh, name="world-template", daemon=True).start()


def _age(path: Path) -> float | None:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
