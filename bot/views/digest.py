"""The leaderboard and the daily digest (PRODUCT 3.7). Pure: results in, Block Kit out.

Reps are shown by their display name where ClaimBot knows it (a daily post that @-mentioned everyone
would ping the whole team twice a day), else as a mention. Names and reasons are user text: escaped and
shortened. Lists arrive capped by the service; what was left off is counted ("…and N more").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import formatting as fmt
from bot.i18n import t
from bot.results.scoreboard import (
    ApprovalItem,
    CaseItem,
    ClaimItem,
    ComplaintItem,
    CustomerRef,
    DecisionItem,
    Digest,
    Leaderboard,
    ReturnItem,
    ScoreRow,
    Section,
    UpcomingItem,
)
from bot.views import blocks as b
from bot.views import settings as settings_view
from bot.views.claims import clock_name, day
from bot.views.text import escape, truncate

Message = dict[str, Any]
NAME_MAX = 60  # a customer's or rep's name in a list line
REASON_MAX = 200
ROWS_PER_SECTION = 10  # leaderboard lines per section block (3000 characters each)


def number(x: float, lang: str = "en") -> str:
    """12 → "12", 2.5 → "2.5", 3.333 → "3.33", 1234 → "1,234" (the locale's grouping)."""
    return fmt.number(x, lang)


def money(x: float, lang: str = "en") -> str:
    """An amount in the reader's form: zh 12.5万, en 125,000."""
    return fmt.money(x, lang)


def who(rep: str | None, name: str | None = None) -> str:
    if not rep:
        return "—"
    return f"*{escape(truncate(name, NAME_MAX))}*" if name else f"<@{rep}>"


def customer(ref: CustomerRef) -> str:
    return f"*{escape(truncate(ref.name, NAME_MAX))}* ({ref.sid})"


def local_time(iso: str, tz: str, lang: str) -> str:
    return fmt.moment(datetime.fromisoformat(iso), tz, lang) if iso else ""


# --- the leaderboard


def _row_line(row: ScoreRow, lang: str) -> str:
    line = t("board.row", lang, rank=row.rank, who=who(row.rep, row.name), score=row.score,
             claims=row.claims, followups=row.followups, advances=row.advances, wins=row.wins)
    if row.amount:
        line += t("board.amount", lang, amount=money(row.amount, lang))
    if row.recycled is not None:
        line += t("board.hidden", lang, recycled=row.recycled, lost=row.disputes_lost or 0)
    return line


def leaderboard(board: Leaderboard, lang: str, tz: str) -> Message:
    title = t(f"board.title.{board.period}", lang, first=day(board.first, lang), last=day(board.last, lang))
    out = [b.section(f"*{title}*")]
    if not board.rows:
        out.append(b.section(t("board.empty", lang)))
    lines = [_row_line(row, lang) for row in board.rows]
    for i in range(0, len(lines), ROWS_PER_SECTION):
        out.append(b.section("\n".join(lines[i:i + ROWS_PER_SECTION])))
    if board.total > len(board.rows):
        out.append(b.context(t("board.more", lang, n=board.total - len(board.rows))))
    if board.you is not None:
        out.append(b.section(f"{t('board.you', lang)}\n{_row_line(board.you, lang)}"))
    w = board.weights
    amount = (t("board.amount_points", lang, per=money(board.amount_per_point, lang)) if board.amount_per_point
              else t("board.amount_shown", lang))
    notes = [t("board.formula", lang, claims=number(w["claims"], lang), followups=number(w["followups"], lang),
               advances=number(w["advances"], lang), wins=number(w["wins"], lang), amount=amount)]
    if board.viewer is not None:
        notes.append(t("board.hidden_note.manager" if board.manager_view else "board.hidden_note.rep", lang))
    out.append(b.context("\n".join(notes)))
    return b.message(title, out)


# --- the daily digest


def _more(section: Section, lang: str) -> list[str]:
    return [t("digest.more", lang, n=section.more)] if section.more else []


def _block(header: str, lines: list[str], lang: str) -> dict[str, Any]:
    return b.section("\n".join([header, *(lines or [t("digest.none", lang)])]))


def _claim(item: ClaimItem, names: dict[str, str], lang: str) -> str:
    if item.kind == "assign":
        return t("digest.assign", lang, customer=customer(item.customer), who=who(item.rep, names.get(item.rep)),
                 by=who(item.actor, names.get(item.actor)))
    return t("digest.claim", lang, customer=customer(item.customer), who=who(item.rep, names.get(item.rep)))


def _return(item: ReturnItem, names: dict[str, str], lang: str) -> str:
    params = {"customer": customer(item.customer), "who": who(item.rep, names.get(item.rep))}
    if item.kind == "release":
        return t("digest.release", lang, reason=escape(truncate(item.reason or "—", REASON_MAX)), **params)
    if item.kind == "recycle":
        return t("digest.recycle", lang, clock=clock_name(item.clock, lang), until=item.until or "", **params)
    return t("digest.lost", lang, **params)


def _upcoming(item: UpcomingItem, names: dict[str, str], lang: str) -> str:
    return t("digest.upcoming_item", lang, customer=customer(item.customer), who=who(item.rep, names.get(item.rep)),
             clock=clock_name(item.clock, lang), until=day(item.until, lang))


def _dispute(item: CaseItem, names: dict[str, str], lang: str, tz: str) -> str:
    return t("digest.dispute", lang, kind=t(f"digest.kind.{item.kind}", lang), id=item.id,
             customer=customer(item.customer), claimant=who(item.claimant, names.get(item.claimant)),
             owner=who(item.owner, names.get(item.owner)), deadline=local_time(item.deadline, tz, lang))


def _approval(item: ApprovalItem, names: dict[str, str], lang: str, tz: str) -> str:
    return t("digest.approval", lang, id=item.id, customer=customer(item.customer),
             from_rep=who(item.from_rep, names.get(item.from_rep)), to_rep=who(item.to_rep, names.get(item.to_rep)),
             since=local_time(item.since, tz, lang))


def _decision(item: DecisionItem, names: dict[str, str], lang: str) -> str:
    kind = t(f"digest.kind.{item.kind}", lang) if item.kind in ("dispute", "appeal") else ""
    return t(f"digest.decision.{item.outcome}", lang, kind=kind, id=item.id, customer=customer(item.customer),
             by=who(item.by, names.get(item.by or "")), owner=who(item.owner, names.get(item.owner or "")),
             claimant=who(item.claimant, names.get(item.claimant or "")), share=item.share or 0)


def _complaint(item: ComplaintItem, names: dict[str, str], lang: str) -> str:
    key = "digest.complaint_overdue" if item.days_overdue else "digest.complaint"
    return t(key, lang, id=item.id, customer=customer(item.customer), owner=who(item.owner, names.get(item.owner or "")),
             due=day(item.due_on, lang), days=item.days_overdue)


def digest(d: Digest, lang: str, tz: str) -> Message:
    title = t("digest.title", lang, day=day(d.day, lang))
    out = [b.section(f"*{title}*")]
    if d.calendar_uncovered:  # before everything: the working-day clocks are estimating (docs/decisions/0021)
        out.append(b.section(t("digest.calendar_uncovered", lang, admins=" ".join(who(a) for a in d.admins) or "—",
                               years=", ".join(str(y) for y in d.calendar_uncovered))))
    if d.is_empty():
        out.append(b.section(t("digest.quiet", lang, yesterday=d.yesterday)))
        return b.message(title, out)
    names = d.names

    def by_rep(counts: dict[str, int], least: int = 2) -> list[str]:
        if len(counts) < least:
            return []
        listed = " · ".join(f"{who(rep, names.get(rep))} {n}" for rep, n in list(counts.items())[:10])
        return [t("digest.by_rep", lang, list=listed)]

    out.append(_block(t("digest.new_claims", lang, n=d.new_claims.total),
                      [_claim(i, names, lang) for i in d.new_claims.items] + _more(d.new_claims, lang)
                      + by_rep(d.claims_by_rep), lang))
    out.append(_block(t("digest.returned", lang, n=d.returned.total),
                      [_return(i, names, lang) for i in d.returned.items] + _more(d.returned, lang), lang))
    out.append(_block(t("digest.upcoming", lang, n=d.upcoming.total, until=day(d.upcoming_until, lang)),
                      by_rep(d.upcoming_by_rep, 1) + [_upcoming(i, names, lang) for i in d.upcoming.items]
                      + _more(d.upcoming, lang), lang))
    out.append(_block(t("digest.disputes", lang, n=d.disputes.total),
                      [_dispute(i, names, lang, tz) for i in d.disputes.items] + _more(d.disputes, lang), lang))
    out.append(_block(t("digest.complaints", lang, n=d.complaints.total, overdue=d.complaints_overdue),
                      [_complaint(i, names, lang) for i in d.complaints.items] + _more(d.complaints, lang), lang))
    out.append(_block(t("digest.approvals", lang, n=d.approvals.total),
                      [_approval(i, names, lang, tz) for i in d.approvals.items] + _more(d.approvals, lang), lang))
    out.append(_block(t("digest.decisions", lang, n=d.decisions.total),
                      [_decision(i, names, lang) for i in d.decisions.items] + _more(d.decisions, lang), lang))
    if d.settings_changes.total:  # shown only on days a manager changed settings in Slack
        out.extend(b.sections([t("settings.digest.header", lang, n=d.settings_changes.total), *settings_view.digest_lines(
            d.settings_changes.items, lambda rep: who(rep, names.get(rep)), lang, lambda at: local_time(at, tz, lang)),
            *_more(d.settings_changes, lang)], limit=3))  # up to 12 changes a line: may need more than one block
    return b.message(title, out)


# --- outbox renderers (registered in bot/views/notices.py): JSON snapshot → message at delivery


def render_digest(data: dict[str, Any], lang: str, tz: str) -> Message:
    return digest(Digest.from_data(data), lang, tz)


def render_leaderboard(data: dict[str, Any], lang: str, tz: str) -> Message:
    return leaderboard(Leaderboard.from_data(data), lang, tz)
