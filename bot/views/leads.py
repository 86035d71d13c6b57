"""Messages for leads that arrive by themselves: the offer (Accept · Pass), its answers, the owner's enquiry,
/lead and its form, `/claimbot why`, `/claimbot fairness` and `/claimbot sources`. Pure."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import formatting as fmt
from bot.i18n import t
from bot.results.allocation import FairnessReport
from bot.results.data import from_data
from bot.results.leads import IntakeResult, OfferResult, SourcesReport, WhyResult
from bot.rules.leads import FieldError
from bot.views import blocks as b
from bot.views.allocation import explanation, fairness_blocks, local_day, strategy_name
from bot.views.claims import Message, mention, suggestions, text_message
from bot.views.text import escape, truncate

ACCEPT, PASS = "lead_accept", "lead_pass"
LEAD_FORM = "lead_form"
FORM_FIELDS = ("name", "region", "industry", "phone", "domain", "contact", "note", "source")
WHY_SHOWN = 40


def local_time(iso_or_moment: str | datetime | None, tz: str, lang: str) -> str:
    """A moment in the team's zone as the reader's locale writes it (a DM names the zone for a reader
    elsewhere: bot/i18n/formatting.reading_in)."""
    if not iso_or_moment:
        return "—"
    moment = datetime.fromisoformat(iso_or_moment) if isinstance(iso_or_moment, str) else iso_or_moment
    return fmt.moment(moment, tz, lang)


def fields_text(fields: dict[str, Any], lang: str) -> str:
    """The lead's fields as a person reads them (the name is in the heading), each escaped."""
    lines = [t("lead.field", lang, label=t(f"lead.label.{k}", lang), value=escape(truncate(str(v), 500)))
             for k, v in fields.items() if k != "name" and v]
    return "\n".join(lines) or "—"


def offer_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    """The outbox DM (kind ``lead_offer``) to the rep the rules chose: the lead, then Accept · Pass."""
    markdown = t("lead.offer", lang, source=escape(data["source"]), name=escape(data["name"]), sid=data["sid"],
                 tier=data.get("tier") or "—", fields=fields_text(data.get("fields") or {}, lang),
                 rule=escape(data.get("rule") or ""), strategy=strategy_name(data.get("strategy"), lang),
                 attempt=data.get("attempt", 1), max_offers=data.get("max_offers", 1),
                 until=local_time(data.get("until"), tz, lang))
    value = {"offer": data["offer"]}
    return b.message(markdown, [b.section(markdown), b.actions(
        f"lead_{data['offer']}", b.button(t("button.accept", lang), ACCEPT, value, "primary"),
        b.button(t("button.pass", lang), PASS, value))])


def offer_closed_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    """The offer's DM once it timed out (kind ``lead_offer_closed``, a ``chat.update`` of it): no buttons."""
    params = {"name": escape(data["name"]), "sid": data["sid"], "next": mention(data.get("next_rep"), lang)}
    if data.get("status") == "withdrawn":
        return text_message(t("lead.withdrawn", lang, **params))
    key = "lead.expired" if data.get("next_rep") else "lead.expired_pool"
    return text_message(t(key, lang, **params))


def enquiry_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    """To the owner (kind ``lead_enquiry``): a lead for a customer they own."""
    match = data.get("match") or {}
    return text_message(t("lead.enquiry", lang, name=escape(data["name"]), sid=data["sid"],
                          source=escape(data["source"]), fields=fields_text(data.get("fields") or {}, lang),
                          match=t(f"lead.match.{match.get('tier', 'exact')}", lang)))


def decided(result: OfferResult, lang: str, tz: str) -> Message:
    """What the offer's DM shows once the rep pressed Accept or Pass (replacing the buttons)."""
    params = {"name": escape(result.name), "sid": result.short_id}
    if result.outcome == "accepted":
        until = result.protected_until.isoformat() if result.protected_until else t("none", lang)
        return text_message(t("lead.accepted", lang, **params, until=until))
    if result.next_rep:
        return text_message(t("lead.passed", lang, **params, next=mention(result.next_rep, lang)))
    return text_message(t("lead.passed_pool", lang, **params))


