"""Strings for the leaderboard and the daily digest (PRODUCT 3.7), zh and en."""

from __future__ import annotations

DIGEST: dict[str, dict[str, str]] = {
    # --- /leaderboard and the daily leaderboard post
    "usage.leaderboard": {
        "zh": "用法：`/leaderboard [day|week|month]`（也可写 日、周、月），默认今天。",
        "en": "Usage: `/leaderboard [day|week|month]`, today by default.",
    },
    "board.title.day": {"zh": "🏆 今日排行榜 · {first}", "en": "🏆 Leaderboard · {first}"},
    "board.title.week": {"zh": "🏆 本周排行榜 · {first} 至 {last}", "en": "🏆 Leaderboard · week of {first} to {last}"},
    "board.title.month": {"zh": "🏆 本月排行榜 · {first} 至 {last}", "en": "🏆 Leaderboard · {first} to {last}"},
    "board.row": {
        "zh": "{rank}. {who} — *{score} 分* · 认领 {claims} · 有效跟进 {followups} · 推进 {advances} · 赢单 {wins}",
        "en": "{rank}. {who} — *{score:one=# pt;other=# pts}* · claims {claims} · follow-ups {followups} · advances {advances} "
              "· wins {wins}",
    },
    "board.amount": {"zh": "（金额 {amount}）", "en": " ({amount} won)"},
    "board.hidden": {"zh": " · 被回收 {recycled} · 撞单失利 {lost}", "en": " · recycled {recycled} · disputes lost {lost}"},
    "board.you": {"zh": "你的名次：", "en": "Your place:"},
    "board.empty": {"zh": "这段时间还没有人得分。", "en": "No scores in this period yet."},
    "board.more": {"zh": "…还有 {n} 人", "en": "…and {n} more"},
    "board.formula": {
        "zh": "计分：认领 ×{claims} · 有效跟进 ×{followups} · 推进阶段 ×{advances} · 赢单 ×{wins}{amount}。"
              "共同跟进的客户按分成比例计入赢单和金额。",
        "en": "Score: claims ×{claims} · qualifying follow-ups ×{followups} · stage advances ×{advances} "
              "· wins ×{wins}{amount}. A co-owned customer's win and amount count by each side's share.",
    },
    "board.amount_points": {"zh": " · 赢单金额每 {per} 计 1 分", "en": " · 1 point per {per} won"},
    "board.amount_shown": {"zh": "（金额只展示，不计分）", "en": " (amounts shown, not scored)"},
    "board.hidden_note.rep": {
        "zh": "“被回收”和“撞单失利”只有你本人和经理能看到。",
        "en": "Recycled-from-you and disputes lost are shown only to you and managers.",
    },
    "board.hidden_note.manager": {
        "zh": "经理视图：显示每个人的“被回收”和“撞单失利”。",
        "en": "Manager view: recycled-from-you and disputes lost are shown for everyone.",
    },
    # --- the daily digest
    "digest.title": {"zh": "📋 每日简报 · {day}", "en": "📋 Daily digest · {day}"},
    "digest.quiet": {
        "zh": "昨天（{yesterday}）没有新认领、回收或决定，也没有待处理的事项。",
        "en": "Nothing happened yesterday ({yesterday}): no new claims, returns or decisions, and nothing waits.",
    },
    "digest.calendar_uncovered": {
        "zh": "⚠️ {admins} 工作日日历缺少 {years} 年的放假安排（国务院通知）：这些年的截止日期暂按法定节假日加周一至周五估算，"
              "调休补班和拼假未计入。请在配置的 `[calendar] holidays` / `workdays` 中填入当年的安排，或升级 "
              "`holidays` / `chinesecalendar` 包；`claimbot doctor` 会显示检查结果。",
        "en": "⚠️ {admins} The working-day calendar has no holiday schedule (the State Council's notice) for {years}: "
              "deadlines in those years are estimated from the statutory holidays and Monday–Friday, without make-up "
              "workdays or bridge days. Enter the year's schedule in `[calendar] holidays` / `workdays` of the config, "
              "or upgrade the `holidays` / `chinesecalendar` packages; `claimbot doctor` shows the check.",
    },
    "digest.none": {"zh": "_无_", "en": "_none_"},
    "digest.more": {"zh": "…还有 {n} 项", "en": "…and {n} more"},
    "digest.by_rep": {"zh": "按人：{list}", "en": "By rep: {list}"},
    "digest.new_claims": {"zh": "*🆕 昨日新认领（{n}）*", "en": "*🆕 New claims yesterday ({n})*"},
    "digest.claim": {"zh": "• {customer} — {who}", "en": "• {customer} — {who}"},
    "digest.assign": {"zh": "• {customer} — {who}（{by} 分配）", "en": "• {customer} — {who} (assigned by {by})"},
    "digest.returned": {"zh": "*♻️ 昨日回到公海（{n}）*", "en": "*♻️ Back to the pool yesterday ({n})*"},
    "digest.release": {"zh": "• {customer} — {who} 放回，原因：{reason}",
                       "en": "• {customer} — released by {who}: {reason}"},
    "digest.recycle": {"zh": "• {customer} — {who} 的{clock}已于 {until} 到期，系统回收",
                       "en": "• {customer} — recycled from {who}: the {clock} ran out on {until}"},
    "digest.lost": {"zh": "• {customer} — {who} 标记为丢单", "en": "• {customer} — marked lost by {who}"},
    "digest.upcoming": {
        "zh": "*⏳ 未来 7 天将回收（{n}，保护期截至 {until} 前）*",
        "en": "*⏳ Recycling in the next 7 days ({n}, protection ending by {until})*",
    },
    "digest.upcoming_item": {"zh": "• {customer} — {who}，{clock}截至 {until}",
                             "en": "• {customer} — {who}, {clock} ends {until}"},
    "digest.disputes": {"zh": "*⚖️ 待裁决的撞单与申诉（{n}）*", "en": "*⚖️ Open disputes and appeals ({n})*"},
    "digest.dispute": {
        "zh": "• {kind} #{id} {customer} — {claimant} 对 {owner}，截止 {deadline}（逾期由归属人保留）",
        "en": "• {kind} #{id} {customer} — {claimant} vs {owner}, decide by {deadline} (after that the owner keeps it)",
    },
    "digest.approvals": {"zh": "*📝 待经理审批的转交（{n}）*", "en": "*📝 Handovers waiting for a manager ({n})*"},
    "digest.approval": {"zh": "• 转交 #{id} {customer} — {from_rep} → {to_rep}，{since} 起等待",
                        "en": "• Handover #{id} {customer} — {from_rep} → {to_rep}, waiting since {since}"},
    "digest.decisions": {"zh": "*✅ 昨日的决定（{n}）*", "en": "*✅ Decisions made yesterday ({n})*"},
    "digest.kind.dispute": {"zh": "撞单", "en": "Dispute"},
    "digest.kind.appeal": {"zh": "申诉", "en": "Appeal"},
    "digest.decision.keep": {"zh": "• {kind} #{id} {customer}：{by} 裁定 {owner} 保留",
                             "en": "• {kind} #{id} {customer}: {by} decided {owner} keeps it"},
    "digest.decision.transfer": {"zh": "• {kind} #{id} {customer}：{by} 裁定转给 {claimant}",
                                 "en": "• {kind} #{id} {customer}: {by} transferred it to {claimant}"},
    "digest.decision.coown": {
        "zh": "• {kind} #{id} {customer}：{by} 裁定 {owner} 与 {claimant} 共同跟进，{claimant} 分成 {share}%",
        "en": "• {kind} #{id} {customer}: {by} made {owner} and {claimant} co-owners, {claimant} with {share}% of the credit",
    },
    "digest.decision.expired": {"zh": "• {kind} #{id} {customer}：无人按时裁决，{owner} 保留",
                                "en": "• {kind} #{id} {customer}: no decision in time, {owner} keeps it"},
    "digest.decision.approved": {"zh": "• 转交 #{id} {customer}：{by} 批准 {owner} → {claimant}",
                                 "en": "• Handover #{id} {customer}: {by} approved {owner} → {claimant}"},
    "digest.decision.rejected": {"zh": "• 转交 #{id} {customer}：{by} 驳回 {owner} → {claimant}",
                                 "en": "• Handover #{id} {customer}: {by} rejected {owner} → {claimant}"},
    "digest.decision.manager": {"zh": "• 转交 #{id} {customer}：经理 {by} 直接转给 {claimant}",
                                "en": "• Handover #{id} {customer}: manager {by} handed it to {claimant}"},
    "digest.decision.declined": {"zh": "• 转交 #{id} {customer}：{claimant} 拒绝接收，退回 {owner}",
                                 "en": "• Handover #{id} {customer}: {claimant} declined, back to {owner}"},
}
