"""Strings for the App Home tab (PRODUCT 3.7), zh and en."""

from __future__ import annotations

HOME: dict[str, dict[str, str]] = {
    "home.title": {"zh": "🏠 ClaimBot · 我的工作台", "en": "🏠 ClaimBot · My desk"},
    "home.as_of": {"zh": "{who} · {role} · 更新于 {at}", "en": "{who} · {role} · updated {at}"},
    "home.role.rep": {"zh": "销售", "en": "rep"},
    "home.role.manager": {"zh": "销售经理", "en": "manager"},
    "home.role.admin": {"zh": "管理员", "en": "admin"},
    # --- today
    "home.today.header": {"zh": "*📌 今天要做的事*", "en": "*📌 To do today*"},
    "home.today.empty": {"zh": "今天没有到期的事项。", "en": "Nothing is due today."},
    "home.today.first_followup": {
        "zh": "• *{name}* `{sid}`：首次跟进今天（{day}）到期，今天记录一次跟进",
        "en": "• *{name}* `{sid}`: the first follow-up is due today ({day}); log one today",
    },
    "home.today.first_followup_overdue": {
        "zh": "• *{name}* `{sid}`：首次跟进已于 {day} 到期，今晚会被回收，今天记录跟进",
        "en": "• *{name}* `{sid}`: the first follow-up was due {day}; it is recycled tonight unless you log one",
    },
    "home.today.next_contact": {
        "zh": "• *{name}* `{sid}`：约定今天（{day}）再联系",
        "en": "• *{name}* `{sid}`: you planned to contact them today ({day})",
    },
    "home.today.next_contact_overdue": {
        "zh": "• *{name}* `{sid}`：约定 {day} 再联系，已过期",
        "en": "• *{name}* `{sid}`: you planned to contact them on {day} (overdue)",
    },
    "home.today.ending": {
        "zh": "• *{name}* `{sid}`：保护期到 {day}（{clock}），还剩 {days} 天",
        "en": "• *{name}* `{sid}`: protected until {day} ({clock}), {days:one=# day;other=# days} left",
    },
    "home.today.ending_now": {
        "zh": "• *{name}* `{sid}`：保护期今天（{day}）最后一天（{clock}），明天回收",
        "en": "• *{name}* `{sid}`: today ({day}) is the last protected day ({clock}); recycled tomorrow",
    },
    "home.today.ending_past": {
        "zh": "• *{name}* `{sid}`：保护期已于 {day} 结束（{clock}），今晚回收",
        "en": "• *{name}* `{sid}`: protection ended {day} ({clock}); recycled tonight",
    },
    "home.today.complaint": {
        "zh": "• *{name}* `{sid}`：客户投诉待处理，{day} 前解决",
        "en": "• *{name}* `{sid}`: an open complaint, to resolve by {day}",
    },
    "home.today.complaint_overdue": {
        "zh": "• *{name}* `{sid}`：客户投诉已逾期（应于 {day} 前解决）",
        "en": "• *{name}* `{sid}`: a complaint is overdue (due {day})",
    },
    "home.more": {"zh": "…还有 {n} 项", "en": "…and {n} more"},
    # --- numbers
    "home.score.header": {"zh": "*📊 我的本周成绩* · {first} 至 {last}", "en": "*📊 My week* · {first} to {last}"},
    "home.team.header": {"zh": "*👥 团队本周* · {first} 至 {last}", "en": "*👥 The team this week* · {first} to {last}"},
    "home.score.line": {
        "zh": "*{score} 分* · 认领 {claims} · 有效跟进 {followups} · 推进 {advances} · 赢单 {wins}（金额 {amount}）",
        "en": "*{score:one=# pt;other=# pts}* · claims {claims} · follow-ups {followups} · advances {advances} · wins {wins} "
              "({amount} won)",
    },
    "home.score.rank": {"zh": "本周排名第 {rank}（共 {ranked} 人得分）", "en": "Place {rank} of {ranked} this week"},
    "home.score.unranked": {"zh": "本周还没有得分", "en": "No score yet this week"},
    "home.score.private": {
        "zh": "被回收 {recycled} · 撞单失利 {lost} · 持有 {holding}/{cap} · 未结投诉 {open}（逾期 {overdue}）",
        "en": "recycled {recycled} · disputes lost {lost} · holding {holding}/{cap} · open complaints {open} "
              "({overdue} overdue)",
    },
    "home.team.line": {
        "zh": "认领 {claims} · 有效跟进 {followups} · 推进 {advances} · 赢单 {wins}（金额 {amount}）"
              " · 被回收 {recycled} · 撞单失利 {lost}",
        "en": "claims {claims} · follow-ups {followups} · advances {advances} · wins {wins} ({amount} won)"
              " · recycled {recycled} · disputes lost {lost}",
    },
    "home.team.state": {
        "zh": "在保客户 {holding} · 得分的人 {ranked} · 未结投诉 {open}（逾期 {overdue}）",
        "en": "customers held {holding} · reps scoring {ranked} · open complaints {open} ({overdue} overdue)",
    },
    # --- waiting for a decision (managers)
    "home.delivery.header": {"zh": "*⚠️ 发送失败*（Slack 拒收，不再重试）", "en": "*⚠️ Delivery problems* (refused by Slack, not retried)"},
    "home.delivery.line": {
        "zh": "• {channel}：`{error}` · {n} 条，最近 {at}",
        "en": "• {channel}: `{error}` · {n} notice(s), latest {at}",
    },
    "home.delivery.hint": {
        "zh": "管理员已收到私信。把 ClaimBot 加进频道或修改频道设置后，新的通知会照常发送；"
              "`claimbot outbox resend` 会重发失败的通知。",
        "en": "Admins were told by DM. Once ClaimBot is in the channel (or the setting is fixed), new notices go out "
              "as usual, and `claimbot outbox resend` sends again what failed.",
    },
    "home.pending.header": {"zh": "*⚖️ 等待决定*（{n}）", "en": "*⚖️ Waiting for a decision* ({n})"},
    "home.pending.empty": {"zh": "没有等待决定的撞单或转交。", "en": "No collisions or handovers are waiting."},
    "home.pending.dispute": {
        "zh": "• 撞单 #{id} *{name}* `{sid}`：{requester} 对 {other}，*{deadline}* 前决定，否则归原负责人",
        "en": "• Collision #{id} *{name}* `{sid}`: {requester} vs {other}; decide by *{deadline}* or the owner keeps it",
    },
    "home.pending.appeal": {
        "zh": "• 申诉 #{id} *{name}* `{sid}`：{requester} 对 {other}，*{deadline}* 前决定，否则维持原决定",
        "en": "• Appeal #{id} *{name}* `{sid}`: {requester} vs {other}; decide by *{deadline}* or the decision stands",
    },
    "home.pending.handover": {
        "zh": "• 转交 #{id} *{name}* `{sid}`：{requester} → {other}，{since} 提出，等待批准（无截止时间）",
        "en": "• Handover #{id} *{name}* `{sid}`: {requester} → {other}, asked {since}; waits for approval "
              "(no deadline)",
    },
    "home.pending.excluded": {"zh": "（原案由你裁决，需另一位经理决定）", "en": " (you decided the dispute: another manager decides)"},
    "home.pending.where": {
        "zh": "在审批消息里点按钮决定。",
        "en": "Decide with the buttons on the approval message.",
    },
    # --- customers
    "home.customers.header": {
        "zh": "*🗂 我的客户*（{total}）· 截止日期最近的在前 · 第 {page}/{pages} 页",
        "en": "*🗂 My customers* ({total}) · nearest deadline first · page {page} of {pages}",
    },
    "home.customers.empty": {
        "zh": "你还没有客户。用 `/claim 客户名` 认领，或 `/pool` 看看公海。",
        "en": "You have no customers yet. Claim one with `/claim name`, or browse `/pool`.",
    },
    "home.customer.row": {
        "zh": "*{name}* `{sid}` · {stage} · {tier} 级\n保护到 *{until}* · {clock} · 还剩 {days} 天",
        "en": "*{name}* `{sid}` · {stage} · tier {tier}\nprotected until *{until}* · {clock} · {days:one=# day;other=# days} left",
    },
    "home.customer.row_past": {
        "zh": "*{name}* `{sid}` · {stage} · {tier} 级\n保护期已于 *{until}* 结束 · {clock} · 今晚回收",
        "en": "*{name}* `{sid}` · {stage} · tier {tier}\nprotection ended *{until}* · {clock} · recycled tonight",
    },
    "home.customer.row_won": {
        "zh": "*{name}* `{sid}` · 赢单 · {tier} 级\n不回收",
        "en": "*{name}* `{sid}` · won · tier {tier}\nnever recycled",
    },
    "home.button.followup": {"zh": "记录跟进", "en": "Log follow-up"},
    "home.button.open": {"zh": "打开卡片", "en": "Open card"},
    "home.button.previous": {"zh": "‹ 上一页", "en": "‹ Previous"},
    "home.button.next": {"zh": "下一页 ›", "en": "Next ›"},
    # --- the card modal
    "home.card.title": {"zh": "客户卡片", "en": "Customer card"},
    "home.card.close": {"zh": "关闭", "en": "Close"},
    "home.to_review": {
        "zh": "🔍 *{n} 个疑似重复客户待核对*：`/claimbot review` 查看相似客户和原因，并标记“不是同一家”。",
        "en": "🔍 *{n} probable duplicates to review*: `/claimbot review` shows the similar customers and why, with *Not the same*.",
    },
}
