"""The pool browser: a page of pool customers, each with a *Claim* button, and a *Next page* button.

A page is 1 header + 2 blocks per customer (10 at most) + help + navigation: well under Slack's 50.
Buttons carry the filter and the page's cursor, so a claim can show the same page again, updated.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import CATALOG, t
from bot.results.pool import PoolClaim, PoolEntry, PoolPage
from bot.views import blocks as b
from bot.views.claims import claim_result, clock_name, day, input_error, mention
from bot.views.text import escape, truncate

Message = dict[str, Any]
CLAIM_ACTION = "pool_claim"
PAGE_ACTION = "pool_page"
REASON_CHARS = 300  # a release's reason can be 3,000 characters; a page shows the start of it


def pool_page(page: PoolPage, lang: str) -> Message:
    if page.error:
        return input_error(page.error, lang, "usage.pool")
    typed = escape(page.typed)
    if not page.entries:
        empty = t("pool.empty_filtered", lang, filter=typed) if page.typed else t("pool.empty", lang)
        return b.message(empty, [b.section(empty), b.context(t("pool.help", lang))])
    count = page.total if page.total is not None else len(page.entries)
    header = (t("pool.header_filtered", lang, filter=typed, count=count) if page.typed
              else t("pool.header", lang, count=count))
    if page.page > 1:
        header += " · " + t("pool.page", lang, page=page.page)
    state = {"f": page.typed, "p": page.cursor, "n": page.page}
    blocks = [b.section(header)]
    for entry in page.entries:
        blocks.append(b.section(entry_text(entry, lang)))
        blocks.append(b.actions(f"pool_{entry.id}", b.button(t("button.pool_claim", lang), CLAIM_ACTION,
                                                             {"c": entry.id, **state}, "primary")))
    blocks.append(b.context(t("pool.help", lang)))
    if page.next_cursor:
        blocks.append(b.actions("pool_nav", b.button(
            t("button.pool_next", lang), PAGE_ACTION,
            {"f": page.typed, "p": page.next_cursor, "n": page.page + 1, "t": page.total})))
    return b.message(header, blocks)


def entry_text(e: PoolEntry, lang: str) -> str:
    line = t("pool.row", lang, name=escape(e.name), sid=e.short_id, tier=e.tier, stage=t(f"stage.{e.stage}", lang))
    place = " · ".join(escape(v) for v in (e.region, e.industry) if v)
    if place:
        line += " · " + place
    since = day(e.since, lang)
    rep = mention(e.by, lang)
    if e.how == "release":
        why = t("pool.returned.release", lang, since=since, rep=rep, reason=escape(truncate(e.reason or "", REASON_CHARS)))
    elif e.how == "recycle" and f"clock.{e.clock}" in CATALOG:
        why = t("pool.returned.recycle", lang, since=since, rep=rep, clock=clock_name(e.clock, lang),
                until=day(e.clock_until, lang))
    elif e.how == "recycle":
        raw = e.reason or (f"{e.clock}:{e.clock_until}" if e.clock else "")
        why = t("pool.returned.recycle_other", lang, since=since, rep=rep, reason=escape(truncate(raw, REASON_CHARS)))
    elif e.how == "lost":
        why = t("pool.returned.lost", lang, since=since, rep=rep)
    else:
        why = t("pool.returned.new", lang, since=since)
    return f"{line}\n{why}"


def pool_claim(result: PoolClaim, lang: str) -> Message:
    """The claim's answer on top of the page it was pressed on, as the page is now."""
    answer = claim_result(result.claim, lang)
    page = pool_page(result.page, lang)
    return b.message(answer["text"], answer["blocks"] + [b.divider()] + page["blocks"])
