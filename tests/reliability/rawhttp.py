"""HTTP/1.1 over a plain socket, for what an HTTP library will not send: chunked bodies
with bad framing, a Content-Length the body never reaches, headers one byte at a time."""
from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field

from requests.structures import CaseInsensitiveDict


@dataclass
class Answer:
    status: int
    headers: CaseInsensitiveDict = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""
    send_failed: bool = False       # the server stopped reading before the client finished sending

    # the attributes harness.error_shape_problem reads from a Flask response
    @property
    def status_code(self) -> int:
        return self.status

    def get_data(self) -> bytes:
        return self.body

    def json(self):
        return json.loads(self.body)


def head(method: str, path: str, headers: dict) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunked(data: bytes, size: int = 64 * 1024):
    """``data`` as chunks of ``size`` bytes, then the last chunk."""
    for at in range(0, len(data), size):
        piece = data[at: at + size]
        yield b"%x\r\n" % len(piece) + piece + b"\r\n"
    yield b"0\r\n\r\n"


def exchange(port: int, parts, *, half_close: bool = False, timeout: float = 30.0) -> Answer:
    """Send every byte string of ``parts`` in turn, then read the whole answer (until the
    server closes). A reset while reading fails the test: a reset is not an answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        send_failed = False
        for part in parts:
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                send_failed = True
                break
        if half_close and not send_failed:
            sock.shutdown(socket.SHUT_WR)
        received = bytearray()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
    answer = parse(bytes(received))
    answer.send_failed = send_failed
    return answer


def parse(raw: bytes) -> Answer:
    head_part, _, body = raw.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        raise AssertionError(f"no HTTP answer: {raw[:200]!r}")
    headers = CaseInsensitiveDict()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return Answer(int(lines[0].split(" ", 2)[1]), headers, body)
