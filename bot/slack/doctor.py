"""`claimbot doctor` (docs/decisions/0021): is this installation ready? The token and its workspace, the
scopes Slack granted against those manifest.yml asks for, the bot's membership of the digest and
approvals channels, the clock against Slack's, plus the checks that need no Slack (bot/services/checks.py:
the config, the database's schema, the holiday calendar). Run by the command, logged at start-up, and sent
weekly to the admins (through the outbox) when something fails."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.results.doctor import Check, CheckStatus
from bot.services import checks as doctor_checks
from bot.services.context import ServiceContext
from bot.slack.client import make_client
from bot.views.doctor import describe

log = logging.getLogger(__name__)

# The bot scopes of manifest.yml (tests/test_manifest.py keeps the two equal): what the code calls needs them.
BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "channels:history", "groups:history", "im:history",
              "files:write", "channels:read", "groups:read", "users:read.email")
CHANNELS = ("digest_channel", "approvals_channel")
SKEW_FAIL_S = 30  # Slack refuses signed requests 5 minutes off; deadlines need far less


def _header(response: SlackResponse, name: str) -> str | None:
    for key, value in (response.headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _token(ctx: ServiceContext, response: SlackResponse) -> Check:
    found = {"team": response.get("team") or "?", "team_id": response.get("team_id") or "?",
             "user": response.get("user") or "?"}
    expected = ctx.settings.team.slack_team_id
    if expected and expected != found["team_id"]:
        return Check("token", CheckStatus.FAIL, {**found, "expected": expected}, problem="wrong_team")
    return Check("token", CheckStatus.OK, found)


def _scopes(response: SlackResponse) -> Check:
    header = _header(response, "x-oauth-scopes")
    if header is None:
        return Check("scopes", CheckStatus.FAIL, problem="unknown")
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = [s for s in BOT_SCOPES if s not in granted]
    if missing:
        return Check("scopes", CheckStatus.FAIL, {"missing": ", ".join(missing)}, problem="missing")
    return Check("scopes", CheckStatus.OK, {"n": len(BOT_SCOPES)})


def _clock(response: SlackResponse, received_at: float) -> Check:
    header = _header(response, "date")
    if header is None:
        return Check("clock", CheckStatus.OK, {"skew": "?"})
    slack_now = parsedate_to_datetime(header).timestamp() + 0.5  # the header has whole seconds
    skew = received_at - slack_now
    if abs(skew) > SKEW_FAIL_S:
        return Check("clock", CheckStatus.FAIL, {"skew": round(abs(skew)), "direction": "ahead" if skew > 0 else "behind"},
                     problem="skewed")
    return Check("clock", CheckStatus.OK, {"skew": max(1, round(abs(skew)))})


def _channel(client: WebClient, ctx: ServiceContext, key: str) -> Check:
    channel = getattr(ctx.settings.team, key)
    base: dict[str, Any] = {"which": key, "setting": key}
    if not channel:
        return Check("channel", CheckStatus.WARN, base, problem="unset")
    base["channel"] = channel
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as bad:
        return Check("channel", CheckStatus.FAIL, {**base, "error": bad.response.get("error", "?")}, problem="not_found")
    base["name"] = info.get("name") or channel
    if not info.get("is_member"):
        return Check("channel", CheckStatus.FAIL, base, problem="not_member")
    return Check("channel", CheckStatus.OK, base)


def slack_checks(ctx: ServiceContext) -> list[Check]:
    if not ctx.settings.slack_bot_token:
        return []  # the config check says so
    client = make_client(ctx)
    try:
        response = client.auth_test()
        received_at = time.time()
    except SlackApiError as bad:
        return [Check("token", CheckStatus.FAIL, {"error": bad.response.get("error", "?")}, problem="refused")]
    except OSError as bad:  # the network: URLError, timeouts, refused connections
        return [Check("token", CheckStatus.FAIL, {"url": ctx.settings.slack_api_url, "error": str(bad)},
                      problem="unreachable")]
    checks = [_token(ctx, response), _scopes(response), _clock(response, received_at)]
    for key in CHANNELS:
        try:
            checks.append(_channel(client, ctx, key))
        except OSError as bad:
            checks.append(Check("token", CheckStatus.FAIL, {"url": ctx.settings.slack_api_url, "error": str(bad)},
                                problem="unreachable"))
    return checks


def run(ctx: ServiceContext, now: datetime | None = None) -> list[Check]:
    """Every check, the local ones first."""
    return [*doctor_checks.local_checks(ctx, now or datetime.now(UTC)), *slack_checks(ctx)]


def log_at_start(ctx: ServiceContext) -> threading.Thread:
    """At start-up, in the background (serving does not wait on Slack): each failure as a warning."""

    def check() -> None:
        try:
            for c in run(ctx):
                line, fix = describe(c, "en")
                if c.status is CheckStatus.OK:
                    log.info("doctor: %s", line)
                else:
                    log.warning("doctor: %s%s", line, f" — fix: {fix}" if fix else "")
        except Exception:  # a check must never take the server down
            log.exception("doctor: the start-up checks failed to run")

    thread = threading.Thread(target=check, name="doctor", daemon=True)
    thread.start()
    return thread
