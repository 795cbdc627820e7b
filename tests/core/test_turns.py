"""``TurnPool``: a worker's requests run one at a time, on the thread that ran the last when
it can, and a call that waits (``waiting()``, or a served socket that would block) lets the
next one start on another thread, up to the pool's thread limit."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from sandbox.core.turns import TurnPool, waiting
from sandbox.server import HeaderDeadlineSocket

WAIT = 10                       # seconds a test waits for what must happen; never reached


@pytest.fixture
def pool():
    made = TurnPool(threads=3)
    yield made
    made.shutdown(wait=True)


def test_calls_run_one_at_a_time_and_a_busy_pool_stays_on_one_thread(pool):
    gate, running, most, names = threading.Event(), [0], [0], []
    lock = threading.Lock()

    def call(i):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            names.append(threading.current_thread().name)
        gate.wait(WAIT) if i == 0 else time.sleep(0.001)
        with lock:
            running[0] -= 1
        return i

    futures = [pool.submit(call, i) for i in range(20)]     # queued behind the first, which is held
    gate.set()
    assert [f.result(WAIT) for f in futures] == list(range(20))
    assert most[0] == 1
    assert len(set(names)) == 1, set(names)


def test_a_waiting_call_lets_the_next_start_on_another_thread(pool):
    release, inside = threading.Event(), threading.Event()

    def waits():
        with waiting():
            inside.set()
            release.wait(WAIT)
        return threading.current_thread().name

    held = pool.submit(waits)
    assert inside.wait(WAIT)
    other = pool.submit(lambda: threading.current_thread().name)
    assert other.result(WAIT) != "" and not held.done()
    release.set()
    assert held.result(WAIT) != other.result()


def test_without_a_wait_marked_the_next_call_waits_its_turn(pool):
    release, inside = threading.Event(), threading.Event()

    def holds():
        inside.set()
        release.wait(WAIT)

    held = pool.submit(holds)
    assert inside.wait(WAIT)
    other = pool.submit(lambda: "ran")
    time.sleep(0.2)
    assert not other.done()                 # the control for the test above
    release.set()
    assert other.result(WAIT) == "ran" and held.result(WAIT) is None


def test_no_more_threads_than_the_limit_wait_at_once(pool):
    release, inside = threading.Event(), threading.Semaphore(0)

    def waits():
        with waiting():
            inside.release()
            release.wait(WAIT)
        return "waited"

    waiting_calls = [pool.submit(waits) for _ in range(3)]
    for _ in range(3):
        assert inside.acquire(timeout=WAIT)
    queued = pool.submit(lambda: "ran")
    time.sleep(0.2)
    assert not queued.done()                # all three threads are waiting
    release.set()
    assert queued.result(WAIT) == "ran"
    assert [f.result(WAIT) for f in waiting_calls] == ["waited"] * 3


def test_a_call_that_raises_gives_its_exception_to_the_future_and_the_pool_goes_on(pool):
    def fails():
        raise ValueError("no")

    failed = pool.submit(fails)
    with pytest.raises(ValueError):
        failed.result(WAIT)
    assert pool.submit(lambda: 7).result(WAIT) == 7


def test_waiting_outside_a_pool_runs_its_block_and_counts_for_no_pool(pool):
    ran = []
    with waiting():
        ran.append("block")
    assert ran == ["block"]
    assert pool.submit(lambda: pool._running).result(WAIT) == 1     # only the call itself runs


def test_a_shut_down_pool_refuses_calls():
    pool = TurnPool(threads=1)
    assert pool.submit(lambda: 1).result(WAIT) == 1
    pool.shutdown(wait=True)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: 2)


# -- the served socket marks its blocking reads and writes --------------------------------------

def _busy_socket_call(pool, use):
    """Run ``use(sock)`` on the pool with a served socket whose peer sends nothing and reads
    nothing; True if another call ran meanwhile."""
    ours, peer = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    served = HeaderDeadlineSocket(ours)
    started = threading.Event()

    def blocked():
        started.set()
        return use(served)

    held = pool.submit(blocked)
    assert started.wait(WAIT)
    time.sleep(0.1)
    ran_meanwhile = pool.submit(lambda: True).result(WAIT)
    assert not held.done()
    peer.sendall(b"x")                      # the read gets its byte
    drained = threading.Thread(target=lambda: _drain(peer), daemon=True)
    drained.start()                         # the write gets a reader
    held.result(WAIT)
    ours.close()
    drained.join(WAIT)
    peer.close()
    return ran_meanwhile


def _drain(sock):
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:        # closed with the byte sent to it unread (the write case)
        pass


def test_a_body_read_that_would_block_does_not_hold_the_turn(pool):
    assert _busy_socket_call(pool, lambda sock: sock.recv(1))


def test_a_response_write_that_would_block_does_not_hold_the_turn(pool):
    assert _busy_socket_call(pool, lambda sock: sock.sendall(b"y" * (8 * 1024 * 1024)))
