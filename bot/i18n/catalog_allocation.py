"""Strings for fair allocation, out-of-office and the fairness numbers (zh, en)."""

from __future__ import annotations

ALLOCATION: dict[str, dict[str, str]] = {
    "alloc.usage": {
        "zh": "用法：`/assign 客户名称 @同事` 或 `/assign 客户名称 auto`（按分配规则，仅经理）",
        "en": "Usage: `/assign customer @rep` or `/assign customer auto` (by the allocation rules; managers)",
    },
    "alloc.assigned.rule": {
        "zh": "✅ *{name}*（{sid}）已自动分配给 {rep}：规则「{rule}」，{strategy}，第 {cycle} 轮。",
        "en": "✅ *{name}* ({sid}) auto-assigned to {rep}: rule “{rule}”, {strategy}, cycle {cycle}.",
    },
    "alloc.assigned.existing_owner": {
        "zh": "✅ *{name}*（{sid}）分配给 {rep}：同一公司的 *{other}*（{other_sid}）由其负责（{why}）。",
        "en": "✅ *{name}* ({sid}) assigned to {rep}, who owns the same company *{other}* ({other_sid}; {why}).",
    },
    "alloc.existing.owned": {
        "zh": "*{name}*（{sid}）已由 {rep} 负责，没有改变。", "en": "*{name}* ({sid}) is already owned by {rep}; nothing changed.",
    },
    "alloc.unassigned.no_rule": {
        "zh": "⚠️ *{name}*（{sid}）没有匹配的分配规则（地区 {region} · 行业 {industry} · 等级 {tier}），留在公海。",
        "en": "⚠️ No allocation rule matches *{name}* ({sid}) (region {region} · industry {industry} · tier {tier}); "
              "it stays in the pool.",
    },
    "alloc.unassigned.nobody_eligible": {
        "zh": "⚠️ 规则「{rule}」中没有可分配的销售，*{name}*（{sid}）留在公海。",
        "en": "⚠️ Nobody in rule “{rule}” can take *{name}* ({sid}) now; it stays in the pool.",
    },
    "alloc.unassigned.owner_unavailable": {
        "zh": "⚠️ *{name}*（{sid}）与 {owner} 负责的 *{other}*（{other_sid}）是同一公司（{why}），但 {owner} 暂时不能接手，"
              "为免撞单没有分给别人，留在公海。",
        "en": "⚠️ *{name}* ({sid}) is the same company as {owner}'s *{other}* ({other_sid}; {why}), but {owner} can't "
              "take it now; to avoid a collision nobody else got it, and it stays in the pool.",
    },
    "alloc.managers_told": {"zh": "已通知经理。", "en": "The managers have been told."},
    "alloc.skipped": {"zh": "跳过：{list}", "en": "Skipped: {list}"},
    "alloc.skip.ooo": {"zh": "{rep} 休假至 {until}", "en": "{rep} out of office until {until}"},
    "alloc.skip.offered": {"zh": "{rep} 已推送过这条线索", "en": "{rep} was offered this lead already"},
    "alloc.skip.inactive": {"zh": "{rep} 已停用", "en": "{rep} inactive"},
    "alloc.skip.at_cap": {"zh": "{rep} 已达持有上限（{holding}/{cap}）", "en": "{rep} at the holding cap ({holding}/{cap})"},
    "alloc.skip.cooldown": {"zh": "{rep} 放弃过该客户，冷却至 {until} 前", "en": "{rep} gave it up, cooling down until {until}"},
    "alloc.tie": {"zh": "{reps} 并列，随机选中", "en": "tie between {reps}, broken at random"},
    "alloc.strategy.round_robin": {"zh": "轮流分配", "en": "round robin"},
    "alloc.strategy.least_loaded": {"zh": "持有最少者优先", "en": "least loaded"},
    "alloc.strategy.weighted": {"zh": "按权重轮流", "en": "weighted"},
    "alloc.strategy.existing_owner": {"zh": "同一公司归原负责人", "en": "existing owner first"},
    "alloc.why.self": {"zh": "同一客户", "en": "the same customer"},
    "alloc.why.uscc": {"zh": "统一社会信用代码相同", "en": "same USCC"},
    "alloc.why.domain": {"zh": "公司域名相同", "en": "same company domain"},
    "alloc.why.phone": {"zh": "电话相同", "en": "same phone"},
    "alloc.why.core": {"zh": "去掉地区后名称相同", "en": "same name without the region"},
    "alloc.for_rep": {
        "zh": "📥 新客户分配给你：*{name}*（{sid}），{how}。保护至 {until}。",
        "en": "📥 A new customer for you: *{name}* ({sid}), {how}. Protected until {until}.",
    },
    "alloc.how.rule": {"zh": "规则「{rule}」（{strategy}）", "en": "rule “{rule}” ({strategy})"},
    "alloc.how.existing_owner": {"zh": "你负责同一公司的 {other_sid}", "en": "you own the same company ({other_sid})"},
    "alloc.notice.unassigned": {
        "zh": "⚠️ *待分配*：{text}\n请用 `/assign {sid} @同事` 指定负责人。",
        "en": "⚠️ *Waiting for a rep*: {text}\nAssign it with `/assign {sid} @rep`.",
    },
    "alloc.explain": {
        "zh": "{at} {outcome}：{how}", "en": "{at} {outcome}: {how}",
    },
    "alloc.outcome.assigned": {"zh": "分配给 {rep}", "en": "to {rep}"},
    "alloc.outcome.existing_owner": {"zh": "已由 {rep} 负责", "en": "already {rep}'s"},
    "alloc.outcome.unassigned": {"zh": "留在公海", "en": "left in the pool"},
    "alloc.reason.no_rule": {"zh": "没有匹配的规则", "en": "no rule matches"},
    "alloc.reason.nobody_eligible": {"zh": "规则「{rule}」无人可分配", "en": "nobody eligible in rule “{rule}”"},
    "alloc.reason.owner_unavailable": {"zh": "同一公司的负责人暂时不能接手", "en": "the same company's owner can't take it now"},
    "alloc.reason.owned": {"zh": "已有负责人", "en": "already owned"},
    "ooo.set": {
        "zh": "✅ 已设为休假至 {until}（含当天），期间不会给你自动分配新客户，{back} 起恢复。用 `/claimbot ooo off` 提前结束。",
        "en": "✅ Out of office until {until} (inclusive): no new leads are allocated to you; back on {back}. "
              "End it early with `/claimbot ooo off`.",
    },
    "ooo.cleared": {"zh": "✅ 休假已结束，自动分配已恢复。", "en": "✅ Welcome back: new leads can be allocated to you again."},
    "ooo.past": {
        "zh": "⛔ {until} 已经过去，请写今天或以后的日期。没有改变。", "en": "⛔ {until} has passed; give today or a later day. Nothing changed.",
    },
    "ooo.too_far": {"zh": "⛔ 休假最多设置 {limit} 天。没有改变。", "en": "⛔ Out of office can be at most {limit:one=# day;other=# days} ahead. Nothing changed."},
    "ooo.usage": {
        "zh": "用法：`/claimbot ooo until YYYY-MM-DD`（休假至该日，含当天）· `/claimbot ooo off`（结束休假）",
        "en": "Usage: `/claimbot ooo until YYYY-MM-DD` (out through that day) · `/claimbot ooo off` (back now)",
    },
    "fairness.header": {"zh": "*分配公平性*（{since} – {until}）", "en": "*Fair allocation* ({since} – {until})"},
    "fairness.rule": {
        "zh": "• 「{rule}」{strategy}：{total} 个 · 差距 {spread} · 基尼系数 {gini} · {cycles} 轮，单轮最大差距 {cycle_spread}",
        "en": "• “{rule}” {strategy}: {total:one=# lead;other=# leads} · spread {spread} · Gini {gini} · {cycles:one=# cycle;other=# cycles}, "
              "largest spread within a cycle {cycle_spread}",
    },
    "fairness.count_skipped": {
        "zh": "{rep} {count}（{skipped} 次轮到时不可分配）", "en": "{rep} {count} ({skipped:one=# turn;other=# turns} skipped)",
    },
    "fairness.unassigned_in_rule": {"zh": "（{count} 个无人可分配）", "en": " ({count} with nobody eligible)"},
    "fairness.extra": {
        "zh": "同一公司归原负责人 {existing} 个 · 留在公海 {unassigned} 个",
        "en": "{existing} routed to the same company's owner · {unassigned} left in the pool",
    },
    "fairness.empty": {"zh": "这段时间没有自动分配。", "en": "No automatic allocation in this period."},
    "rule.auto_allocation": {"zh": "自动分配", "en": "automatic allocation"},
}
