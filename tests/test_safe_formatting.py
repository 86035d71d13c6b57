"""User text can't open or close bold, italics, strike or code in any view (issue 16, item 2).

The model of Slack's mrkdwn used here (docs/decisions/0023-both-languages.md): ``* _ ~ ``` are the
formatting characters, and one can act as a delimiter unless it stands between two ASCII letters or
digits (Slack formats only at word boundaries: ``snake_case`` stays as typed). Links, mentions and
entities (``<…>``) are the view's own. For arbitrary user text U (customer names, reasons, notes), every
view in tests/test_blockkit.py's catalogue must carry exactly the delimiters it carries for a plain name:
the user's text adds none and removes none.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import LANGUAGES
from bot.views.text import escape
from tests import test_blockkit as catalogue

FORMATTING = "*_~`"
_LINK = re.compile(r"<[^<>]*>")
PLAIN = "Plain Name"

# Heavy on what matters: the formatting characters, Slack's control characters, spaces, letters of both
# scripts and digits; plus any other character now and then.
user_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("*_~`<>&!@|:. \n-aZ9北京（）")), st.characters(codec="utf-8")),
    min_size=1, max_size=60,
).filter(lambda s: s.strip() != "")


def _word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def delimiters(markdown: str) -> list[str]:
    """The formatting characters of ``markdown`` that can act as delimiters, in order (the model above)."""
    text = _LINK.sub(" ", markdown)
    found = []
    for i, ch in enumerate(text):
        if ch not in FORMATTING:
            continue
        inside_word = 0 < i < len(text) - 1 and _word(text[i - 1]) and _word(text[i + 1])
        if not inside_word:
            found.append(ch)
    return found


def _mrkdwn(node: Any) -> list[str]:
    """Every string Slack reads as mrkdwn: mrkdwn text objects and a message's fallback ``text``."""
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            out.append(node["text"])
        for value in node.values():
            out += _mrkdwn(value)
    elif isinstance(node, list):
        for value in node:
            out += _mrkdwn(value)
    return out


def structure(rendered: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The delimiters of the blocks (in order, across blocks: how rows are packed into sections depends on
    the text's length) and of the fallback text."""
    blocks = [d for text in _mrkdwn(rendered.get("blocks", [])) for d in delimiters(text)]
    fallback = rendered.get("text") if rendered.get("type") not in ("modal", "home") else None
    return blocks, delimiters(fallback) if isinstance(fallback, str) else []


def _newer_views() -> dict[str, Any]:
    """The views issues 11, 12 and 14 added (lead DMs, the review queue, aliases, the import's grace DM):
    every free text in them is the user's (a lead's fields come from outside the team altogether)."""
    from bot.results.aliases import AliasOutcome, AliasResult
    from bot.results.review import ReviewCandidate, ReviewItem, ReviewOutcome, ReviewQueue
    from bot.views import aliases, leads, notices, review

    def lead(text: str) -> dict[str, Any]:
        return {"source": text, "name": text, "sid": "C-1042", "tier": "A", "rule": text, "strategy": "round_robin",
                "attempt": 1, "max_offers": 3, "until": "2026-12-08T06:30:00+00:00", "offer": 7,
                "fields": {"contact": text, "note": text, "region": text, "phone": "+86 138 0000 0000"},
                "match": {"tier": "strong"}, "next_rep": "U0BOB", "status": "expired"}

    def queue(text: str) -> ReviewQueue:
        return ReviewQueue(ReviewOutcome.LISTED, (ReviewItem(1, "C-1001", text, "U0ALICE", text, (
            ReviewCandidate(2, "C-1002", text, None, "strong", "core", 100.0),
            ReviewCandidate(3, "C-1003", text + " Ltd", "U0BOB", "fuzzy", "fuzzy", 93.0))),), total=1)
    return {
        "leads.offer_notice": lambda lang, text: leads.offer_notice(lead(text), lang, TZ),
        "leads.offer_closed_notice": lambda lang, text: leads.offer_closed_notice(lead(text), lang, TZ),
        "leads.enquiry_notice": lambda lang, text: leads.enquiry_notice(lead(text), lang, TZ),
        "review.review_page": lambda lang, text: review.review_page(queue(text), lang),
        "aliases.alias_reply": lambda lang, text: aliases.alias_reply(
            AliasResult(AliasOutcome.ADDED, "C-1001", text, text, "C-1002"), lang),
        "notices.import_grace": lambda lang, text: notices.import_grace(
            {"source": text, "grace_days": 7, "customers": [{"sid": "C-1001", "name": text, "until": "2026-12-15"}]},
            lang, TZ),
    }


TZ = "Asia/Shanghai"
NEWER_VIEWS = _newer_views()


def render(view: str, lang: str, text: str) -> dict[str, Any]:
    with mock.patch.object(catalogue, "REASON", text):  # reasons and notes carry the user's text too
        if view in NEWER_VIEWS:
            return NEWER_VIEWS[view](lang, text)
        if view in catalogue.MESSAGE_VIEWS:
            return catalogue.MESSAGE_VIEWS[view](lang, text)
        if view in catalogue.MODAL_VIEWS:
            return catalogue.MODAL_VIEWS[view](lang, text)
        from bot.views.home import home_view

        return home_view(catalogue._home_data(text, manager=True), lang)


VIEWS = (sorted(catalogue.MESSAGE_VIEWS) + sorted(catalogue.MODAL_VIEWS) + ["home.home_view[manager]"]
         + sorted(NEWER_VIEWS))


@given(text=user_text)
@settings(max_examples=300, deadline=None)
def test_escaped_text_has_no_delimiter_and_reads_the_same(text: str) -> None:
    shown = escape(text)
    assert delimiters(shown) == []
    # What a reader sees (and copies back into /claim) is the text itself: NFKC folds the full-width
    # forms back, and the entities are Slack's own for & < >.
    unentity = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unicodedata.normalize("NFKC", unentity) == unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("examples", [
    ("snake_case_name", "snake_case_name"),  # between letters Slack never formats: shown as typed
    ("*Star* Trading", "＊Star＊ Trading"),
    ("~50 units_", "～50 units＿"),
    ("`rm -rf`", "｀rm -rf｀"),
    ("北京_科技", "北京＿科技"),
])
def test_escape_examples(examples: tuple[str, str]) -> None:
    typed, shown = examples
    assert escape(typed) == shown


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("view", VIEWS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=user_text)
def test_user_text_cannot_change_formatting(view: str, lang: str, text: str) -> None:
    assert structure(render(view, lang, text)) == structure(render(view, lang, PLAIN)), \
        f"{view} [{lang}]: the user's text {text!r} changed the formatting"