def refused(result: OfferResult, lang: str) -> Message:
    status = t(f"lead.status.{result.status or 'open'}", lang)
    return text_message(t(f"lead.refused.{result.outcome}", lang, status=status, holding=result.holding,
                          cap=result.cap))


# --- /lead


def lead_reply(result: IntakeResult, name: str, lang: str, tz: str) -> Message:
    if result.error is not None:
        return field_error(result.error, lang)
    a = result.answer
    params = {"name": escape(name), "sid": a.get("customer", "")}
    lines = []
    if result.outcome == "repeat":
        lines.append(t("lead.reply.repeat", lang))
    status = a.get("status")
    if status == "offered":
        lines.append(t("lead.reply.offered", lang, **params, rule=escape(a.get("rule") or ""),
                       rep=mention(a.get("offered_to"), lang), until=local_time(a.get("until"), tz, lang)))
    elif status == "existing":
        lines.append(t("lead.reply.existing", lang, **params, rep=mention(a.get("owner"), lang)))
    else:
        lines.append(t("lead.reply.pool", lang, **params))
    return text_message("\n".join(lines))


def field_error(error: FieldError, lang: str) -> Message:
    label = t(f"lead.label.{error.field}", lang) if error.field in LABELLED else escape(error.field)
    return text_message(t(f"lead.error.{error.code}", lang, field=label, value=escape(error.value)) + "\n"
                        + t("usage.lead", lang))


LABELLED = ("name", "uscc", "domain", "phone", "email", "region", "industry", "tier", "contact", "note")


def lead_form(lang: str) -> dict[str, Any]:
    """/lead with no text: every field of a lead, the tier as a choice."""
    blocks = [InputBlock(block_id=f, label=PlainTextObject(text=t(f"lead.label.{f}" if f != "source" else
                                                                  "lead.form.source", lang)),
                         element=PlainTextInputElement(action_id="value", multiline=f == "note",
                                                       max_length=3000 if f == "note" else 200),
                         optional=f != "name") for f in FORM_FIELDS]
    blocks.insert(3, InputBlock(block_id="tier", label=PlainTextObject(text=t("lead.label.tier", lang)), optional=True,
                                element=StaticSelectElement(action_id="value", options=[
                                    Option(value=tier, text=PlainTextObject(text=tier)) for tier in ("A", "B", "C")])))
    return View(type="modal", callback_id=LEAD_FORM, title=PlainTextObject(text=t("modal.lead_title", lang)),
                submit=PlainTextObject(text=t("modal.submit", lang)), close=PlainTextObject(text=t("modal.cancel", lang)),
                blocks=blocks, private_metadata=json.dumps({})).to_dict()


def form_fields(view: dict[str, Any]) -> dict[str, str]:
    values = (view.get("state") or {}).get("values") or {}
    out = {}
    for f in (*FORM_FIELDS, "tier"):
        element = (values.get(f) or {}).get("value") or {}
        selected = element.get("selected_option")
        value = selected.get("value") if selected else element.get("value")
        if value:
            out[f] = str(value)
    return out


# --- /claimbot why, fairness, sources


def why_message(result: WhyResult, query: str, lang: str, tz: str) -> Message:
    c = result.lookup.customer
    if c is None:
        if result.lookup.error is not None or not query:
            return text_message(t("why.usage", lang))
        return suggestions(result.lookup, query, lang, "why.usage")
    if not result.entries:
        return text_message(t("why.empty", lang, name=escape(c.name), sid=c.short_id))
    lines = [t("why.header", lang, name=escape(c.name), sid=c.short_id)]
    for entry in result.entries[-WHY_SHOWN:]:
        lines.append("• " + why_line(entry, lang, tz))
    return b.message(lines[0], b.sections(lines, limit=45))


