"""Delivering outbox notices that are files, not messages: the weekly chart (PRODUCT 3.7).

Slack's current upload flow — files.getUploadURLExternal, POST the bytes to the returned URL,
files.completeUploadExternal into the channel — is what slack_sdk's ``files_upload_v2`` does. An upload
carries no message metadata, so "was it already delivered?" is answered by the file's name, unique per
week: a retry (an earlier attempt failed, or its sender died) first looks for a file of that name in the
channel's history, and marks the notice sent if Slack has it (docs/decisions/0014-the-weekly-chart.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.results.weekly_chart import WeeklyChart
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.weekly_chart import KIND
from bot.views.weekly_chart import UploadText, upload_text

log = logging.getLogger(__name__)
KINDS = frozenset({KIND})
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Uploaded:
    found: bool  # an earlier attempt had completed: nothing was uploaded now
    file_id: str | None = None


def deliver(ctx: ServiceContext, client: WebClient, notice: outbox.Notice) -> Uploaded:
    chart = WeeklyChart.from_data(notice.data)
    if (notice.resumed or notice.attempts) and _in_history(client, notice.channel, chart.filename):
        return Uploaded(found=True)
    from bot.views import chart_png  # matplotlib: loaded on the first chart, not at start-up

    langs = ctx.settings.team.channel_languages()
    picture = chart_png.render(chart, langs[0])
    texts = [upload_text(chart, lang, picture.labels) for lang in langs]
    text = UploadText(texts[0].title, "\n\n".join(x.comment for x in texts), texts[0].alt)
    response = client.files_upload_v2(channel=notice.channel, file=picture.png, filename=chart.filename,
                                      title=text.title, alt_txt=text.alt, initial_comment=text.comment)
    file_id = (response.get("file") or {}).get("id")
    log.info("uploaded %s as %s to %s", chart.filename, file_id, notice.channel)
    return Uploaded(found=False, file_id=file_id)


def _in_history(client: WebClient, channel: str, filename: str) -> bool:
    history = client.conversations_history(channel=channel, limit=HISTORY_LIMIT)
    messages: list[dict[str, Any]] = history.get("messages", [])
    return any(f.get("name") == filename for message in messages for f in message.get("files") or [])
