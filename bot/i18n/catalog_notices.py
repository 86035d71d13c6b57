"""Strings for scheduled notices: recycling, reminders, next contacts (zh, en)."""

from __future__ import annotations

NOTICES: dict[str, dict[str, str]] = {
    "notice.recycled": {
        "zh": "♻️ *{name}*（{sid}）已回收到公海：{clock}已于 {until} 到期（{tier} 级客户 {days} 天；最近有效跟进 {last}）。"
              "冷却期至 {cooldown_until}，之后可重新认领。",
        "en": "♻️ *{name}* ({sid}) went back to the pool: its {clock} ran out on {until} ({days:one=# day;other=# days} for tier {tier}; "
              "last qualifying follow-up {last}). You can claim it again from {cooldown_until}.",
    },
    "notice.reminder": {
        "zh": "⏰ *{name}*（{sid}）的保护期还剩 {days} 天：{clock}将于 {until} 到期（{rule_days} 天）。"
              "记录一次有效跟进或推进阶段，否则将回收到公海。",
        "en": "⏰ *{name}* ({sid}): {days:one=# day;other=# days} of protection left. Its {clock} ends on {until} ({rule_days:one=# day;other=# days}). "
              "Log a qualifying follow-up or move the stage, or it returns to the pool.",
    },
    "notice.first_followup": {
        "zh": "⏰ *{name}*（{sid}）需要首次跟进：请在 {until} 前记录（认领后 {rule_days} 天内），否则将回收到公海。",
        "en": "⏰ *{name}* ({sid}) needs its first follow-up by {until} (within {rule_days:one=# day;other=# days} of the claim), "
              "or it returns to the pool.",
    },
    "notice.next_contact": {
        "zh": "📅 今天约好联系 *{name}*（{sid}）。", "en": "📅 Today is the day you planned to contact *{name}* ({sid}).",
    },
    "notice.delivery_failed": {
        "zh": "⚠️ ClaimBot 无法发消息到 {channel}：Slack 回答 `{error}`（{kind}），不会再重试。请检查频道设置（例如把 ClaimBot 加进频道），"
              "然后运行 `claimbot outbox resend` 重发失败的通知。",
        "en": "⚠️ ClaimBot cannot post to {channel}: Slack answered `{error}` ({kind}); it will not retry. "
              "Please check the channel setting (for example, add ClaimBot to the channel), then run "
              "`claimbot outbox resend` to send again what failed.",
    },
    "post.cut_short": {
        "zh": "（此语言版本过长，已截断；完整内容见上方的第一种语言。）",
        "en": "(Cut short to fit one Slack message; the first language above has it all.)",
    },
}
