"""Strings for leads that arrive by themselves: the offer and its answers, the owner's enquiry, /lead,
`/claimbot why`, `/claimbot fairness` and `/claimbot sources` (zh, en)."""

from __future__ import annotations

LEADS: dict[str, dict[str, str]] = {
    "claim.offered": {
        "zh": "⛔ *{name}*（{sid}）是新线索，已推送给 {rep} 确认，{until} 前其他人不能认领。",
        "en": "⛔ *{name}* ({sid}) is a new lead offered to {rep} until {until}; nobody else can claim it until then.",
    },
    "lead.offer": {
        "zh": "📥 *新线索*（来自 {source}）：*{name}*（{sid}），等级 {tier}。\n{fields}\n"
              "规则「{rule}」（{strategy}）推送给你，第 {attempt}/{max_offers} 位。请在 *{until}* 前接受或放弃，"
              "超时将推送给下一位。",
        "en": "📥 *New lead* from {source}: *{name}* ({sid}), tier {tier}.\n{fields}\n"
              "Offered to you by rule “{rule}” ({strategy}), offer {attempt} of {max_offers}. Accept or pass by "
              "*{until}*; after that it goes to the next rep.",
    },
    "lead.field": {"zh": "{label}：{value}", "en": "{label}: {value}"},
    "lead.label.uscc": {"zh": "信用代码", "en": "USCC"},
    "lead.label.domain": {"zh": "网站", "en": "domain"},
    "lead.label.phone": {"zh": "电话", "en": "phone"},
    "lead.label.email": {"zh": "邮箱", "en": "email"},
    "lead.label.region": {"zh": "地区", "en": "region"},
    "lead.label.industry": {"zh": "行业", "en": "industry"},
    "lead.label.tier": {"zh": "等级", "en": "tier"},
    "lead.label.contact": {"zh": "联系人", "en": "contact"},
    "lead.label.note": {"zh": "留言", "en": "note"},
    "lead.label.name": {"zh": "名称", "en": "name"},
    "button.accept": {"zh": "接受", "en": "Accept"},
    "button.pass": {"zh": "放弃", "en": "Pass"},
    "lead.accepted": {
        "zh": "✅ 你已接受 *{name}*（{sid}），成为负责人，保护至 {until}。请尽快完成首次跟进。",
        "en": "✅ You accepted *{name}* ({sid}) and own it now, protected until {until}. Log the first follow-up soon.",
    },
    "lead.passed": {"zh": "你放弃了 *{name}*（{sid}），已推送给 {next}。", "en": "You passed on *{name}* ({sid}); it is offered to {next} now."},
    "lead.passed_pool": {
        "zh": "你放弃了 *{name}*（{sid}），它已留在公海，经理已收到通知。",
        "en": "You passed on *{name}* ({sid}); it waits in the pool and the managers have been told.",
    },
    "lead.expired": {
        "zh": "⌛ *{name}*（{sid}）的线索已超时，已推送给 {next}。",
        "en": "⌛ The lead *{name}* ({sid}) timed out and is offered to {next} now.",
    },
    "lead.expired_pool": {
        "zh": "⌛ *{name}*（{sid}）的线索已超时，已留在公海。", "en": "⌛ The lead *{name}* ({sid}) timed out and waits in the pool.",
    },
    "lead.withdrawn": {
        "zh": "*{name}*（{sid}）已由经理分配，这条线索的推送已撤回。",
        "en": "*{name}* ({sid}) was assigned by a manager; this offer is withdrawn.",
    },
    "lead.refused.not_yours": {"zh": "⛔ 这条线索不是推送给你的。", "en": "⛔ This lead was not offered to you."},
    "lead.refused.closed": {
        "zh": "这条线索已处理（{status}），没有改变。", "en": "This lead has been dealt with already ({status}); nothing changed.",
    },
    "lead.refused.at_cap": {
        "zh": "⛔ 你已达持有上限（{holding}/{cap}），不能接受。可以放弃，让下一位接手。",
        "en": "⛔ You are at your holding cap ({holding}/{cap}) and can't accept; pass it to let the next rep have it.",
    },
    "lead.refused.not_found": {"zh": "找不到这条线索。", "en": "This lead no longer exists."},
    "lead.status.accepted": {"zh": "已接受", "en": "accepted"},
    "lead.status.passed": {"zh": "已放弃", "en": "passed"},
    "lead.status.expired": {"zh": "已超时", "en": "timed out"},
    "lead.status.withdrawn": {"zh": "已撤回", "en": "withdrawn"},
    "lead.status.open": {"zh": "待处理", "en": "open"},
    "lead.enquiry": {
        "zh": "📨 你的客户 *{name}*（{sid}）有新的咨询，来自 {source}（{match}）：\n{fields}",
        "en": "📨 A new enquiry from {source} for your customer *{name}* ({sid}; {match}):\n{fields}",
    },
    "lead.match.exact": {"zh": "已有客户", "en": "an existing customer"},
    "lead.match.strong": {"zh": "名称相同（去掉地区）", "en": "the same name without the region"},
    "lead.match.fuzzy": {"zh": "名称相近", "en": "a similar name"},
    # /lead
    "usage.lead": {
        "zh": "用法：`/lead 公司名称 | 地区 | 行业 | 等级 | 来源`（仅经理；不带文字则打开表单）",
        "en": "Usage: `/lead company | region | industry | tier | source` (managers; no text opens a form)",
    },
    "lead.reply.offered": {
        "zh": "✅ 线索 *{name}*（{sid}）已按规则「{rule}」推送给 {rep}，{until} 前待其接受。",
        "en": "✅ Lead *{name}* ({sid}) offered to {rep} by rule “{rule}”, to accept by {until}.",
    },
    "lead.reply.existing": {
        "zh": "*{name}*（{sid}）已由 {rep} 负责，没有新建；已通知 {rep} 这条咨询。",
        "en": "*{name}* ({sid}) is already {rep}'s; nothing new was created and {rep} has been told of the enquiry.",
    },
    "lead.reply.pool": {
        "zh": "⚠️ 线索 *{name}*（{sid}）暂无人可推送，已留在公海，经理已收到通知。",
        "en": "⚠️ Nobody can be offered the lead *{name}* ({sid}) now; it waits in the pool and the managers have been told.",
    },
    "lead.reply.repeat": {"zh": "这条线索之前已录入，没有改变。", "en": "This lead was entered before; nothing changed."},
    "lead.error.missing": {"zh": "⛔ 缺少{field}。", "en": "⛔ The {field} is missing."},
    "lead.error.too_long": {"zh": "⛔ {field}太长。", "en": "⛔ The {field} is too long."},
    "lead.error.invalid": {"zh": "⛔ {field}无效：{value}", "en": "⛔ Invalid {field}: {value}"},
    "lead.error.not_text": {"zh": "⛔ {field}应为文字。", "en": "⛔ The {field} should be text."},
    "lead.error.source": {
        "zh": "⛔ 来源只能是小写字母、数字和下划线：{value}", "en": "⛔ A source is lower-case letters, digits and underscores: {value}",
    },
    "modal.lead_title": {"zh": "录入新线索", "en": "New lead"},
    "lead.form.source": {"zh": "来源", "en": "Source"},
    # /claimbot why
    "why.usage": {"zh": "用法：`/claimbot why 客户名称或编号`", "en": "Usage: `/claimbot why customer or short id`"},
    "why.header": {"zh": "*{name}*（{sid}）的分配记录：", "en": "How *{name}* ({sid}) was allocated:"},
    "why.empty": {"zh": "*{name}*（{sid}）没有分配记录（由销售认领或导入）。", "en": "*{name}* ({sid}) has no allocation record (claimed or imported)."},
    "alloc.outcome.offered": {"zh": "推送给 {rep}", "en": "offered to {rep}"},
    "alloc.outcome.passed": {"zh": "{rep} 放弃", "en": "{rep} passed"},
    "alloc.outcome.timed_out": {"zh": "{rep} 超时未答复", "en": "{rep} did not answer in time"},
    "alloc.outcome.accepted": {"zh": "{rep} 接受", "en": "{rep} accepted"},
    "alloc.reason.max_offers": {"zh": "推送 {count} 次无人接受", "en": "nobody accepted after {count:one=# offer;other=# offers}"},
    "alloc.reason.enquiry": {"zh": "新咨询转给负责人", "en": "a new enquiry, sent to the owner"},
    "alloc.reason.passed": {"zh": "转给下一位", "en": "on to the next rep"},
    "alloc.reason.timed_out": {"zh": "期限 {until}", "en": "due {until}"},
    "alloc.reason.accepted": {"zh": "推送后 {minutes} 分钟", "en": "{minutes} min after the offer"},
    "alloc.unassigned.max_offers": {
        "zh": "⚠️ 线索 *{name}*（{sid}）推送 {count} 位销售均未接受，已留在公海。",
        "en": "⚠️ The lead *{name}* ({sid}) was offered to {count:one=# rep;other=# reps} and nobody accepted; it waits in the pool.",
    },
    "why.lead": {"zh": "线索来自 {source}", "en": "lead from {source}"},
    # /claimbot fairness and the digest
    "fairness.usage": {"zh": "用法：`/claimbot fairness [week|month]`（仅经理）", "en": "Usage: `/claimbot fairness [week|month]` (managers)"},
    "fairness.offers": {
        "zh": "    推送 {offered} · 接受 {accepted} · 放弃 {passed} · 超时 {timed_out}",
        "en": "    offered {offered} · accepted {accepted} · passed {passed} · timed out {timed_out}",
    },
    "fairness.skip_reasons": {"zh": "    跳过原因：{list}", "en": "    skipped: {list}"},
    "fairness.skip.offered": {"zh": "已推送过 {n}", "en": "offered the lead before {n}"},
    "fairness.skip.ooo": {"zh": "休假 {n}", "en": "out of office {n}"},
    "fairness.skip.inactive": {"zh": "停用 {n}", "en": "inactive {n}"},
    "fairness.skip.at_cap": {"zh": "达上限 {n}", "en": "at cap {n}"},
    "fairness.skip.cooldown": {"zh": "冷却期 {n}", "en": "cooldown {n}"},
    "fairness.speed": {
        "zh": "线索 {leads} 条 · 到达→接受中位 {accept} 分钟 · 到达→首次有效跟进中位 {followup} 分钟",
        "en": "{leads:one=# lead;other=# leads} · speed to lead: median {accept} min to accept, {followup} min to the first qualifying follow-up",
    },
    # /claimbot sources
    "sources.usage": {"zh": "用法：`/claimbot sources [week|month]`（仅经理）", "en": "Usage: `/claimbot sources [week|month]` (managers)"},
    "sources.header": {"zh": "*线索来源*（{since} – {until}）", "en": "*Lead sources* ({since} – {until})"},
    "sources.line": {
        "zh": "• *{source}*：{leads} 条（新 {new} · 已有客户 {existing}）· 接受 {accepted} · 赢单 {won}（{amount}）· "
              "转化率 {conversion} · 接受中位 {speed} 分钟",
        "en": "• *{source}*: {leads:one=# lead;other=# leads} ({new} new · {existing} existing) · accepted {accepted} · won {won} ({amount}) · "
              "conversion {conversion} · median {speed} min to accept",
    },
    "sources.empty": {"zh": "这段时间没有线索进来。", "en": "No leads arrived in this period."},
}
