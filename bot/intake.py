"""``POST /leads``: leads from website forms, CRM webhooks and ad platforms (docs/decisions/0019).

Each source has a token in the environment, ``CLAIMBOT_LEAD_TOKEN_<SOURCE>``, sent as ``Authorization:
Bearer <token>``. ``POST /leads/<source>`` names the source (its token must match); ``POST /leads`` is the
source whose token it is. Tokens are compared in constant time, every one of them on every request.
The order of refusals: over 64 KiB by Content-Length (413, before the body is read), the token (401),
the source's rate (429), the body (400, the field named). A refused request writes nothing; every
request is logged with its source and outcome.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from bot.results.leads import IntakeOutcome
from bot.rules.leads import source_of
from bot.services import leads
from bot.services.context import ServiceContext

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)
LEADS_PATH = "/leads"
TOKEN_PREFIX = "CLAIMBOT_LEAD_TOKEN_"
MAX_BODY = 64 * 1024
WINDOW_S = 60.0
STATUS = {200: "200 OK", 201: "201 Created", 400: "400 Bad Request", 401: "401 Unauthorized",
          404: "404 Not Found", 405: "405 Method Not Allowed", 413: "413 Content Too Large",
          415: "415 Unsupported Media Type", 429: "429 Too Many Requests", 500: "500 Internal Server Error"}


def tokens_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """{source: token} for every ``CLAIMBOT_LEAD_TOKEN_<SOURCE>`` with a value."""
    found = {}
    for name, value in (environ if environ is not None else os.environ).items():
        source = source_of(name, TOKEN_PREFIX)
        if source and value.strip():
            found[source] = value.strip()
    return found


def is_leads_path(path: str) -> bool:
    return path == LEADS_PATH or path.startswith(LEADS_PATH + "/")


class SourceRate:
    """At most ``per_minute`` accepted requests per source in any 60 s, in this process (a sliding window)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def allow(self, source: str, per_minute: int, now: float) -> bool:
        with self._lock:
            seen = self._seen.setdefault(source, deque())
            while seen and seen[0] <= now - WINDOW_S:
                seen.popleft()
            if len(seen) >= per_minute:
                return False
            seen.append(now)
            return True


class LeadIntake:
    """The WSGI handler of ``/leads`` (bot/server.py routes to it)."""

    def __init__(self, ctx: ServiceContext, tokens: Mapping[str, str] | None = None) -> None:
        self.ctx = ctx
        self.tokens = dict(tokens if tokens is not None else tokens_from_environment())
        self.rate = SourceRate()
        unknown = sorted(set(ctx.settings.intake.sources) - set(self.tokens))
        if unknown:
            log.warning("lead sources configured without a token (CLAIMBOT_LEAD_TOKEN_<SOURCE>): %s; they get 401",
                        ", ".join(unknown))

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, body, _source = self.handle(environ)
        payload = json.dumps(body, ensure_ascii=False).encode()
        start_response(STATUS[status], [("Content-Type", "application/json; charset=utf-8"),
                                        ("Content-Length", str(len(payload)))])
        return [payload]

    def handle(self, environ: WSGIEnvironment) -> tuple[int, dict[str, Any], str]:
        path = str(environ.get("PATH_INFO") or "")
        named = path[len(LEADS_PATH) + 1:].strip("/").lower() or None
        status, body, source = self._answer(environ, named)
        log.info("POST /leads source=%s status=%s outcome=%s customer=%s", source or named or "-", status,
                 body.get("status") or body.get("error"), body.get("customer", "-"))
        return status, body, source

    def _answer(self, environ: WSGIEnvironment, named: str | None) -> tuple[int, dict[str, Any], str]:
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, {"error": "method_not_allowed"}, ""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, {"error": "invalid", "field": "content-length"}, ""
        if length > MAX_BODY:
            return 413, {"error": "too_large", "limit": MAX_BODY}, ""
        source = self._authenticate(str(environ.get("HTTP_AUTHORIZATION") or ""), named)
        if source is None:
            return 401, {"error": "unauthorized"}, ""
        if not self.rate.allow(source, self.ctx.settings.intake.per_minute, time.monotonic()):
            return 429, {"error": "rate_limited", "per_minute": self.ctx.settings.intake.per_minute}, source
        raw = environ["wsgi.input"].read(min(length, MAX_BODY + 1)) if length else b""
        fields = _fields(raw, str(environ.get("CONTENT_TYPE") or ""))
        if isinstance(fields, tuple):
            return fields[0], fields[1], source
        key = str(environ.get("HTTP_IDEMPOTENCY_KEY") or "") or None
        try:
            result = leads.intake(self.ctx, source, fields, datetime.now(UTC), idempotency_key=key)
        except Exception:
            log.exception("lead from %s failed", source)
            return 500, {"error": "internal"}, source
        if result.outcome == IntakeOutcome.INVALID:
            return 400, result.answer, source
        return (201 if result.outcome == IntakeOutcome.CREATED else 200), result.answer, source

    def _authenticate(self, header: str, named: str | None) -> str | None:
        """The source whose token this is (every token compared, in constant time); ``named``: only that one."""
        scheme, _, given = header.partition(" ")
        if scheme.casefold() != "bearer" or not given.strip():
            return None
        offered = given.strip().encode()
        found = None
        for source, token in self.tokens.items():
            if hmac.compare_digest(offered, token.encode()) and (named is None or named == source):
                found = source
        return found


def _fields(raw: bytes, content_type: str) -> dict[str, object] | tuple[int, dict[str, Any]]:
    """The body's fields, or the answer refusing it."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return 400, {"error": "invalid", "field": "body", "detail": "not UTF-8"}
    if kind in ("application/json", "") and (kind or decoded.lstrip().startswith("{")):
        try:
            data = json.loads(decoded)
        except ValueError:
            return 400, {"error": "invalid_json", "field": "body"}
        if not isinstance(data, dict):
            return 400, {"error": "invalid_json", "field": "body", "detail": "not an object"}
        return data
    if kind in ("application/x-www-form-urlencoded", ""):
        return dict(parse_qsl(decoded, keep_blank_values=True))
    return 415, {"error": "unsupported_media_type", "field": "content-type"}
