"""Messages for claims and lookups. Pure: results in, Block Kit out."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import CATALOG, t
from bot.i18n import formatting as fmt
from bot.results.claims import ClaimResult
from bot.results.customers import (
    Candidate,
    CustomerDetails,
    CustomerSnapshot,
    HistoryEntry,
    InputError,
    Lookup,
    MyCustomers,
)
from bot.rules.text import clean
from bot.views import blocks as b
from bot.views.text import escape, truncate

Message = dict[str, Any]
SAME_ACTION = "claim_same"
DIFFERENT_ACTION = "claim_different"
OPEN_DISPUTE = "dispute_open"


def mention(user_id: str | None, lang: str) -> str:
    return f"<@{user_id}>" if user_id else t("pool", lang)


def day(value: date | str | None, lang: str) -> str:
    """A day as the reader's locale writes it (2026年12月11日, Dec 11, 2026); ISO text from a snapshot too."""
    if not value:
        return t("none", lang)
    return fmt.day(date.fromisoformat(value) if isinstance(value, str) else value, lang)


def clock_name(clock: str | None, lang: str) -> str:
    return t(f"clock.{clock}", lang) if clock else t("clock.never", lang)


def text_message(markdown: str) -> Message:
    return b.message(markdown, [b.section(markdown)])


def input_error(error: InputError, lang: str, usage_key: str | None = None, **usage_params: object) -> Message:
    """The error, then how to use the command (``usage_params`` fill the usage text's numbers)."""
    params = {k: escape(str(v)) for k, v in error.params.items()}
    markdown = t(error.code, lang, **params)
    if usage_key and usage_key != error.code:
        markdown += "\n" + t(usage_key, lang, **usage_params)
    return text_message(markdown)


def claim_result(result: ClaimResult, lang: str, request: dict[str, Any] | None = None) -> Message:
    """``request``: the fields the rep gave, carried in the buttons of a "same company?" prompt."""
    c = result.customer
    name = escape(c.name if c else result.query)
    sid = c.short_id if c else ""
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, "usage.claim")
    if result.outcome == "not_found":
        return text_message(t("not_found", lang, name=name))
    if result.outcome in ("created", "claimed"):
        assert c is not None
        lines = [t(f"claim.{result.outcome}", lang, name=name, sid=sid),
                 t("claim.protection", lang, until=day(result.until, lang), clock=clock_name(c.clock, lang),
                   first_due=day(c.first_followup_due, lang))]
        if result.flagged_for_review:
            lines.append(t("claim.different_flagged", lang))
        return text_message("\n".join(lines))
    if result.outcome == "already_yours":
        assert c is not None
        if c.protected_until is None:
            return text_message(t("claim.already_yours_won", lang, name=name, sid=sid))
        return text_message(t("claim.already_yours", lang, name=name, sid=sid, days=result.days_left,
                              until=day(c.protected_until, lang), clock=clock_name(c.clock, lang),
                              next_reminder=day(result.next_reminder, lang)))
    if result.outcome == "owned_by_other":
        assert c is not None
        key = "claim.owned_by_other_won" if c.protected_until is None else "claim.owned_by_other"
        refused = t(key, lang, name=name, sid=sid, owner=mention(c.owner, lang),
                    until=day(c.protected_until, lang), last_activity=day(c.last_activity, lang))
        return b.message(refused, [b.section(refused), dispute_button(c.id, lang)])
    if result.outcome == "refused":
        return text_message(t(f"claim.refused.{result.rule}", lang, name=name, count=result.count,
                              limit=result.limit, until=day(result.until, lang)))
    if result.outcome == "offered":  # offered_until is in the team's time zone
        until = result.offered_until.strftime("%Y-%m-%d %H:%M") if result.offered_until else "—"
        return text_message(t("claim.offered", lang, name=name, sid=sid, rep=mention(result.offered_to, lang),
                              until=until))
    if result.outcome == "confirm":
        return confirm_prompt(result.query, result.candidates, lang, request or {"name": result.query})
    raise ValueError(result.outcome)


def dispute_button(customer_id: int, lang: str) -> dict[str, Any]:
    return b.actions("dispute", b.button(t("button.dispute", lang), OPEN_DISPUTE, {"c": customer_id}))


