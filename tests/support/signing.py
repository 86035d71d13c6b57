"""Requests as Slack sends them: signed bodies for slash commands and interactive payloads,
and a tiny HTTP client for posting them to `claimbot serve`."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode

TEAM_ID = "T0001"
API_APP_ID = "A123456"
VERIFICATION_TOKEN = "gIkuvaNzQIHg97ATvDxqgjtO"
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds to a request: `v0=` HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(
    command: str,
    text: str = "",
    *,
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str = "C0SALES",
    channel_name: str = "sales",
    response_url: str = "https://hooks.slack.com/commands/1234/5678",
    trigger_id: str = TRIGGER_ID,
    team_id: str = TEAM_ID,
    **extra: str,
) -> str:
    """A slash command's form body, field for field like shared/slack/payloads/slash_command.form."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "example",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command if command.startswith("/") else f"/{command}",
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
        **extra,
    }
    return urlencode(fields, quote_via=quote)


def interactive_body(payload: dict[str, Any]) -> str:
    """An interactivity request (block_actions, view_submission, ...): `payload=<url-encoded JSON>`."""
    return "payload=" + quote(json.dumps(payload, ensure_ascii=False), safe="")


block_actions_body = interactive_body
view_submission_body = interactive_body


def event_body(event: dict[str, Any], *, event_id: str = "Ev0001", event_time: int | None = None) -> str:
    """An Events API callback (sent as JSON) wrapping `event`."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope, ensure_ascii=False)


def post(
    url: str, body: str, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> tuple[int, str]:
    """POST `body` and return (status, response text); HTTP errors are returned, not raised.
    Content-Type defaults to JSON for a body starting with "{", else to a form."""
    all_headers = dict(headers or {})
    if not any(k.lower() == "content-type" for k in all_headers):
        is_json = body.lstrip().startswith("{")
        all_headers["Content-Type"] = "application/json" if is_json else "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=all_headers, method="POST")
    return _send(request, timeout)


def get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    return _send(urllib.request.Request(url, method="GET"), timeout)


def signed_post(url: str, body: str, secret: str, timestamp: int | None = None, *,
                headers: dict[str, str] | None = None, **kw: Any) -> tuple[int, str]:
    """`post` with Slack's signature headers (and ``headers``, e.g. X-Slack-Retry-Num on a retry)."""
    return post(url, body, {**sign(body, secret, timestamp), **(headers or {})}, **kw)


# Loopback only: never route through an HTTP(S)_PROXY from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _send(request: urllib.request.Request, timeout: float) -> tuple[int, str]:
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", errors="replace")
