"""Strings for the customer card and its forms (zh, en)."""

from __future__ import annotations

CARD: dict[str, dict[str, str]] = {
    "card.activity": {
        "zh": "跟进 {followups} 次（近 7 天 {week} 次，近 30 天 {month} 次）· 最近活动 {last_activity}",
        "en": "{followups:one=# follow-up;other=# follow-ups} ({week} in the last 7 days, {month} in the last 30) · last activity {last_activity}",
    },
    "card.next_contact": {"zh": "📅 下次联系：{day}", "en": "📅 Next contact: {day}"},
    "card.complaints": {"zh": "⚠️ 未结投诉 {count} 件", "en": "⚠️ Open complaints: {count}"},
    "card.co_owner": {"zh": "共同负责：{co_owner}", "en": "Co-owner: {co_owner}"},
    "card.stale": {
        "zh": "这张卡片已经过期，*{name}* 的情况有了变化。下面是最新的卡片。",
        "en": "That card was out of date: *{name}* has changed. Here it is as it is now.",
    },
    "card.gone": {"zh": "找不到这个客户了。", "en": "That customer no longer exists."},
    # --- buttons
    "button.card_followup": {"zh": "记录跟进", "en": "Log follow-up"},
    "button.card_stage": {"zh": "推进阶段", "en": "Change stage"},
    "button.card_release": {"zh": "放回公海", "en": "Release"},
    "button.card_handover": {"zh": "转交", "en": "Hand over"},
    "button.card_assign": {"zh": "分配", "en": "Assign"},
    "button.card_complaint": {"zh": "客户投诉", "en": "Complaint"},
    # --- forms (titles: at most 24 characters)
    "card.title.followup": {"zh": "记录跟进", "en": "Log a follow-up"},
    "card.title.stage": {"zh": "推进阶段", "en": "Change the stage"},
    "card.title.release": {"zh": "放回公海", "en": "Release to the pool"},
    "card.title.handover": {"zh": "转交客户", "en": "Hand over"},
    "card.title.assign": {"zh": "分配客户", "en": "Assign"},
    "card.title.dispute": {"zh": "撞单申诉", "en": "Dispute"},
    "card.field.kind": {"zh": "跟进方式", "en": "Kind"},
    "card.field.note": {"zh": "跟进内容", "en": "Note"},
    "card.hint.note": {
        "zh": "至少 {min_chars} 个字才计入跟进时钟（每个客户每天计一次）。",
        "en": "At least {min_chars:one=# character;other=# characters} to count for the follow-up clock (once a day per customer).",
    },
    "card.field.next_contact": {"zh": "下次联系日期", "en": "Next contact date"},
    "card.hint.next_contact": {
        "zh": "当天早上会提醒你联系客户。", "en": "You get a reminder that morning.",
    },
    "card.field.stage": {"zh": "阶段", "en": "Stage"},
    "card.field.amount": {"zh": "成交金额", "en": "Amount"},
    "card.hint.amount": {
        "zh": "赢单必填，例如 120000、12万、120k。", "en": "Required for won: for example 120000, 12万 or 120k.",
    },
    "card.field.to": {"zh": "转交给", "en": "Hand over to"},
    "card.field.assign_to": {"zh": "分配给", "en": "Assign to"},
    "card.field.release_reason": {"zh": "放回公海的原因", "en": "Why release it?"},
    # --- form errors
    "card.amount_needed": {
        "zh": "赢单需要填写有效金额，例如 120000 或 12万。",
        "en": "Won takes a valid amount, for example 120000 or 120k.",
    },
    "card.pick_rep": {"zh": "请选择一位同事。", "en": "Please pick a rep."},
    "followup.next_contact_past": {
        "zh": "下次联系日期不能早于今天（{today}）。",
        "en": "The next contact date can't be before today ({today}).",
    },
    "followup.bad_kind": {"zh": "“{value}” 不是有效的跟进方式。", "en": "“{value}” is not a follow-up kind."},
}
