"""Showing user text safely in Slack mrkdwn."""

from __future__ import annotations


def escape(text: str | None) -> str:
    """Escape the three control characters of Slack mrkdwn, so `<!channel>` or `<@U1>` show as text."""
    if text is None:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
