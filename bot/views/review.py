"""The managers' review queue: flagged customers, their candidates and why, *Not the same*. Pure."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.results.review import ReviewOutcome, ReviewQueue
from bot.views import blocks as b
from bot.views.claims import Message, mention, text_message
from bot.views.text import escape

NOT_SAME_ACTION = "review_not_same"


def review_page(queue: ReviewQueue, lang: str) -> Message:
    if queue.outcome == ReviewOutcome.NOT_MANAGER:
        return text_message(t("review.not_manager", lang))
    head: list[str] = []
    if queue.outcome == ReviewOutcome.DONE:
        head.append(t("review.not_same_done", lang, customer=queue.cleared))
    elif queue.outcome == ReviewOutcome.GONE:
        head.append(t("review.gone", lang))
    if not queue.items:
        return text_message("\n".join([*head, t("review.empty", lang)]))
    out: list[dict[str, Any]] = [b.section(line) for line in head]
    out.append(b.section(t("review.title", lang, total=queue.total, shown=len(queue.items))))
    for item in queue.items:
        out.append(b.divider())
        out.append(b.section(t("review.item", lang, sid=item.short_id, name=escape(item.name),
                               owner=mention(item.owner, lang), by=escape(item.created_by or ""))))
        if not item.candidates:
            out.append(b.context(t("review.no_candidates", lang)))
            continue
        for c in item.candidates:
            why = t(f"why.{c.why}", lang, score=round(c.score))
            out.append(b.section(t("review.candidate", lang, sid=c.short_id, name=escape(c.name),
                                   owner=mention(c.owner, lang), why=why)))
            out.append(b.actions(f"review:{item.id}:{c.id}",
                                 b.button(t("review.not_same", lang), NOT_SAME_ACTION, {"c": item.id, "o": c.id})))
    return b.message(t("review.title", lang, total=queue.total, shown=len(queue.items)), out)
