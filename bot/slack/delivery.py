"""Sending the outbox to Slack: retries with backoff on 429 (honouring Retry-After), 5xx and time-outs, at
most one message per second per channel, never a completed send twice, and a permanent refusal given up at
once (and shown to admins by bot/services/outbox.fail).

A notice whose earlier attempt may have reached Slack (its sender died mid-send, or Slack answered late or
with a 5xx) is looked for in the channel's history first: every message carries its outbox key in Slack
message metadata, so a send that reached Slack is marked sent instead of being sent again.

A notice with ``update_of`` replaces the post of that key (``chat.update`` where it landed), one with
``thread_of`` answers in its thread; both wait while that post is pending and are dropped if it failed.
A notice with ``homes`` refreshes those users' App Home once delivered.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import formatting as fmt
from bot.metrics import DELIVERIES, DELIVERY_FAILURES
from bot.rules.text import is_user_id
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.slack import uploads
from bot.slack.home import refresh_home
from bot.slack.language import user_language, user_zone
from bot.views.notices import render, render_in

log = logging.getLogger(__name__)
EVENT_TYPE = "claimbot_notice"
MAX_BACKOFF_S = 300
LATE_ANSWER_FACTOR = 3  # after a time-out, wait this many time-outs before looking for the send and retrying
WAIT_FOR_POST = timedelta(seconds=1)
# Slack's answers that no retry can change: the notice fails at once and admins are told.
PERMANENT_ERRORS = frozenset({
    "not_in_channel", "channel_not_found", "is_archived", "invalid_auth", "not_authed", "account_inactive",
    "token_revoked", "user_not_found", "user_disabled", "cannot_dm_bot", "missing_scope", "restricted_action",
    "message_not_found", "cant_update_message", "invalid_blocks", "msg_too_long", "no_text",
})


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    already_sent: int = 0
    lost_lease: int = 0  # left to the sender that leased them again
    failed: int = 0  # refused for good
    dropped: int = 0  # an update or thread note of a post that failed


def make_delivery_client(ctx: ServiceContext) -> WebClient:
    """No built-in retries: the outbox retries persistently, and knows the channel's rate."""
    return WebClient(token=ctx.settings.slack_bot_token, base_url=ctx.settings.slack_api_url,
                     timeout=cast(int, ctx.settings.schedule.delivery_timeout_seconds),  # seconds; urllib takes a float
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
        post = None
        after = notice.data.get("update_of") or notice.data.get("thread_of")
        if after:
            post = outbox.post_of(self.ctx, after)
            if not self._post_ready(notice, after, post, now, stats):
                return
            if outbox.superseded(self.ctx, notice):  # a later decision's update of the same post wins
                log.info("dropping %s: a later update of %s replaces it", notice.key, after)
                outbox.fail(self.ctx, notice.id, "superseded by a later update", now, dropped=True)
                stats.dropped += 1
                return
        wait = outbox.take_channel_slot(self.ctx, notice.channel, now)
        if wait is not None:
            outbox.retry_later(self.ctx, notice.id, wait, None, count=False)
            return
        try:
            found = self._send(notice, post)
            stats.already_sent += found
            stats.sent += not found
            DELIVERIES.labels("already_sent" if found else "sent").inc()
        except SlackApiError as error:
            status, code = error.response.status_code, error.response.get("error")
            DELIVERY_FAILURES.labels(str(code or status)).inc()
            DELIVERIES.labels("given_up" if code in PERMANENT_ERRORS else "retried").inc()
            if code in PERMANENT_ERRORS:
                self._give_up(notice, str(code), stats)
                return
            if status == 429:  # Slack's pace, not a failed attempt
                delay = float(error.response.headers.get("Retry-After", 1) or 1)
            else:
                delay = min(2 ** notice.attempts, MAX_BACKOFF_S)
            outbox.retry_later(self.ctx, notice.id, _now() + timedelta(seconds=delay), f"{status} {code}",
                               count=status != 429)
            stats.retried += 1
        except Exception as error:  # connection errors, time-outs: try again later
            log.warning("delivery of %s failed", notice.key, exc_info=True)
            DELIVERY_FAILURES.labels("timeout" if _timed_out(error) else type(error).__name__).inc()
            DELIVERIES.labels("retried").inc()
            # A time-out may be a send Slack is still completing: look again (history first) only once it
            # has had time to land, or the look finds nothing and the notice goes twice.
            late = LATE_ANSWER_FACTOR * self.ctx.settings.schedule.delivery_timeout_seconds if _timed_out(error) else 0
            delay = max(min(2 ** notice.attempts, MAX_BACKOFF_S), late)
            outbox.retry_later(self.ctx, notice.id, _now() + timedelta(seconds=delay), repr(error))
            stats.retried += 1

    def _post_ready(self, notice: outbox.Notice, after: str, post: outbox.Post | None, now: datetime,
                    stats: DeliveryStats) -> bool:
        """An update or a thread note needs its post to have landed: it waits while the post is on its way
        (not counted as an attempt), and is dropped if the post failed."""
        if post is not None and post.status == "sent" and post.ts and post.channel:
            return True
        if post is not None and post.status in ("pending", "sending"):
            outbox.retry_later(self.ctx, notice.id, now + WAIT_FOR_POST, None, count=False)
            return False
        state = post.status if post else "missing"
        log.warning("dropping %s: the post it depends on (%s) is %s", notice.key, after, state)
        outbox.fail(self.ctx, notice.id, outbox.dropped_reason(after, state), now, dropped=True)
        stats.dropped += 1
        return False

    def _send(self, notice: outbox.Notice, post: outbox.Post | None) -> bool:
        """Send one notice and mark it sent; True when an earlier attempt had already reached Slack."""
        if notice.kind in uploads.KINDS:  # a file, not a message: its own never-twice check
            found = uploads.deliver(self.ctx, self.client, notice).found
            outbox.mark_sent(self.ctx, notice.id, None, _now())
            return found
        landed_post = (post.channel, post.ts) if post is not None and post.channel and post.ts else None
        if landed_post is not None and notice.data.get("update_of"):  # the same message, now showing the decision
            self.client.chat_update(channel=landed_post[0], ts=landed_post[1], **self._render(notice))
            landed: tuple[str | None, str | None] = landed_post
            found = False
        else:
            channel, thread_ts = landed_post if landed_post is not None else (notice.channel, None)
            earlier = self._already_posted(notice, channel, thread_ts) if notice.resumed or notice.attempts else None
            found = earlier is not None
            if earlier is None:
                response = self.client.chat_postMessage(
                    channel=channel, thread_ts=thread_ts,
                    metadata={"event_type": EVENT_TYPE, "event_payload": {"key": notice.key}}, **self._render(notice))
                landed = (response.get("channel"), response.get("ts"))
            else:
                landed = earlier
        outbox.mark_sent(self.ctx, notice.id, landed[1], _now(), posted_channel=landed[0])
        self._refresh_homes(notice)
        return found

    def _give_up(self, notice: outbox.Notice, code: str, stats: DeliveryStats) -> None:
        """Refused for good: failed now (admins are told by bot/services/outbox.fail), never retried."""
        log.warning("giving up %s to %s: %s", notice.key, notice.channel, code)
        outbox.fail(self.ctx, notice.id, code, _now())
        stats.failed += 1
        team = self.ctx.settings.team
        refresh_home(self.ctx, self.client, [*team.managers, *team.admins])  # their Home lists it

    def _refresh_homes(self, notice: outbox.Notice) -> None:
        homes = [str(u) for u in notice.data.get("homes") or []]
        if homes:
            refresh_home(self.ctx, self.client, homes)  # what their App Home shows has changed

    def _render(self, notice: outbox.Notice) -> dict[str, Any]:
        channel = notice.channel
        team = self.ctx.settings.team
        if is_user_id(channel):  # a DM: in the reader's own language, naming our zone if it is not theirs
            lang = user_language(self.ctx, self.client, channel)
            with fmt.reading_in(user_zone(self.ctx, channel)):
                return render(notice.kind, notice.data, lang, team.timezone)
        return render_in(notice.kind, notice.data, team.channel_languages(), team.timezone)

    def _already_posted(self, notice: outbox.Notice, channel: str,
                        thread_ts: str | None) -> tuple[str, str] | None:
        """Where an earlier attempt of ``notice`` landed (channel, ts), if Slack has it."""
        if is_user_id(channel):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        if thread_ts:  # a thread reply is not in the channel's history
            history = self.client.conversations_replies(channel=channel, ts=thread_ts, limit=200,
                                                        include_all_metadata=True)
        else:
            history = self.client.conversations_history(channel=channel, limit=200, include_all_metadata=True)
        messages: list[dict[str, Any]] = history.get("messages", [])
        for message in messages:
            metadata: dict[str, Any] = message.get("metadata") or {}
            if metadata.get("event_type") == EVENT_TYPE and (metadata.get("event_payload") or {}).get("key") == notice.key:
                return channel, str(message["ts"])
        return None


def _timed_out(error: BaseException) -> bool:
    """No answer in time (the send may still land), as against an answer (an HTTP error) or a refusal."""
    reason = error.reason if isinstance(error, URLError) and not isinstance(error, HTTPError) else error
    return isinstance(reason, TimeoutError)  # socket.timeout is TimeoutError


def _now() -> datetime:
    return datetime.now(UTC)  # delivery happens in real time, whatever clock decided the notice
