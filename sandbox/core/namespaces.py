"""Namespaces: isolated copies of the sandbox state for parallel test jobs.

The default namespace is the server's database. Any other namespace is a SQLite file of
its own beside it, created on first use from the startup world, so isolation holds by
construction: writes, clock, journal and faults all live in that file (and its journal).
"""
from __future__ import annotations

import glob
import json
import os
import re
import time
from pathlib import Path

from . import snapshots

DEFAULT = "default"
HEADER = "X-Sandbox-Namespace"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TOUCH_EVERY_S = 5.0
_last_touch: dict[str, float] = {}


class NamespaceNameError(ValueError):
    pass


def validate_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise NamespaceNameError(
            "a namespace name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name


def namespace_dir(default_db_path: str) -> Path:
    return Path(default_db_path + ".namespaces")


def db_path_for(default_db_path: str, name: str) -> str:
    if name == DEFAULT:
        return default_db_path
    return str(namespace_dir(default_db_path) / f"{validate_name(name)}.sqlite")


def journal_path_for(db_path: str) -> str:
    return db_path + ".requests"


def list_namespaces(default_db_path: str) -> list[dict]:
    folder = namespace_dir(default_db_path)
    found = []
    if folder.is_dir():
        for path in folder.glob("*.sqlite"):
            try:
                found.append({"name": path.stem, "last_used": path.stat().st_mtime})
            except FileNotFoundError:
                continue
    return sorted(found, key=lambda n: n["last_used"])


def touch(path: str) -> None:
    """Mark a namespace as used (at most every few seconds per process)."""
    now = time.monotonic()
    if now - _last_touch.get(path, 0.0) >= _TOUCH_EVERY_S:
        _last_touch[path] = now
        try:
            os.utime(path)
        except FileNotFoundError:
            pass


def ensure_namespace(default_db_path: str, name: str, create_world, limit: int) -> str:
    """The database path of ``name``, creating it from the startup world if absent.

    ``create_world(path)`` builds a complete database at a private temporary path; it is
    then linked into place atomically, so concurrent first uses from several workers
    all end up with the same single file.
    """
    path = db_path_for(default_db_path, name)
    if name == DEFAULT or os.path.exists(path):
        return path
    folder = namespace_dir(default_db_path)
    folder.mkdir(parents=True, exist_ok=True)
    _enforce_cap(default_db_path, keep=limit - 1)
    tmp = f"{path}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    try:
        create_world(tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        for suffix in ("", "-wal", "-shm", ".requests", ".requests-wal", ".requests-shm"):
            try:
                os.unlink(tmp + suffix)
            except FileNotFoundError:
                pass
    return path


def _enforce_cap(default_db_path: str, keep: int) -> None:
    """Drop the least recently used namespaces until at most ``keep`` remain."""
    existing = list_namespaces(default_db_path)
    while len(existing) > max(keep, 0):
        drop_namespace(default_db_path, existing.pop(0)["name"])


def drop_namespace(default_db_path: str, name: str) -> bool:
    if name == DEFAULT:
        raise NamespaceNameError("the default namespace cannot be dropped; reset it instead")
    path = db_path_for(default_db_path, name)
    existed = os.path.exists(path)
    # the journal's spill files (sandbox.core.journal) go with it
    spills = glob.glob(glob.escape(journal_path_for(path)) + "-spill-*")
    for suffix in ("", "-wal", "-shm"):
        for target in (path + suffix, journal_path_for(path) + suffix, *(spills if not suffix else ())):
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
    snapshots.drop_all(path)
    return existed


def summary(default_db_path: str) -> str:
    return json.dumps(list_namespaces(default_db_path))
