"""Namespaces: isolated copies of the sandbox state for parallel test jobs, as a lifecycle.

The default namespace is the server's database. Any other namespace is a SQLite file of
its own in a folder beside it (``<db>.namespaces/<name>.sqlite``, with its journal), so
isolation holds by construction: writes, clock, journal and faults all live there.

- **Created** whole or not at all: the world is built into a private temporary file and
  linked into place under the folder's lock (``.lock``), which also keeps the count at
  most ``limit``, however many workers create at once.
- **In use**: a request holds a shared ``flock`` on the namespace's lock file
  (``<name>.lock``) from the moment it reaches the namespace's state until it ends, and
  marks the namespace used (the database file's modification time, every few seconds).
- **Evicted** only to make room at the cap, and only one that nobody holds and that has
  served no request for ``idle_seconds``; when there is none, creating one more is refused
  (``NamespaceLimitError``, a 503 with ``Retry-After``) rather than dropping anyone's state.
- **Dropped** under an exclusive lock, so never under a request in flight: its files go,
  the lock file last. Workers close their own handles when they next look
  (``SandboxRuntime.open_namespace``).

Names are case-insensitive (stored in lower case), so two names never share a file on a
case-insensitive file system.
"""
from __future__ import annotations

import fcntl
import glob
import os
import re
import time
from pathlib import Path

from . import snapshots, turns

DEFAULT = "default"
HEADER = "X-Sandbox-Namespace"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_TOUCH_EVERY_S = 5.0
DROP_WAIT_S = 10.0
_last_touch: dict[str, float] = {}


class NamespaceNameError(ValueError):
    pass


class NamespaceNotFound(LookupError):
    pass


class NamespaceBusy(RuntimeError):
    pass


class NamespaceLimitError(RuntimeError):
    """At the cap and no namespace is idle: ``retry_after`` seconds until one will be."""

    def __init__(self, limit: int, idle_seconds: int, retry_after: int):
        self.limit, self.idle_seconds, self.retry_after = limit, idle_seconds, retry_after
        super().__init__(
            f"the sandbox already holds its limit of {limit} namespaces (SANDBOX_NAMESPACE_LIMIT), each used "
            f"within the last {idle_seconds} s (SANDBOX_NAMESPACE_IDLE_SECONDS); drop one with "
            f"DELETE /_sandbox/namespaces/<name>, or retry in {retry_after} s")


def validate_name(name: str) -> str:
    """The namespace's name in lower case, or ``NamespaceNameError``."""
    lowered = (name or "").lower()
    if not _NAME.match(lowered):
        raise NamespaceNameError(
            "a namespace name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return lowered


def namespace_dir(default_db_path: str) -> Path:
    return Path(default_db_path + ".namespaces")


def db_path_for(default_db_path: str, name: str) -> str:
    if name == DEFAULT:
        return default_db_path
    return str(namespace_dir(default_db_path) / f"{validate_name(name)}.sqlite")


def lock_path_for(db_path: str) -> str:
    return db_path[: -len(".sqlite")] + ".lock"


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


def exists(default_db_path: str, name: str) -> bool:
    return name == DEFAULT or os.path.exists(db_path_for(default_db_path, name))


def touch(path: str) -> None:
    """Mark a namespace as used (at most every few seconds per process)."""
    now = time.monotonic()
    if now - _last_touch.get(path, 0.0) >= _TOUCH_EVERY_S:
        _last_touch[path] = now
        try:
            os.utime(path)
        except FileNotFoundError:
            pass


# -- using a namespace ---------------------------------------------------------------------

def hold(default_db_path: str, name: str, create=None, mark_used: bool = True) -> tuple[str, int]:
    """(database path, lock fd) of ``name``, held in use (a shared lock) until
    ``release(fd)``. ``create(path)`` makes a missing namespace; without it a missing one
    raises ``NamespaceNotFound``. ``mark_used=False``: held without counting as a use (the
    webhook dispatcher's visits do not keep a namespace from being evicted when idle)."""
    path = db_path_for(default_db_path, name)
    lock_path = lock_path_for(path)
    for _ in range(20):
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            if create is None and not os.path.exists(path):
                raise NamespaceNotFound(name) from None
            _make(create, path, lock_path)
            continue
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            current = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            current = False
        if current and os.path.exists(path):
            if mark_used and _last_touch.get(path, 0.0) + _TOUCH_EVERY_S <= time.monotonic():
                touch(path)
            return path, fd
        os.close(fd)                    # dropped while we waited, or half-made: look again
        if current:
            if create is None:
                raise NamespaceNotFound(name)
            _make(create, path, lock_path)
    raise NamespaceBusy(f"namespace {name!r} is being dropped and created over and over; retry")


def _make(create, path: str, lock_path: str) -> None:
    """Create the namespace, or only its lock file when the database is there already
    (a namespace made before lock files existed)."""
    if create is not None:
        create(path)
    else:
        os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644))


