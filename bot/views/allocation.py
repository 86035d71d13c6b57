"""Messages for allocation: the manager's answer to `/assign name auto`, the new owner's DM, the managers'
notice for a lead nobody could take, `/claimbot ooo`, a ledger entry's explanation and the fairness
numbers for the digest. Pure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import formatting as fmt
from bot.i18n import t
from bot.results.allocation import (
    AllocationOutcome,
    AllocationResult,
    AutoAssignResult,
    FairnessReport,
    OooResult,
    RelatedOwner,
)
from bot.results.customers import CustomerSnapshot
from bot.results.data import from_data
from bot.rules.allocation import Skip
from bot.views import blocks as b
from bot.views.claims import Message, day, input_error, mention, suggestions, text_message
from bot.views.text import escape

SKIPPED_SHOWN = 12  # a long list of skipped reps is cut, with a count


def strategy_name(strategy: str | None, lang: str) -> str:
    return t(f"alloc.strategy.{strategy}", lang) if strategy else "—"


def _value(v: Any, lang: str) -> str:
    return escape(str(v)) if v not in (None, "") else t("none", lang)


def skip_text(skip: Skip | dict[str, Any], lang: str) -> str:
    s: dict[str, Any] = skip if isinstance(skip, dict) else {
        "rep": skip.rep, "reason": skip.reason, "until": skip.until, "holding": skip.holding, "cap": skip.cap}
    return t(f"alloc.skip.{s['reason']}", lang, rep=mention(s["rep"], lang),
             until=day(s["until"], lang) if s.get("until") else "—",
             holding=s.get("holding"), cap=s.get("cap"))


def skipped_line(skipped: list[Any] | tuple[Any, ...], lang: str) -> str | None:
    if not skipped:
        return None
    parts = [skip_text(s, lang) for s in skipped[:SKIPPED_SHOWN]]
    if len(skipped) > SKIPPED_SHOWN:
        parts.append(f"+{len(skipped) - SKIPPED_SHOWN}")
    return t("alloc.skipped", lang, list=" · ".join(parts))


def allocation_text(a: AllocationResult, lang: str) -> str:
    """One answer: who got the lead and by which rule, or why it stays in the pool; then who was skipped."""
    c = a.customer
    common = {"name": escape(c.name), "sid": c.short_id, "rep": mention(a.rep, lang)}
    rel = a.related
    related = {"other": escape(rel.name), "other_sid": rel.short_id, "owner": mention(rel.owner, lang),
               "why": t(f"alloc.why.{rel.why}", lang)} if rel else {}
    if a.outcome == "existing_owner":
        lines = [t("alloc.existing.owned", lang, **common)]
    elif a.outcome == "assigned" and a.reason == "existing_owner":
        lines = [t("alloc.assigned.existing_owner", lang, **common, **related)]
    elif a.outcome == "assigned":
        lines = [t("alloc.assigned.rule", lang, **common, rule=escape(a.rule or ""),
                   strategy=strategy_name(a.strategy, lang), cycle=a.cycle)]
    else:
        lines = [t(f"alloc.unassigned.{a.reason}", lang, **common, **related, rule=escape(a.rule or ""),
                   region=_value(a.lead.region, lang), industry=_value(a.lead.industry, lang), tier=c.tier)]
    if a.tied:
        lines.append(t("alloc.tie", lang, reps=", ".join(mention(r, lang) for r in a.tied)))
    line = skipped_line(a.skipped, lang)
    if line:
        lines.append(line)
    if a.managers_told:
        lines.append(t("alloc.managers_told", lang))
    return "\n".join(lines)


def auto_assign_reply(result: AutoAssignResult, query: str, lang: str) -> Message:
    if result.outcome == "allocated" and result.allocation:
        return text_message(allocation_text(result.allocation, lang))
    if result.outcome == "refused":
        return text_message(t(f"refusal.{result.refusal or 'not_manager'}", lang))
    if result.outcome == "not_found" and result.lookup:
        return suggestions(result.lookup, query, lang, "alloc.usage")
    if result.error and result.error.code != "usage.assign":
        return input_error(result.error, lang, "alloc.usage")
    return text_message(t("alloc.usage", lang))


def for_rep(a: AllocationResult, lang: str) -> Message:
    """The DM to the rep who got the lead."""
    c = a.customer
    if a.reason == "existing_owner" and a.related:
        how = t("alloc.how.existing_owner", lang, other_sid=a.related.short_id)
    else:
        how = t("alloc.how.rule", lang, rule=escape(a.rule or ""), strategy=strategy_name(a.strategy, lang))
    return text_message(t("alloc.for_rep", lang, name=escape(c.name), sid=c.short_id, how=how,
                          until=day(c.protected_until, lang)))


def allocated_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    """The outbox notice (kind ``allocated``) of ``for_rep``: its JSON snapshot, rendered at delivery."""
    related = data.get("related")
    return for_rep(AllocationResult(
        AllocationOutcome.ASSIGNED, CustomerSnapshot.from_data(data["customer"]), data["reason"], rule=data.get("rule"),
        strategy=data.get("strategy"), related=from_data(RelatedOwner, related) if related else None), lang)


def unassigned_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    """The outbox notice (kind ``unassigned``) each manager gets when a lead stays in the pool."""
    match = data.get("match") or {}
    params = {"name": escape(str(data.get("name", ""))), "sid": data.get("sid", ""), "rep": mention(None, lang),
              "rule": escape(str(data.get("rule") or "")), "region": _value(data.get("region"), lang),
              "industry": _value(data.get("industry"), lang), "tier": data.get("tier") or "—",
              "other": escape(str(match.get("name") or match.get("sid", ""))), "other_sid": match.get("sid", ""),
              "owner": mention(match.get("owner"), lang),
              "why": t(f"alloc.why.{match['why']}", lang) if match.get("why") else "", "count": data.get("count", 0)}
    lines = [t(f"alloc.unassigned.{data.get('reason', 'no_rule')}", lang, **params)]
    line = skipped_line(data.get("skipped") or [], lang)
    if line:
        lines.append(line)
    return text_message(t("alloc.notice.unassigned", lang, text="\n".join(lines), sid=data.get("sid", "")))


def ooo_reply(result: OooResult, lang: str) -> Message:
    if result.outcome == "set" and result.until:
        return text_message(t("ooo.set", lang, until=day(result.until, lang),
                              back=day(result.until + timedelta(days=1), lang)))
    if result.outcome == "cleared":
        return text_message(t("ooo.cleared", lang))
    if result.outcome == "past" and result.until:
        return text_message(t("ooo.past", lang, until=day(result.until, lang)))
    if result.outcome == "too_far":
        return text_message(t("ooo.too_far", lang, limit=result.limit_days))
    return text_message(t("ooo.usage", lang))


def explanation(entry: dict[str, Any], lang: str, tz: str) -> str:
    """One ledger entry (bot.services.allocation.explain) as a line: who, which rule and strategy, why."""
    at = entry["at"]
    when = fmt.moment(at, tz, lang) if isinstance(at, datetime) else str(at)
    outcome = t(f"alloc.outcome.{entry['outcome']}", lang, rep=mention(entry.get("rep"), lang))
    if entry["outcome"] == "assigned" and entry["reason"] == "existing_owner":
        how = t("alloc.how.existing_owner", lang, other_sid=(entry.get("match") or {}).get("sid", ""))
    elif entry["outcome"] == "assigned":
        how = t("alloc.how.rule", lang, rule=escape(entry.get("rule") or ""),
                strategy=strategy_name(entry.get("strategy"), lang))
        if entry.get("cycle"):
            how += f" #{entry['cycle']}"
    else:
        how = t(f"alloc.reason.{entry['reason']}", lang, rule=escape(entry.get("rule") or ""))
    line = t("alloc.explain", lang, at=when, outcome=outcome, how=how)
    skipped = skipped_line(entry.get("skipped") or [], lang)
    if not skipped:
        return line
    return f"{line}{'；' if lang == 'zh' else '; '}{skipped}"


def fairness_blocks(report: FairnessReport, lang: str, tz: str) -> list[dict[str, Any]]:
    """The digest's section: per rule, assignments, spread, Gini and the largest within-cycle spread."""
    header = t("fairness.header", lang, since=local_day(report.since, tz, lang),
               until=local_day(report.until, tz, lang, end=True))
    if not report.rules and not report.unassigned and not report.existing_owner:
        return [b.section(f"{header}\n{t('fairness.empty', lang)}")]
    lines = [header]
    for r in report.rules:
        line = t("fairness.rule", lang, rule=escape(r.rule), strategy=strategy_name(r.strategy, lang), total=r.total,
                 spread=r.spread, gini=f"{r.gini:.2f}", cycles=r.cycles, cycle_spread=r.max_cycle_spread)
        if r.unassigned:
            line += t("fairness.unassigned_in_rule", lang, count=r.unassigned)
        lines.append(line)
        skipped = dict(r.skipped_turns)
        counts = " · ".join(t("fairness.count_skipped", lang, rep=mention(rep, lang), count=n, skipped=skipped[rep])
                            if skipped.get(rep) else f"{mention(rep, lang)} {n}" for rep, n in r.counts)
        if counts:
            lines.append(f"    {counts}")
    blocks = [b.section("\n".join(lines))]
    blocks.append(b.context(t("fairness.extra", lang, existing=report.existing_owner, unassigned=report.unassigned)))
    return blocks


def fairness_message(report: FairnessReport, lang: str, tz: str) -> Message:
    blocks = fairness_blocks(report, lang, tz)
    return b.message(t("fairness.header", lang, since=local_day(report.since, tz, lang),
                       until=local_day(report.until, tz, lang, end=True)), blocks)


def local_day(moment: datetime, tz: str, lang: str, *, end: bool = False) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    if end:  # an exclusive end at midnight reads as the day before
        local -= timedelta(microseconds=1)
    return day(date(local.year, local.month, local.day), lang)
