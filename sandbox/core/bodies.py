"""Every request body is read here, before the app sees it, and counted against
``SANDBOX_MAX_BODY_BYTES`` however it is framed.

A body sent with ``Content-Length`` or with ``Transfer-Encoding: chunked`` is read whole
into memory (never more than the limit plus one byte), and the app then reads it from
there with an exact ``Content-Length``. What cannot be used is not passed on at all: the
request is answered, before any of it is processed, with

- 413 when the body is larger than the limit. The rest of what the client is still
  sending is read and thrown away (up to ``DRAIN_BYTES`` within ``DRAIN_SECONDS``), so
  the client gets to read the answer instead of seeing its connection reset;
- 400 when it is not a well-formed body (a malformed chunk size, a chunk cut short, or a
  body that ends before the ``Content-Length`` it announced);
- 408 when it does not arrive within ``BODY_SECONDS``.

The answer is in the API's own error shape (``sandbox.core.app`` raises it first thing).
"""
from __future__ import annotations

import io
import socket
import time

READ_STEP = 64 * 1024
DRAIN_BYTES = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0
BODY_SECONDS = 30.0
PROBLEM = "sandbox.body_problem"
BODY = "sandbox.body"


def take_body(environ, limit: int) -> None:
    """Replace ``wsgi.input`` with the whole body, or record why it cannot be used in
    ``environ[PROBLEM]`` as ``(status, message)``."""
    length_text = environ.get("CONTENT_LENGTH")
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked and not length_text:
        return
    stream = environ["wsgi.input"]
    length = None
    if not chunked:
        try:
            length = int(length_text)
        except ValueError:
            environ[PROBLEM] = (400, "The Content-Length header is not a number")
            return
        if length <= 0:
            return
        if length > limit:
            _refuse_too_large(environ, stream, limit)
            return
    with _deadline(environ, BODY_SECONDS) as left:
        try:
            body = _read(stream, limit + 1 if length is None else length, left)
        except (socket.timeout, TimeoutError):
            environ[PROBLEM] = (408, f"The request body did not arrive within {BODY_SECONDS:g} seconds")
            return
        except Exception:           # the server's reader: a malformed chunk size, a chunk cut short
            environ[PROBLEM] = (400, "The request body is malformed (its chunked framing cannot be read)")
            return
    if length is None and len(body) > limit:
        _refuse_too_large(environ, stream, limit)
        return
    if length is not None and len(body) < length:
        environ[PROBLEM] = (400, f"The request body ended after {len(body)} of the {length} bytes "
                                 "its Content-Length announced")
        return
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input_terminated"] = True
    environ[BODY] = body


def _read(stream, most: int, left) -> bytes:
    """Up to ``most`` bytes of ``stream`` (fewer when it ends first)."""
    parts, total = [], 0
    while total < most:
        left()
        part = stream.read(min(READ_STEP, most - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _refuse_too_large(environ, stream, limit: int) -> None:
    environ[PROBLEM] = (413, f"Request body too large: the limit is {limit} bytes")
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["CONTENT_LENGTH"] = "0"
    with _deadline(environ, DRAIN_SECONDS) as left:
        drained = 0
        try:
            while drained < DRAIN_BYTES:
                left()
                part = stream.read(READ_STEP)
                if not part:
                    break
                drained += len(part)
        except Exception:           # slow, malformed or gone: the answer is the same
            pass


class _deadline:
    """Bounds each socket read by the time left (when the server hands the socket over,
    as gunicorn does); ``left()`` raises ``TimeoutError`` once the time is up."""

    def __init__(self, environ, seconds: float):
        self.sock = environ.get("gunicorn.socket")
        self.until = time.monotonic() + seconds
        self.prior = None

    def __enter__(self):
        if self.sock is not None:
            try:
                self.prior = self.sock.gettimeout()
            except (OSError, AttributeError):
                self.sock = None
        return self.left

    def left(self) -> None:
        remaining = self.until - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the body did not arrive in time")
        if self.sock is not None:
            try:
                self.sock.settimeout(remaining)
            except OSError:
                pass

    def __exit__(self, *exc):
        if self.sock is not None:
            try:
                self.sock.settimeout(self.prior)
            except OSError:
                pass
        return False
