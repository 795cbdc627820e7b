"""Requests take turns: a worker runs one at a time, on another thread while one waits.

``TurnPool`` is the thread pool a serving worker hands its requests to. It runs at most
``running`` calls at once (one, as served), always on the thread that finished the last
one when there is a next, so a busy worker passes no request from thread to thread. A call
that waits on something other than this process (the sleep of a delayed fault, a request
body or a reader arriving slowly, another process's lock) says so with ``waiting()``, and
for that long it does not count: the next call starts on another thread, up to
``threads`` threads in all. So a delayed fault holds one thread, never the worker.

Why: with gunicorn's own pool every kept-alive connection's request ran on a thread of its
own and they took turns at Python's lock, each turn a wake-up of another thread; one at a
time the Eagle Eye exchange ran about 1.35x as fast (bench/README.md, "Taking turns").

Outside a ``TurnPool`` (tests, other servers) ``waiting()`` does nothing.
"""
from __future__ import annotations

import collections
import threading
from concurrent.futures import Future
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def waiting():
    """Mark a wait: while it lasts the calling request does not hold its worker's turn."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        yield
        return
    pool._wait_begins()
    try:
        yield
    finally:
        pool._wait_ends()


class TurnPool:
    """A ``concurrent.futures`` executor (``submit``, ``shutdown``) whose calls take turns."""

    def __init__(self, threads: int, running: int = 1, name: str = "sandbox-request"):
        self._most_threads, self._most_running, self._name = threads, running, name
        self._lock = threading.Condition(threading.Lock())
        self._calls: collections.deque = collections.deque()
        self._threads: list[threading.Thread] = []
        self._running = 0           # calls started and not waiting
        self._idle = 0              # threads waiting for a call
        self._closed = False

    def submit(self, fn, *args, **kwargs) -> Future:
        future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._calls.append((future, fn, args, kwargs))
            self._hand_on()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            if cancel_futures:
                while self._calls:
                    self._calls.popleft()[0].cancel()
            self._lock.notify_all()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()

    # -- with the lock held ------------------------------------------------------------------
    def _may_start(self) -> bool:
        return bool(self._calls) and self._running < self._most_running

    def _hand_on(self) -> None:
        """If a call may start now, see that a thread takes it: an idle one, else a new one."""
        if not self._may_start():
            return
        if self._idle:
            self._lock.notify()
        elif len(self._threads) < self._most_threads:
            thread = threading.Thread(target=self._serve, name=f"{self._name}-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()

    # -- a thread of the pool ------------------------------------------------------------------
    def _serve(self) -> None:
        _local.pool = self
        lock = self._lock
        with lock:
            while True:
                if not self._may_start():
                    self._idle += 1
                    while not self._may_start() and not self._closed:
                        lock.wait()
                    self._idle -= 1
                    if not self._may_start():
                        return              # shut down
                future, fn, args, kwargs = self._calls.popleft()
                self._running += 1
                lock.release()
                try:
                    if future.set_running_or_notify_cancel():
                        try:
                            result = fn(*args, **kwargs)
                        except BaseException as exc:
                            future.set_exception(exc)
                        else:
                            future.set_result(result)
                finally:
                    # the lock is held from here to the next call's start: a call submitted
                    # meanwhile is this thread's, not handed to another
                    lock.acquire()
                    self._running -= 1

    def _wait_begins(self) -> None:
        with self._lock:
            self._running -= 1
            self._hand_on()

    def _wait_ends(self) -> None:
        with self._lock:
            self._running += 1
