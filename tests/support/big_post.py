"""A client that tries to push a large body at a server, the way an attacker would (no 100-continue).

It sends the headers, then the body a mebibyte at a time, looking for an answer before each piece; it stops
at the first answer or when the server closes the connection. Used by tests/test_request_limits.py and
bench/bench_request_limits.py.
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass

PIECE = 1 << 20


@dataclass
class Pushed:
    status: int | None  # the HTTP status answered, if one could be read
    sent: int  # body bytes the server let through before it answered or closed
    reset: bool  # the server closed the connection on the client


def push_body(port: int, path: str, size: int, *, chunked: bool = False, timeout: float = 30.0) -> Pushed:
    """POST ``size`` bytes to ``path`` with a bad Slack signature (declared up front, or chunked)."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
            f"{framing}\r\n\r\n").encode()
    piece = b"a" * PIECE
    sent, reset = 0, False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(head)
            while sent < size and not select.select([sock], [], [], 0)[0]:
                n = min(PIECE, size - sent)
                sock.sendall(f"{n:x}\r\n".encode() + piece[:n] + b"\r\n" if chunked else piece[:n])
                sent += n
            if chunked and sent >= size:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            reset = True
        return Pushed(_status(sock), sent, reset)


def _status(sock: socket.socket) -> int | None:
    answer = b""
    try:
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() else None