def candidate_line(cand: Candidate, lang: str) -> str:
    why = t(f"why.{cand.why}", lang, score=round(cand.score))
    c = cand.customer
    return t("claim.candidate", lang, name=escape(c.name), sid=c.short_id, why=why, owner=mention(c.owner, lang))


def confirm_prompt(query: str, candidates: tuple[Candidate, ...], lang: str, request: dict[str, Any]) -> Message:
    heading = t("claim.confirm", lang, name=escape(query))
    carried = {k: " ".join(clean(str(v)).split())[:200] for k, v in request.items()
               if v and k not in ("same_as", "different")}
    blocks = [b.section(heading)]
    for i, cand in enumerate(candidates[:3]):
        blocks.append(b.section(candidate_line(cand, lang)))
        blocks.append(b.actions(f"same_{i}", b.button(t("button.same", lang), SAME_ACTION,
                                                      {"c": cand.customer.id, "r": carried}, "primary")))
    blocks.append(b.actions("different", b.button(t("button.different", lang), DIFFERENT_ACTION, {"r": carried})))
    return b.message(heading, blocks)


def suggestions(lookup: Lookup, query: str, lang: str, usage_key: str, **usage_params: object) -> Message:
    if lookup.error:
        return input_error(lookup.error, lang, usage_key, **usage_params)
    lines = [t("not_found", lang, name=escape(query))]
    if lookup.suggestions:
        lines.append(t("not_found.suggest", lang))
        lines += [f"• {candidate_line(c, lang)}" for c in lookup.suggestions]
    return text_message("\n".join(lines))


def customer_details(d: CustomerDetails, query: str, lang: str, tz: str) -> Message:
    c = d.lookup.customer
    if c is None:
        return suggestions(d.lookup, query, lang, "usage.customer")
    lines = [t("customer.header", lang, name=escape(c.name), sid=c.short_id)]
    stage = t(f"stage.{c.stage}", lang)
    if c.owner:
        lines.append(t("customer.owner", lang, owner=mention(c.owner, lang), until=day(c.protected_until, lang),
                       clock=clock_name(c.clock, lang), stage=stage, tier=c.tier))
    else:
        lines.append(t("customer.pool", lang, stage=stage, tier=c.tier))
    lines.append(t("customer.counts", lang, followups=d.followups, last_followup=day(d.last_followup, lang)))
    blocks = [b.section("\n".join(lines))]
    blocks += history_blocks(d.history, lang, tz, room=b.MAX_BLOCKS - len(blocks))
    return b.message(lines[0], blocks)


def history_blocks(history: tuple[HistoryEntry, ...], lang: str, tz: str, *, room: int) -> list[dict[str, Any]]:
    """The last 20 ownership changes under a heading, in at most ``room`` blocks (none without history)."""
    if not history or room < 2:
        return []
    lines = []
    for e in history[-20:]:
        key = f"event.{e.kind}" if f"event.{e.kind}" in CATALOG else "event.other"
        rule = t(f"rule.{e.rule}", lang) if f"rule.{e.rule}" in CATALOG else e.rule
        lines.append("• " + t(key, lang, at=fmt.moment(e.at, tz, lang),
                              to=mention(e.to_rep, lang), from_=mention(e.from_rep, lang),
                              reason=escape(truncate(e.reason or "", 300)), rule=rule, kind=e.kind))
    return [b.context(t("customer.history", lang)), *b.sections(lines, limit=room - 2, kind="context")]


def my_customers(mine: MyCustomers, today: date, lang: str) -> Message:
    if not mine.rows:
        return text_message(t("mine.empty", lang))
    header = t("mine.header", lang, count=mine.total)
    rows = ["• " + _mine_row(c, today, lang) for c in mine.rows]
    blocks = [b.section(header), *b.sections(rows, limit=b.MAX_BLOCKS - 2)]
    if mine.total > len(mine.rows):
        blocks.append(b.context(t("mine.more", lang, count=mine.total - len(mine.rows))))
    return b.message(header, blocks)


def _mine_row(c: CustomerSnapshot, today: date, lang: str) -> str:
    if c.protected_until is None:
        return t("mine.row_won", lang, name=escape(c.name), sid=c.short_id)
    return t("mine.row", lang, name=escape(c.name), sid=c.short_id, stage=t(f"stage.{c.stage}", lang),
             until=day(c.protected_until, lang), clock=clock_name(c.clock, lang),
             days=(c.protected_until - today).days)
