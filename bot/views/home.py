"""The App Home tab and its customer-card modal. Pure: bot/home_results values in, a Block Kit view out.

A Home view may hold 100 blocks. The fixed parts use at most ``FIXED_BLOCKS`` and each customer row two
(its text, its buttons), so a page of bot/services/home.PER_PAGE rows always fits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ButtonElement, HeaderBlock, PlainTextObject
from slack_sdk.models.views import View

from bot.i18n import formatting as fmt
from bot.i18n import t
from bot.results.cards import CustomerCard
from bot.results.home import DeliveryProblem, HomeCustomer, HomeData, Numbers, PendingItem, TodayItem
from bot.views import blocks as b
from bot.views.card import customer_card
from bot.views.claims import clock_name, day
from bot.views.notices import mention_channel
from bot.views.text import escape, truncate

HOME_MAX_BLOCKS = 100
FIXED_BLOCKS = 26
PAGE_ACTION = "home_page"  # + _prev / _next: action ids must differ within a block
PREVIOUS_ACTION, NEXT_ACTION = f"{PAGE_ACTION}_prev", f"{PAGE_ACTION}_next"
OPEN_CARD_ACTION = "home_open_card"
FOLLOWUP_ACTION = "card_followup"  # handled by the customer card's listeners (same value: the customer id)
CARD_CALLBACK = "home_card"
NAME_MAX = 120  # a customer name inside a row; the row stays readable and within a section's 3000
MODAL_TITLE_MAX = 24


def home_view(data: HomeData, lang: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        HeaderBlock(text=PlainTextObject(text=t("home.title", lang))).to_dict(),
        b.context(t("home.as_of", lang, who=f"<@{data.user_id}>", role=t(f"home.role.{data.role}", lang),
                    at=day(data.today, lang))),
    ]
    blocks += _today(data, lang)
    blocks.append(b.divider())
    blocks.append(b.section(t("home.score.header", lang, first=day(data.week_first, lang),
                              last=day(data.week_last, lang)) + "\n" + _mine(data.mine, lang)))
    if data.manager:
        blocks.append(b.divider())
        blocks += _pending(data, lang)
        if data.team is not None:
            blocks.append(b.section(t("home.team.header", lang, first=day(data.week_first, lang),
                                      last=day(data.week_last, lang)) + "\n" + _team(data.team, lang)))
        if data.delivery_problems:
            blocks += _delivery_problems(data.delivery_problems, data.tz, lang)
        if data.to_review:
            blocks.append(b.section(t("home.to_review", lang, n=data.to_review)))
    blocks.append(b.divider())
    blocks.append(b.section(t("home.customers.header", lang, total=data.total, page=data.page, pages=data.pages)
                            if data.total else t("home.customers.empty", lang)))
    for c in data.customers:
        blocks += _customer(c, lang)
    pager = _pager(data, lang)
    if pager:
        blocks.append(pager)
    if len(blocks) > HOME_MAX_BLOCKS:  # never expected (see FIXED_BLOCKS); Slack would refuse the whole view
        blocks = blocks[: HOME_MAX_BLOCKS - 1] + ([pager] if pager else [])
    return View(type="home", blocks=blocks).to_dict()


def _name(name: str) -> str:
    return escape(truncate(name, NAME_MAX))


def _today(data: HomeData, lang: str) -> list[dict[str, Any]]:
    if not data.today_items:
        return [b.section(t("home.today.header", lang) + "\n" + t("home.today.empty", lang))]
    lines = [_today_line(i, data, lang) for i in data.today_items]
    if data.today_total > len(data.today_items):
        lines.append(t("home.more", lang, n=data.today_total - len(data.today_items)))
    return [b.section(t("home.today.header", lang)), *b.sections(lines, limit=4)]


def _today_line(item: TodayItem, data: HomeData, lang: str) -> str:
    common = {"name": _name(item.name), "sid": item.short_id, "day": day(item.day, lang)}
    key = f"home.today.{item.kind}"
    if item.kind == "ending":
        if item.days_left is not None and item.days_left < 0:
            key += "_past"
        elif item.days_left == 0:
            key += "_now"
        return t(key, lang, clock=clock_name(item.clock, lang), days=item.days_left, **common)
    if item.day < data.today:
        key += "_overdue"
    return t(key, lang, **common)


def _mine(n: Numbers, lang: str) -> str:
    lines = [_score(n, lang),
             t("home.score.rank", lang, rank=n.rank, ranked=n.ranked) if n.rank else t("home.score.unranked", lang),
             t("home.score.private", lang, recycled=n.recycled, lost=n.disputes_lost, holding=n.holding, cap=n.cap,
               open=n.open_complaints, overdue=n.overdue_complaints)]
    return "\n".join(lines)


def _score(n: Numbers, lang: str) -> str:
    return t("home.score.line", lang, score=n.score, claims=n.claims, followups=n.followups,
             advances=n.advances, wins=n.wins, amount=fmt.money(n.amount, lang))


def _team(n: Numbers, lang: str) -> str:
    return "\n".join([
        t("home.team.line", lang, claims=n.claims, followups=n.followups, advances=n.advances, wins=n.wins,
          amount=fmt.money(n.amount, lang), recycled=n.recycled, lost=n.disputes_lost),
        t("home.team.state", lang, holding=n.holding, ranked=n.ranked, open=n.open_complaints,
          overdue=n.overdue_complaints),
    ])


def local_time(moment: datetime, tz: str, lang: str) -> str:
    return fmt.moment(moment, tz, lang)


def _delivery_problems(problems: tuple[DeliveryProblem, ...], tz: str, lang: str) -> list[dict[str, Any]]:
    """Two blocks: what Slack refused lately (channel, error, how many, when), and what to do about it."""
    lines = [t("home.delivery.line", lang, channel=mention_channel(p.channel), error=escape(p.error), n=p.count,
               at=local_time(p.last, tz, lang))
             for p in problems]
    return [b.section("\n".join([t("home.delivery.header", lang), *lines])), b.context(t("home.delivery.hint", lang))]


def _pending(data: HomeData, lang: str) -> list[dict[str, Any]]:
    header = t("home.pending.header", lang, n=data.pending_total)
    if not data.pending:
        return [b.section(header + "\n" + t("home.pending.empty", lang))]
    lines = [_pending_line(p, data.tz, lang) for p in data.pending]
    if data.pending_total > len(data.pending):
        lines.append(t("home.more", lang, n=data.pending_total - len(data.pending)))
    return [b.section(header), *b.sections(lines, limit=4), b.context(t("home.pending.where", lang))]


def _pending_line(p: PendingItem, tz: str, lang: str) -> str:
    line = t(f"home.pending.{p.kind}", lang, id=p.id, name=_name(p.name), sid=p.short_id,
             requester=f"<@{p.requester}>", other=f"<@{p.other}>", since=local_time(p.since, tz, lang),
             deadline=local_time(p.deadline, tz, lang) if p.deadline else "")
    return line + (t("home.pending.excluded", lang) if p.excluded else "")


def _customer(c: HomeCustomer, lang: str) -> list[dict[str, Any]]:
    common = {"name": _name(c.name), "sid": c.short_id, "tier": c.tier, "stage": t(f"stage.{c.stage}", lang)}
    if c.protected_until is None:
        text = t("home.customer.row_won", lang, **common)
    else:
        key = "home.customer.row_past" if (c.days_left or 0) < 0 else "home.customer.row"
        text = t(key, lang, until=day(c.protected_until, lang), clock=clock_name(c.clock, lang), days=c.days_left,
                 **common)
    return [
        {**b.section(text), "block_id": f"home_c{c.id}"},
        b.actions(f"home_c{c.id}_do", _button(t("home.button.followup", lang), FOLLOWUP_ACTION, str(c.id), "primary"),
                  _button(t("home.button.open", lang), OPEN_CARD_ACTION, str(c.id))),
    ]


def _pager(data: HomeData, lang: str) -> dict[str, Any] | None:
    buttons = []
    if data.page > 1:
        buttons.append(_button(t("home.button.previous", lang), PREVIOUS_ACTION, str(data.page - 1)))
    if data.page < data.pages:
        buttons.append(_button(t("home.button.next", lang), NEXT_ACTION, str(data.page + 1)))
    return b.actions("home_pager", *buttons) if buttons else None


def _button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    # A plain value (not JSON): the customer card's buttons share this format (the customer id).
    return ButtonElement(text=PlainTextObject(text=truncate(label, b.BUTTON_TEXT_MAX)), action_id=action_id,
                         value=value, style=style)


def card_modal(card: CustomerCard, lang: str, tz: str) -> dict[str, Any]:
    """The customer card, with the buttons this viewer may use, in a modal (the Home tab's *Open card*)."""
    shown = customer_card(card, "", lang, tz)
    return View(type="modal", callback_id=CARD_CALLBACK,
                title=PlainTextObject(text=truncate(t("home.card.title", lang), MODAL_TITLE_MAX)),
                close=PlainTextObject(text=t("home.card.close", lang)), blocks=shown["blocks"]).to_dict()
