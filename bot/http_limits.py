"""What one HTTP request may cost the server: a body limit per path and two timeouts (docs/decisions/0022).

waitress reads a request whole before the WSGI app sees it, so a limit checked in the app comes too late:
a 100 MB POST with a forged signature would already be in memory. These limits act in waitress's parser,
as the bytes arrive: a declared ``Content-Length`` over the path's limit is refused with 413 as soon as the
headers are in, a chunked body as soon as it grows past the limit, and the connection is closed unread.

- ``max_body_bytes``: per path (and the paths under it); a path not in the table takes no body (``GET /healthz``, ``/metrics``).
- ``read_timeout_seconds``: a connection that sends nothing for this long is closed (waitress's
  ``channel_timeout``, checked every ``cleanup_interval``).
- ``request_timeout_seconds``: a request must arrive whole (headers and body) within this long of its
  first byte, however slowly it drips; later bytes get 408 and the connection is closed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.utilities import BadRequest, RequestEntityTooLarge

from bot.metrics import REFUSED

if TYPE_CHECKING:
    from bot.config import ServerSettings


class RequestTimeout(BadRequest):
    code = 408
    reason = "Request Timeout"


def waitress_adjustments(limits: ServerSettings) -> dict[str, Any]:
    """waitress's own settings for these limits: its global body cap is the largest path's (a backstop),
    and its idle-connection sweep runs often enough for the read timeout to mean what it says."""
    largest = max(limits.max_body_bytes.values(), default=0)
    return {
        "max_request_body_size": largest + 1,  # waitress refuses at >= its cap; the parser below is exact
        "channel_timeout": limits.read_timeout_seconds,
        "cleanup_interval": max(1, min(30, limits.read_timeout_seconds // 2)),
    }


def body_limit(limits: ServerSettings, path: str) -> int:
    """The largest body ``path`` takes: its own entry, else that of the longest listed path it lies under
    (``/leads/website`` under ``/leads``); 0 when none."""
    while path:
        if path in limits.max_body_bytes:
            return limits.max_body_bytes[path]
        path = path.rsplit("/", 1)[0]
    return 0


def channel_class(limits: ServerSettings) -> type[HTTPChannel]:
    """The waitress connection class whose requests are parsed under ``limits``."""

    class LimitedParser(HTTPRequestParser):
        started: float | None = None
        path = ""  # set by waitress once the request line is in

        def received(self, data: bytes) -> int:
            now = time.monotonic()
            if self.started is None:
                self.started = now
            elif now - self.started > limits.request_timeout_seconds and not self.completed:
                self._refuse(RequestTimeout(f"the request took longer than {limits.request_timeout_seconds:g} s"))
                return len(data)
            consumed: int = super().received(data)
            if self.headers_finished and self.error is None:
                limit = body_limit(limits, self.path)
                if max(self.content_length, self.body_bytes_received) > limit:
                    self._refuse(RequestEntityTooLarge(f"{self.path} takes at most {limit} bytes"))
                    return len(data)  # the rest of what arrived is this body's, not a next request
            return consumed

        def _refuse(self, error: BadRequest) -> None:
            REFUSED.labels(str(error.code)).inc()
            self.error = error
            self.completed = True
            self.connection_close = True

    class LimitedChannel(HTTPChannel):
        parser_class = LimitedParser

    return LimitedChannel
