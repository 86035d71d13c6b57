"""Messages for collisions, appeals and handovers: the managers' message with its buttons, the decided
message that replaces it, and what each rep is told. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Option, PlainTextObject, StaticSelectElement

from bot.i18n import formatting as fmt
from bot.i18n import t
from bot.results.customers import CustomerSnapshot
from bot.results.data import from_data
from bot.results.disputes import CaseResult, CaseView
from bot.results.handovers import HandoverResult, HandoverView
from bot.results.reps import OffboardResult
from bot.rules import text
from bot.views import blocks as b
from bot.views.claims import OPEN_DISPUTE, Message, day, input_error, mention, suggestions, text_message
from bot.views.text import escape

__all__ = ["OPEN_DISPUTE"]
KEEP, TRANSFER, COOWN, SPLIT = "dispute_keep", "dispute_transfer", "dispute_coown", "dispute_split"
APPROVE, REJECT, DECLINE = "handover_approve", "handover_reject", "handover_decline"
OPEN_APPEAL = "appeal_open"
SPLITS = (50, 60, 70, 40, 30)  # the claimant's share of the credit


def when(moment: datetime | None, tz: str, lang: str) -> str:
    return fmt.moment(moment, tz, lang) if moment is not None else "—"


def decision_text(case: CaseView, lang: str) -> str:
    key = f"decision.{case.decision}"
    return t(key, lang, owner=mention(case.owner, lang), claimant=mention(case.claimant, lang),
             share=case.claimant_share or 0, owner_share=100 - (case.claimant_share or 0))


def case_summary(case: CaseView, lang: str, tz: str) -> list[dict[str, Any]]:
    c, e = case.customer, case.evidence
    head = t(f"case.header.{case.kind}", lang, id=case.id, parent=case.parent_id or "", name=escape(c.name),
             sid=c.short_id, claimant=mention(case.claimant, lang), owner=mention(case.owner, lang))
    lines = [head, t("case.reason", lang, who=mention(case.opened_by, lang), reason=escape(case.reason))]
    blocks = [b.section("\n".join(lines))]
    if e is not None:
        blocks.append(b.section(t(
            "case.evidence", lang, owner=mention(case.owner, lang), claimant=mention(case.claimant, lang),
            owner_since=when(e.owner_since, tz, lang), owner_first=when(e.owner_first_claim, tz, lang),
            claimant_first=when(e.claimant_first_claim, tz, lang), owner_last=day(e.owner_last_followup, lang),
            claimant_last=day(e.claimant_last_followup, lang), owner_n=e.owner_followups,
            claimant_n=e.claimant_followups, stage=t(f"stage.{e.stage}", lang),
            until=day(c.protected_until, lang))))
    return blocks


def case_for_managers(case: CaseView, lang: str, tz: str) -> Message:
    """The message managers decide on. Once decided, the same message without buttons."""
    blocks = case_summary(case, lang, tz)
    if case.status == "pending":
        if case.excluded_decider:
            blocks.append(b.context(t("case.different_manager", lang, manager=mention(case.excluded_decider, lang))))
        blocks.append(b.context(t("case.deadline", lang, deadline=when(case.deadline, tz, lang))))
        value = {"case": case.id}
        split = StaticSelectElement(
            action_id=SPLIT, placeholder=PlainTextObject(text=t("case.split", lang)),
            initial_option=_split_option(50, lang),
            options=[_split_option(share, lang) for share in SPLITS])
        blocks.append(b.actions(f"case_{case.id}",
                                b.button(t("button.keep", lang), KEEP, value, "primary"),
                                b.button(t("button.transfer", lang), TRANSFER, value, "danger"),
                                b.button(t("button.coown", lang), COOWN, value)))
        blocks.append({"type": "actions", "block_id": f"split_{case.id}", "elements": [split.to_dict()]})
    else:
        blocks.append(b.section(case_outcome(case, lang, tz)))
    return b.message(blocks_text(blocks), blocks)


def _split_option(share: int, lang: str) -> Option:
    return Option(value=str(share), text=PlainTextObject(text=t("case.split_option", lang, claimant=share,
                                                                 owner=100 - share)))


def case_outcome(case: CaseView, lang: str, tz: str) -> str:
    if case.status == "expired":
        return t("case.expired", lang, owner=mention(case.owner, lang), hours=_hours(case))
    return t("case.decided", lang, manager=mention(case.decided_by, lang), decision=decision_text(case, lang),
             at=when(case.decided_at, tz, lang))


def _hours(case: CaseView) -> int:
    return round((case.deadline - (case.created_at or case.deadline)).total_seconds() / 3600)


def case_opened(case: CaseView, lang: str, tz: str) -> Message:
    return text_message(t(f"case.opened.{case.kind}", lang, id=case.id, name=escape(case.customer.name),
                          deadline=when(case.deadline, tz, lang)))


def case_notice_to_owner(case: CaseView, lang: str, tz: str) -> Message:
    return text_message(t("case.notice_owner", lang, name=escape(case.customer.name),
                          claimant=mention(case.opened_by, lang), deadline=when(case.deadline, tz, lang)))


def case_decided_for_rep(case: CaseView, rep: str, lang: str, tz: str) -> Message:
    """What each side is told; the losing side gets an Appeal button while the window is open."""
    text = t("case.told", lang, id=case.id, name=escape(case.customer.name), sid=case.customer.short_id,
             outcome=case_outcome(case, lang, tz))
    blocks = [b.section(text)]
    if rep in case.appealable_by and case.appeal_until is not None:
        blocks.append(b.context(t("case.appeal_hint", lang, until=when(case.appeal_until, tz, lang))))
        blocks.append(b.actions(f"appeal_{case.id}", b.button(t("button.appeal", lang), OPEN_APPEAL,
                                                              {"case": case.id})))
    return b.message(text, blocks)


def case_for_channel(case: CaseView, lang: str, tz: str) -> Message:
    return text_message(t("case.channel", lang, id=case.id, kind=t(f"case.kind.{case.kind}", lang),
                          name=escape(case.customer.name), sid=case.customer.short_id,
                          outcome=case_outcome(case, lang, tz)))


def refusal(code: str, lang: str, **params: Any) -> Message:
    params = {"to": None, "manager": None, "limit": "", **params}
    safe = {k: (mention(v, lang) if k in ("to", "manager") else escape(str(v))) for k, v in params.items()}
    return text_message(t(f"refusal.{code}", lang, **safe))


def reason_modal(callback_id: str, title_key: str, lang: str, metadata: str) -> dict[str, Any]:
    from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
    from slack_sdk.models.views import View

    return View(type="modal", callback_id=callback_id, title=PlainTextObject(text=t(title_key, lang)),
                submit=PlainTextObject(text=t("modal.send", lang)), close=PlainTextObject(text=t("modal.cancel", lang)),
                private_metadata=metadata,
                blocks=[InputBlock(block_id="reason", label=PlainTextObject(text=t("modal.reason", lang)),
                                   element=PlainTextInputElement(action_id="value", multiline=True,
                                                                 max_length=3000))]).to_dict()


# --- handovers


def handover_summary(h: HandoverView, lang: str, tz: str) -> str:
    return t("handover.summary", lang, id=h.id, requester=mention(h.requested_by, lang),
             owner=mention(h.from_rep, lang), name=escape(h.customer.name), sid=h.customer.short_id,
             to=mention(h.to_rep, lang), reason=escape(h.reason), at=when(h.created_at, tz, lang))


def handover_for_managers(h: HandoverView, lang: str, tz: str) -> Message:
    blocks = [b.section(handover_summary(h, lang, tz))]
    if h.status == "pending":
        value = {"handover": h.id}
        blocks.append(b.actions(f"handover_{h.id}", b.button(t("button.approve", lang), APPROVE, value, "primary"),
                                b.button(t("button.reject", lang), REJECT, value, "danger")))
    else:
        blocks.append(b.section(handover_outcome(h, lang, tz)))
    return b.message(blocks_text(blocks), blocks)


def handover_outcome(h: HandoverView, lang: str, tz: str) -> str:
    return t(f"handover.status.{h.status}", lang, manager=mention(h.decided_by, lang), to=mention(h.to_rep, lang),
             owner=mention(h.from_rep, lang), until=when(h.decline_deadline, tz, lang))


def handover_for_rep(h: HandoverView, rep: str, lang: str, tz: str) -> Message:
    text = t("handover.told", lang, id=h.id, name=escape(h.customer.name), sid=h.customer.short_id,
             outcome=handover_outcome(h, lang, tz))
    blocks = [b.section(text)]
    if rep == h.to_rep and h.status == "transferred":
        blocks.append(b.context(t("handover.decline_hint", lang, until=when(h.decline_deadline, tz, lang))))
        blocks.append(b.actions(f"decline_{h.id}", b.button(t("button.decline", lang), DECLINE, {"handover": h.id})))
    return b.message(text, blocks)


def handover_requested(h: HandoverView, lang: str, tz: str) -> Message:
    return text_message(t("handover.requested", lang, id=h.id, name=escape(h.customer.name), to=mention(h.to_rep, lang)))


def assigned(detail: dict[str, Any], lang: str) -> Message:
    c = detail["customer"]
    return text_message(t("assign.done", lang, name=escape(c.name), sid=c.short_id, to=mention(detail["to"], lang),
                          from_=mention(detail["from"], lang), until=day(c.protected_until, lang)))


def offboarded(result: OffboardResult, lang: str) -> Message:
    head = t("offboard.done", lang, rep=mention(result.rep, lang), moved=len(result.moved),
             to=mention(result.to_rep, lang), pooled=len(result.to_pool))
    lines = [f"• {escape(c.name)} ({c.short_id}) → {mention(result.to_rep, lang)}" for c in result.moved]
    lines += [f"• {escape(c.name)} ({c.short_id}) → {t('pool', lang)}" for c in result.to_pool]
    return b.message(head, [b.section(head), *b.sections(lines, limit=b.MAX_BLOCKS - 1)])


def role_changed(outcome: str, user_id: str | None, old: str | None, new: str | None, lang: str) -> Message:
    return text_message(t(f"role.{outcome}", lang, user=mention(user_id, lang), old=t(f"role.name.{old or 'rep'}", lang),
                          new=t(f"role.name.{new or 'rep'}", lang)))


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    first = next((blk for blk in blocks if blk.get("type") == "section"), None)
    return first["text"]["text"] if first else ""


# --- outbox renderers (registered in bot/views/notices.py): JSON snapshot → message at delivery


def render_case_for_managers(data: dict[str, Any], lang: str, tz: str) -> Message:
    return case_for_managers(CaseView.from_data(data["case"]), lang, tz)


def render_case_notice(data: dict[str, Any], lang: str, tz: str) -> Message:
    return case_notice_to_owner(CaseView.from_data(data["case"]), lang, tz)


def render_case_decided(data: dict[str, Any], lang: str, tz: str) -> Message:
    return case_decided_for_rep(CaseView.from_data(data["case"]), data["rep"], lang, tz)


def render_case_for_channel(data: dict[str, Any], lang: str, tz: str) -> Message:
    return case_for_channel(CaseView.from_data(data["case"]), lang, tz)


def render_handover_for_managers(data: dict[str, Any], lang: str, tz: str) -> Message:
    return handover_for_managers(HandoverView.from_data(data["handover"]), lang, tz)


def render_handover_for_rep(data: dict[str, Any], lang: str, tz: str) -> Message:
    return handover_for_rep(HandoverView.from_data(data["handover"]), data["rep"], lang, tz)


def render_handover_for_channel(data: dict[str, Any], lang: str, tz: str) -> Message:
    h = HandoverView.from_data(data["handover"])
    return text_message(t("handover.told", lang, id=h.id, name=escape(h.customer.name), sid=h.customer.short_id,
                          outcome=handover_outcome(h, lang, tz)))


def render_assigned(data: dict[str, Any], lang: str, tz: str) -> Message:
    return assigned({**data, "customer": CustomerSnapshot.from_data(data["customer"])}, lang)


def render_offboarded(data: dict[str, Any], lang: str, tz: str) -> Message:
    return offboarded(from_data(OffboardResult, data["result"]), lang)


# -- the answer to the asker of /dispute, /handover, /assign (and their card forms)


def case_reply(result: CaseResult, query: str, lang: str, tz: str) -> dict[str, Any]:
    if result.outcome == "opened" and result.case:
        return case_opened(result.case, lang, tz)
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, "usage.dispute")
    if result.outcome == "not_found":
        return suggestions(result.lookup, query, lang, "usage.dispute") if result.lookup else \
            text_message(t("not_found", lang, name=query))
    return refusal(result.refusal or "already_decided", lang)


def handover_reply(result: HandoverResult, typed: str, lang: str, tz: str) -> dict[str, Any]:
    h = result.handover
    if result.outcome == "requested" and h:
        return handover_requested(h, lang, tz)
    if result.outcome == "transferred" and h:
        return handover_for_rep(h, h.requested_by, lang, tz)
    if result.outcome == "assigned":
        return assigned(result.detail, lang)
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, "usage.handover")
    if result.outcome == "not_found" and result.lookup:
        mentioned = text.first_mention(typed)
        return suggestions(result.lookup, text.split_fields(mentioned.rest if mentioned else typed)[0], lang,
                           "usage.handover")
    return refusal(result.refusal or "already_decided", lang, **result.detail)
