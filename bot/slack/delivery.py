"""Sending the outbox to Slack: retries with backoff on 429 (honouring Retry-After) and 5xx, at most
one message per second per channel, and never a completed send twice.

A notice whose sender died mid-send (its lease ran out) is looked for in the channel's history first:
every message carries its outbox key in Slack message metadata, so a send that reached Slack is marked
sent instead of being sent again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands.common import user_language
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.slack import uploads
from bot.views.notices import render

log = logging.getLogger(__name__)
EVENT_TYPE = "claimbot_notice"
MAX_BACKOFF_S = 300


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    already_sent: int = 0
    lost_lease: int = 0  # left to the sender that leased them again
    errors: list[str] = field(default_factory=list)


def make_delivery_client(ctx: ServiceContext) -> WebClient:
    """No built-in retries: the outbox retries persistently, and knows the channel's rate."""
    return WebClient(token=ctx.settings.slack_bot_token, base_url=ctx.settings.slack_api_url, timeout=10,
                     retry_handlers=[])


class Dispatcher:
    def __init__(self, ctx: ServiceContext, client: WebClient | None = None):
        self.ctx = ctx
        self.client = client or make_delivery_client(ctx)

    def flush(self, *, max_seconds: float = 30.0, wait_for_retries: bool = True) -> DeliveryStats:
        """Send everything due; with ``wait_for_retries`` keep going (up to ``max_seconds``) until the
        outbox is empty, sleeping while notices wait for their retry time or their channel's turn."""
        stats = DeliveryStats()
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            notices = outbox.lease_due(self.ctx, _now())
            for notice in notices:
                self._deliver(notice, stats)
            if not notices:
                if not wait_for_retries or outbox.pending_count(self.ctx) == 0:
                    break
                time.sleep(0.2)
        return stats

    def _deliver(self, leased: outbox.Notice, stats: DeliveryStats) -> None:
        now = _now()
        notice = outbox.hold(self.ctx, leased, now)
        if notice is None:  # the batch outlived its lease and another sender has this one now
            stats.lost_lease += 1
            return
        wait = outbox.take_channel_slot(self.ctx, notice.channel, now)
        if wait is not None:
            outbox.retry_later(self.ctx, notice.id, wait, None, count=False)
            return
        try:
            if notice.kind in uploads.KINDS:  # a file, not a message: its own never-twice check
                uploaded = uploads.deliver(self.ctx, self.client, notice)
                outbox.mark_sent(self.ctx, notice.id, None, _now())
                if uploaded.found:
                    stats.already_sent += 1
                else:
                    stats.sent += 1
                return
            if notice.resumed and self._already_posted(notice):
                outbox.mark_sent(self.ctx, notice.id, None, now)
                stats.already_sent += 1
                return
            message = self._render(notice)
            response = self.client.chat_postMessage(
                channel=notice.channel, metadata={"event_type": EVENT_TYPE, "event_payload": {"key": notice.key}},
                **message)
            outbox.mark_sent(self.ctx, notice.id, response.get("ts"), _now())
            stats.sent += 1
        except SlackApiError as error:
            status = error.response.status_code
            if status == 429:
                delay = float(error.response.headers.get("Retry-After", 1) or 1)
            else:
                delay = min(2 ** notice.attempts, MAX_BACKOFF_S)
            outbox.retry_later(self.ctx, notice.id, _now() + timedelta(seconds=delay),
                               f"{status} {error.response.get('error')}")
            stats.retried += 1
        except Exception as error:  # connection errors, time-outs: try again later
            log.warning("delivery of %s failed", notice.key, exc_info=True)
            outbox.retry_later(self.ctx, notice.id, _now() + timedelta(seconds=min(2 ** notice.attempts, MAX_BACKOFF_S)),
                               repr(error))
            stats.retried += 1

    def _render(self, notice: outbox.Notice) -> dict[str, Any]:
        channel = notice.channel
        lang = user_language(self.ctx, self.client, channel) if channel[:1] in "UW" else self.ctx.settings.team.language
        return render(notice.kind, notice.data, lang, self.ctx.settings.team.timezone)

    def _already_posted(self, notice: outbox.Notice) -> bool:
        channel = notice.channel
        if channel[:1] in "UW":
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        history = self.client.conversations_history(channel=channel, limit=200, include_all_metadata=True)
        for message in history.get("messages", []):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == EVENT_TYPE and (metadata.get("event_payload") or {}).get("key") == notice.key:
                return True
        return False


def _now() -> datetime:
    return datetime.now(UTC)  # delivery happens in real time, whatever clock decided the notice
