"""What Slack sends to an app, built and signed the way Slack does it (for the console and tests)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0001"
APP_ID = "A123456"


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of ``v0:<timestamp>:<body>``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(command: str, text: str, *, user_id: str, user_name: str, channel_id: str,
                       response_url: str, trigger_id: str) -> str:
    return urlencode({
        "token": "verification-token-unused", "team_id": TEAM_ID, "team_domain": "example",
        "channel_id": channel_id, "channel_name": "sales", "user_id": user_id, "user_name": user_name,
        "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": trigger_id,
    })


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def event_body(event: dict[str, Any], *, event_id: str) -> str:
    """An Events API callback (JSON), e.g. ``app_home_opened``."""
    return json.dumps({"token": "verification-token-unused", "team_id": TEAM_ID, "api_app_id": APP_ID,
                       "event": event, "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time())}, ensure_ascii=False)


# Loopback only: never route through an HTTP(S)_PROXY from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: str, headers: dict[str, str], timeout: float = 30.0) -> tuple[int, str]:
    content_type = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": content_type, **headers})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
