"""Parsing the free text of slash commands. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_ID = 2**31 - 1  # ids fit a 32-bit integer column
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 3000
SEPARATORS = re.compile(r"[|｜\n]")
SHORT_ID = re.compile(r"^\s*[Cc]-(\d{1,12})\s*$")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


def clean(text: str | None) -> str:
    """Drop control, format (zero-width, bidi) and unassigned characters; keep new lines; trim."""
    if not text:
        return ""
    kept = [ch for ch in text if ch == "\n" or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES]
    return "".join(kept).strip()


def unescape_slack(text: str) -> str:
    """Slack sends typed ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;``, ``&gt;`` in command text; its own
    markup (``<@U…|name>``, ``<!channel>``) arrives raw. Undo the escaping so "AT&T" is stored as typed
    (it is escaped again whenever it is shown)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Slack's markup in what it sends: links ``<http://x|label>``, ``<mailto:a@b.c|a@b.c>``, channels
# ``<#C123|name>``, users ``<@U123|name>``, specials ``<!here>``. Typed ``<`` and ``>`` arrive escaped, so a
# raw ``<`` always opens markup.
_MARKUP = re.compile(r"<(?P<kind>[@#!]?)(?P<target>[^<>|]*)(?:\|(?P<label>[^<>]*))?>")
_LINK_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def unwrap_slack_markup(text: str) -> str:
    """What the user typed, where Slack wrapped it: a link becomes its label (else its address, without
    ``mailto:``), a channel ``#name``, a user mention plain ``<@U123>`` (commands read mentions in that
    form). Specials (``<!here>``, ``<!subteam^…>``) and anything not Slack's markup stay as they are:
    inert, since every view escapes ``<`` and ``>`` when it shows text."""

    def unwrap(m: re.Match[str]) -> str:
        kind, target, label = m.group("kind"), m.group("target"), m.group("label")
        if kind == "@":
            return f"<@{target}>" if MENTION.fullmatch(f"<@{target}>") else m.group(0)
        if kind == "#":
            if not re.fullmatch(r"[CG][A-Z0-9]+", target):
                return m.group(0)
            return f"#{label or target}"
        if kind == "!" or not _LINK_SCHEME.match(target):
            return m.group(0)
        if label:
            return label
        return target[len("mailto:"):] if target.lower().startswith("mailto:") else target

    return _MARKUP.sub(unwrap, text) if "<" in text else text


def is_user_id(channel: str) -> bool:
    """A user id (``U…``, ``W…``): a post there is a DM, as against one to a channel (``C…``, ``G…``, ``D…``)."""
    return channel[:1] in ("U", "W")


def has_word_character(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def split_fields(text: str) -> tuple[str, str | None]:
    """``name | rest`` (or full-width ｜, or a new line). No separator: (text, None)."""
    parts = SEPARATORS.split(text, maxsplit=1)
    if len(parts) == 1:
        return parts[0].strip(), None
    return parts[0].strip(), parts[1].strip()


def decimal_id(value: object) -> int | None:
    """An id as our buttons and forms carry it (a positive decimal, as a string or an int); None for
    anything they could not have sent (signs, spaces inside, other scripts' digits, too big)."""
    typed = str(value if value is not None else "").strip()
    if not typed.isascii() or not typed.isdigit() or len(typed) > 10:
        return None
    number = int(typed)
    return number if 0 < number <= MAX_ID else None


def short_id_number(text: str) -> int | None:
    m = SHORT_ID.match(text)
    return int(m.group(1)) if m else None


def name_prefixes(text: str, limit: int = MAX_NAME_CHARS) -> list[tuple[str, str]]:
    """Every (prefix, rest) split of ``text`` at a space or a CJK character boundary, longest first.

    Used when a command has no separator: the longest known customer name at the start wins.
    """
    text = text[: limit + MAX_NOTE_CHARS]
    cuts: set[int] = set()
    for i in range(1, min(len(text), limit) + 1):
        if i == len(text) or text[i].isspace() or _is_cjk(text[i - 1]) or _is_cjk(text[i]):
            cuts.add(i)
    return [(text[:i].strip(), text[i:].strip()) for i in sorted(cuts, reverse=True) if text[:i].strip()]


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@dataclass(frozen=True)
class Mention:
    user_id: str
    rest: str


def first_mention(text: str) -> Mention | None:
    m = MENTION.search(text)
    if not m:
        return None
    return Mention(m.group(1), (text[: m.start()] + text[m.end():]).strip())