def why_line(entry: dict[str, Any], lang: str, tz: str) -> str:
    """A ledger line: the allocation's own explanation, with a lead's source and an offer's details."""
    outcome = entry["outcome"]
    if outcome in ("passed", "timed_out", "accepted"):
        how = t(f"alloc.reason.{outcome}", lang, until=local_time(entry.get("until"), tz, lang),
                minutes=entry.get("minutes", "—"))
        at = entry["at"].astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        line = t("alloc.explain", lang, at=at, outcome=t(f"alloc.outcome.{outcome}", lang,
                                                          rep=mention(entry.get("rep"), lang)), how=how)
    elif outcome == "unassigned" and entry["reason"] == "max_offers":
        at = entry["at"].astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        how = t("alloc.reason.max_offers", lang, count=len(entry.get("offered_before") or []))
        line = t("alloc.explain", lang, at=at, outcome=t("alloc.outcome.unassigned", lang), how=how)
    elif outcome == "existing_owner" and entry["reason"] == "enquiry":
        at = entry["at"].astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        line = t("alloc.explain", lang, at=at, outcome=t("alloc.outcome.existing_owner", lang,
                                                          rep=mention(entry.get("rep"), lang)),
                 how=t("alloc.reason.enquiry", lang))
    elif outcome == "offered":
        entry = {**entry, "outcome": "assigned"}  # the same rule, strategy, cycle and skips
        line = explanation(entry, lang, tz).replace(
            t("alloc.outcome.assigned", lang, rep=mention(entry.get("rep"), lang)),
            t("alloc.outcome.offered", lang, rep=mention(entry.get("rep"), lang)), 1)
    else:
        line = explanation(entry, lang, tz)
    if entry.get("source") and outcome in ("offered", "existing_owner"):
        line += f" ({t('why.lead', lang, source=escape(entry['source']))})"
    return line


def fairness_report_blocks(report: FairnessReport, lang: str, tz: str) -> list[dict[str, Any]]:
    """The allocation numbers (bot/views/allocation) with, per rule, what happened to the offers, the skip
    reasons, and speed to lead for the period."""
    blocks = fairness_blocks(report, lang, tz)
    lines = []
    for r in report.rules:
        if r.offered or r.passed or r.timed_out:
            lines.append(f"“{escape(r.rule)}”" if lang == "en" else f"「{escape(r.rule)}」")
            counts = dict(r.counts)
            lines.append(t("fairness.offers", lang, offered=_per_rep(r.offered, lang),
                           accepted=_per_rep(tuple((rep, counts[rep]) for rep, _ in r.offered if counts.get(rep)), lang),
                           passed=_per_rep(r.passed, lang), timed_out=_per_rep(r.timed_out, lang)))
        if r.skip_reasons:
            if not lines or not lines[-1].startswith("    "):
                lines.append(f"“{escape(r.rule)}”" if lang == "en" else f"「{escape(r.rule)}」")
            reasons = " · ".join(t(f"fairness.skip.{reason}", lang, n=n) for reason, n in r.skip_reasons)
            lines.append(t("fairness.skip_reasons", lang, list=reasons))
    if lines:
        blocks.insert(1, b.section("\n".join(lines)))
    if report.leads:
        blocks.append(b.context(t("fairness.speed", lang, leads=report.leads,
                                  accept=_minutes(report.median_accept_minutes),
                                  followup=_minutes(report.median_followup_minutes))))
    return blocks


def fairness_report(report: FairnessReport, lang: str, tz: str) -> Message:
    blocks = fairness_report_blocks(report, lang, tz)
    return b.message(t("fairness.header", lang, since=local_day(report.since, tz, lang),
                       until=local_day(report.until, tz, lang, end=True)), blocks)


def fairness_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    """The managers' weekly digest (kind ``fairness_weekly``): the week's report, as decided."""
    return fairness_report(from_data(FairnessReport, data), lang, tz)


def _per_rep(pairs: tuple[tuple[str, int], ...], lang: str) -> str:
    return ", ".join(f"{mention(rep, lang)} {n}" for rep, n in pairs) or "0"


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def sources_report(report: SourcesReport, lang: str, tz: str) -> Message:
    header = t("sources.header", lang, since=local_day(report.since, tz, lang),
               until=local_day(report.until, tz, lang, end=True))
    if not report.sources:
        return text_message(f"{header}\n{t('sources.empty', lang)}")
    lines = [header] + [t("sources.line", lang, source=escape(s.source), leads=s.leads, new=s.new, existing=s.existing,
                          accepted=s.accepted, won=s.won, amount=f"{s.won_amount:,.0f}",
                          conversion=f"{s.conversion:.0%}", speed=_minutes(s.median_accept_minutes))
                        for s in report.sources]
    return b.message(header, b.sections(lines, limit=45))