def release(fd: int) -> None:
    os.close(fd)                        # releases the lock


# -- creating, evicting, dropping ---------------------------------------------------------------

class _FolderLock:
    """The namespace folder's exclusive lock: one creation (and its eviction) at a time."""

    def __init__(self, default_db_path: str):
        folder = namespace_dir(default_db_path)
        folder.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def __enter__(self):
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)
        return False


def create(default_db_path: str, name: str, build, limit: int, idle_seconds: int) -> bool:
    """Make namespace ``name`` if it does not exist; True if this call made it.
    ``build(path)`` writes a complete database at a private temporary path, which is then
    linked into place, so the namespace appears whole or not at all."""
    path = db_path_for(default_db_path, name)
    lock_path = lock_path_for(path)
    with _FolderLock(default_db_path):
        made = False
        if not os.path.exists(path):
            if len(list_namespaces(default_db_path)) >= limit:
                _evict_one(default_db_path, limit, idle_seconds)
            tmp = f"{path}.tmp-{os.getpid()}-{time.monotonic_ns()}"
            try:
                build(tmp)
                os.link(tmp, path)
                made = True
            finally:
                _unlink_all([tmp + suffix for suffix in _SUFFIXES])
        if not os.path.exists(lock_path):
            os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644))
    return made


_SUFFIXES = ("", "-wal", "-shm", ".requests", ".requests-wal", ".requests-shm")


def _evict_one(default_db_path: str, limit: int, idle_seconds: int) -> None:
    """Drop the least recently used namespace that is idle and held by no request, or raise
    ``NamespaceLimitError``."""
    now = time.time()
    found = list_namespaces(default_db_path)
    for candidate in found:
        if now - candidate["last_used"] < idle_seconds:
            break
        if _drop_files(default_db_path, candidate["name"], wait_s=0.0):
            return
    newest_wait = [idle_seconds - (now - n["last_used"]) for n in found]
    raise NamespaceLimitError(limit, idle_seconds, max(1, int(min(newest_wait, default=1)) + 1))


def drop_namespace(default_db_path: str, name: str) -> bool:
    """Drop ``name`` once no request holds it (waiting up to ``DROP_WAIT_S``); False if it
    did not exist. ``NamespaceBusy`` if requests kept it in use all that time."""
    if name == DEFAULT:
        raise NamespaceNameError("the default namespace cannot be dropped; reset it instead")
    path = db_path_for(default_db_path, name)
    if not os.path.exists(path) and not os.path.exists(lock_path_for(path)):
        return False
    if not _drop_files(default_db_path, name, wait_s=DROP_WAIT_S):
        raise NamespaceBusy(f"namespace {name!r} stayed in use for {DROP_WAIT_S:g} s; retry")
    return True


def _drop_files(default_db_path: str, name: str, wait_s: float) -> bool:
    """Delete the namespace's files under its exclusive lock; False if it stayed held."""
    path = db_path_for(default_db_path, name)
    lock_path = lock_path_for(path)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        fd = None                               # a namespace left half-made: nobody can hold it
    try:
        if fd is not None and not _lock_exclusive(fd, wait_s):
            return False
        journal = journal_path_for(path)
        spills = glob.glob(glob.escape(journal) + "-spill-*")
        _unlink_all([path + s for s in ("", "-wal", "-shm", ".write-lock")] + [journal + s for s in ("", "-wal", "-shm")]
                    + spills)
        snapshots.drop_all(path)
        _unlink_all([lock_path])
        _last_touch.pop(path, None)
        return True
    finally:
        if fd is not None:
            os.close(fd)


def _lock_exclusive(fd: int, wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            with turns.waiting():
                time.sleep(0.02)


def _unlink_all(paths) -> None:
    for target in paths:
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
