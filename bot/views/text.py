"""Showing user text safely in Slack mrkdwn.

Slack's mrkdwn has no escape for its formatting characters: a customer called ``*Star* Trading`` or a note
saying ``~50 units_`` would open or close bold, strike or italics around it. ``escape`` therefore shows
``* _ ~ ` `` from user text as their full-width forms (＊ ＿ ～ ｀), which no mrkdwn parser reads as markup,
wherever the character could act as a delimiter: everywhere except between two ASCII letters or digits
(``snake_case``, ``A*B``), where Slack never formats. NFKC maps the full-width forms back, so a name
copied out of Slack and typed into ``/claim`` finds the same customer. Why not zero-width joiners or
``verbatim``: docs/decisions/0023-both-languages.md.
"""

from __future__ import annotations

import re

_FULL_WIDTH = {"*": "＊", "_": "＿", "~": "～", "`": "｀"}
# A formatting character that has something other than an ASCII letter or digit on either side.
_DELIMITER = re.compile(r"(?<![A-Za-z0-9])[*_~`]|[*_~`](?![A-Za-z0-9])")


def escape(text: str | None) -> str:
    """User text as text: ``& < >`` as Slack's entities (so `<!channel>` or `<@U1>` show as typed) and
    the formatting characters that could open or close bold, italics, strike or code as full-width."""
    if text is None:
        return ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _DELIMITER.sub(lambda m: _FULL_WIDTH[m.group()], text)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
