"""Strings for customer complaints (客户投诉, PRODUCT 3.8), zh and en."""

from __future__ import annotations

COMPLAINTS: dict[str, dict[str, str]] = {
    "usage.complaint": {
        "zh": "用法：`/complaint 客户名称 | 投诉内容`，也可以用客户编号，如 `/complaint C-1042 | 客户说发票开错了`。"
              "负责人和经理会收到通知，{days} 天内需要处理。",
        "en": "Usage: `/complaint customer | what they complained about`; a short id works too: "
              "`/complaint C-1042 | the invoice was wrong`. The owner and the managers are told; it is due in {days:one=# day;other=# days}.",
    },
    "complaint.needs_text": {
        "zh": "请写下客户投诉的内容（在客户名称后加 `|`）。",
        "en": "Please say what the customer complained about (after the name and a `|`).",
    },
    "complaint.needs_resolution": {"zh": "请写下是如何解决的。", "en": "Please say how it was resolved."},
    "complaint.logged": {
        "zh": "📝 已记录投诉 #{id}：*{name}*（{sid}），需在 *{due}* 前处理。",
        "en": "📝 Complaint #{id} logged against *{name}* ({sid}); due by *{due}*.",
    },
    "complaint.logged_told": {
        "zh": "已通知负责人 {owner} 和经理。", "en": "The owner, {owner}, and the managers have been told.",
    },
    "complaint.logged_no_owner": {
        "zh": "该客户在公海，没有负责人；已通知经理。", "en": "It has no owner (it is in the pool); the managers have been told.",
    },
    "complaint.header": {
        "zh": "📣 *客户投诉 #{id}*：*{name}*（{sid}），由 {raiser} 记录",
        "en": "📣 *Complaint #{id}* about *{name}* ({sid}), logged by {raiser}",
    },
    "complaint.header_owner": {
        "zh": "📣 你的客户 *{name}*（{sid}）收到一条投诉（#{id}），由 {raiser} 记录",
        "en": "📣 A complaint (#{id}) about your customer *{name}* ({sid}), logged by {raiser}",
    },
    "complaint.text": {"zh": "投诉内容：{text}", "en": "What they said: {text}"},
    "complaint.meta": {
        "zh": "负责人：{owner} · 记录于 {at} · 需在 {due} 前处理",
        "en": "Owner: {owner} · logged {at} · due by {due}",
    },
    "complaint.resolve_hint": {
        "zh": "负责人或经理处理完后，点 *已解决* 并写下解决办法。",
        "en": "Once it is sorted out, the owner or a manager presses *Resolve* and says how.",
    },
    "complaint.resolved": {
        "zh": "✅ 已由 {by} 于 {at} 解决：{resolution}",
        "en": "✅ Resolved by {by} on {at}: {resolution}",
    },
    "complaint.resolved_notice": {
        "zh": "✅ 关于 *{name}*（{sid}）的投诉 #{id} 已由 {by} 解决：{resolution}",
        "en": "✅ Complaint #{id} about *{name}* ({sid}) was resolved by {by}: {resolution}",
    },
    "complaint.resolved_by_you": {
        "zh": "✅ 投诉 #{id}（*{name}*，{sid}）已标记为已解决。", "en": "✅ Complaint #{id} (*{name}*, {sid}) is resolved.",
    },
    "complaint.refusal.not_allowed": {
        "zh": "⛔ 只有记录投诉时的负责人（{owner}）或经理可以处理投诉 #{id}。没有任何改变。",
        "en": "⛔ Only the owner when it was logged ({owner}) or a manager can resolve complaint #{id}. Nothing changed.",
    },
    "complaint.refusal.already_resolved": {
        "zh": "投诉 #{id} 已经由 {by} 解决过了，什么都没有改变。",
        "en": "Complaint #{id} was already resolved by {by}; nothing changed.",
    },
    "complaint.form.not_allowed": {
        "zh": "只有记录投诉时的负责人或经理可以处理这条投诉。", "en": "Only the owner when it was logged or a manager can resolve it.",
    },
    "complaint.form.already_resolved": {
        "zh": "这条投诉刚刚已被处理，什么都没有改变。", "en": "Someone resolved it a moment ago; nothing changed.",
    },
    "complaint.gone": {"zh": "找不到这条投诉，什么都没有改变。", "en": "That complaint no longer exists; nothing changed."},
    "button.complaint_resolve": {"zh": "已解决", "en": "Resolve"},
    "modal.complaint_title": {"zh": "客户投诉", "en": "Customer complaint"},
    "modal.complaint_text": {"zh": "客户投诉了什么？", "en": "What did the customer complain about?"},
    "modal.complaint_hint": {
        "zh": "负责人和经理会收到通知，需在 {days} 天内处理。", "en": "The owner and the managers are told; it is due in {days:one=# day;other=# days}.",
    },
    "modal.resolution_title": {"zh": "解决投诉", "en": "Resolve complaint"},
    "modal.resolution_text": {"zh": "是如何解决的？", "en": "How was it resolved?"},
    "digest.complaints": {
        "zh": "*📣 未解决的客户投诉（{n}，其中逾期 {overdue}）*",
        "en": "*📣 Open customer complaints ({n}, {overdue} overdue)*",
    },
    "digest.complaint": {
        "zh": "• #{id} {customer} — 负责人 {owner}，{due} 前处理",
        "en": "• #{id} {customer} — owner {owner}, due by {due}",
    },
    "digest.complaint_overdue": {
        "zh": "• #{id} {customer} — 负责人 {owner}，{due} 到期，*已逾期 {days} 天*",
        "en": "• #{id} {customer} — owner {owner}, was due {due}, *{days} day(s) overdue*",
    },
}
