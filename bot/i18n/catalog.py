"""Every string ClaimBot shows, in zh and en. Keys are stable; placeholders use str.format names."""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    # --- usage and help
    "usage.claim": {
        "zh": "用法：`/claim 客户名称`（不带文字则打开认领表单）。也可以用客户编号，如 `/claim C-1042`。",
        "en": "Usage: `/claim customer name` (no text opens the claim form). A short id works too: `/claim C-1042`.",
    },
    "usage.customer": {
        "zh": "用法：`/customer 客户名称或编号`",
        "en": "Usage: `/customer customer name or short id`",
    },
    "usage.followup": {
        "zh": "用法：`/followup 客户名称 | 类型: 跟进内容`，类型可选 call、visit、meeting、email、wechat、other"
              "（或 电话、拜访、会议、邮件、微信、其他）。内容至少 {min_chars} 个字才计入跟进时钟。",
        "en": "Usage: `/followup customer | kind: note`, kind one of call, visit, meeting, email, wechat, other. "
              "A note needs at least {min_chars:one=# character;other=# characters} to count toward the follow-up clock.",
    },
    "usage.stage": {
        "zh": "用法：`/stage 客户名称 | 阶段 [金额]`，阶段：lead 线索、contacted 已联系、qualified 已确认需求、"
              "proposal 方案报价、won 赢单（需金额）、lost 丢单。",
        "en": "Usage: `/stage customer | stage [amount]`, stage one of lead, contacted, qualified, proposal, "
              "won (takes an amount), lost.",
    },
    "usage.release": {
        "zh": "用法：`/release 客户名称 | 原因`",
        "en": "Usage: `/release customer | reason`",
    },
    "help": {
        "zh": "*ClaimBot 使用说明*\n"
              "• `/claim 客户名称` 认领客户；不带文字打开表单（可填统一社会信用代码、网址、电话、地区、行业、级别）\n"
              "• `/customer 客户名称` 查看归属、保护期和归属变更记录（仅你可见）\n"
              "• `/mine` 我的客户，按最近的截止日期排序\n"
              "• `/followup 客户名称 | 类型: 内容` 记录跟进，延长跟进时钟\n"
              "• `/stage 客户名称 | 阶段 [金额]` 推进阶段\n"
              "• `/release 客户名称 | 原因` 放回公海\n"
              "• `/complaint 客户名称 | 投诉内容` 记录客户投诉：通知负责人和经理，限期处理\n"
              "• `/dispute 客户名称 | 理由` 撞单申诉，由经理裁决；`/handover 客户名称 @同事 | 原因` 转交（需经理批准）\n"
              "• `/pool [筛选]` 浏览公海并认领；`/leaderboard [day|week|month]` 排行榜；`/claimbot scorecard [week|month]` 我的成绩卡；`/claimbot ooo until 日期` 休假\n"
              "• 经理：`/assign 客户名称 @同事|auto` 分配；`/claimbot offboard @同事 [@接手人]` 离岗交接；`/claimbot settings` 调整上限、保护期和提醒天数；`/lead 公司 | 地区 | 行业 | 等级 | 来源` 录入线索；`/claimbot fairness`、`/claimbot sources` 分配公平性与线索来源\n"
              "规则：新认领须在 {first_followup_days} 天内首次跟进；无有效跟进超过 A {fA} / B {fB} / C {fC} 天、"
              "或阶段无推进超过 A {pA} / B {pB} / C {pC} 天即回收；保护期最长 {max_days} 天。"
              "持有上限 {holding_cap} 个，每日认领上限 {daily_cap} 个，放弃后 {cooldown} 天内不能重新认领。",
        "en": "*ClaimBot help*\n"
              "• `/claim customer` claim a customer; no text opens a form (USCC, website, phone, region, industry, tier)\n"
              "• `/customer name` who owns it, until when, ownership history (only you see it)\n"
              "• `/mine` your customers, nearest deadline first\n"
              "• `/followup customer | kind: note` log a follow-up, extends the follow-up clock\n"
              "• `/stage customer | stage [amount]` move the stage\n"
              "• `/release customer | reason` give it back to the pool\n"
              "• `/complaint customer | what they said` log a customer complaint: the owner and managers are told, "
              "with a due date\n"
              "• `/dispute customer | reason` open a collision case for the managers; "
              "`/handover customer @rep | reason` hand it over (a manager approves)\n"
              "• `/pool [filter]` browse and claim from the pool; `/leaderboard [day|week|month]`; "
              "`/claimbot scorecard [week|month]` your scorecard; "
              "`/claimbot ooo until DATE` out of office\n"
              "• Managers: `/assign customer @rep|auto`; `/claimbot offboard @rep [@new owner]`; `/claimbot settings` change caps, clocks and reminder days; `/lead company | region | industry | tier | source` enter a lead; `/claimbot fairness`, `/claimbot sources` fair allocation and lead sources\n"
              "Rules: first follow-up within {first_followup_days:one=# day;other=# days} of a claim; recycled after no qualifying "
              "follow-up for A {fA} / B {fB} / C {fC:one=# day;other=# days} or no stage advance for A {pA} / B {pB} / C {pC:one=# day;other=# days}; "
              "protection lasts at most {max_days:one=# day;other=# days}. Holding cap {holding_cap}, daily claim cap {daily_cap}, "
              "{cooldown}-day cooldown before re-claiming a customer you gave up.",
    },
    # --- input errors
    "error.empty": {"zh": "请输入客户名称。", "en": "Please give a customer name."},
    "error.too_long": {
        "zh": "客户名称太长（最多 {limit} 个字符，你输入了 {length} 个）。",
        "en": "That name is too long ({length:one=# character;other=# characters}; at most {limit}).",
    },
    "error.no_letters": {
        "zh": "“{text}” 不像客户名称：至少要有一个汉字、字母或数字。",
        "en": "“{text}” is not a customer name: it needs at least one letter, digit or Chinese character.",
    },
    "error.invalid_uscc": {
        "zh": "统一社会信用代码 “{value}” 无效（18 位，校验位不符）。",
        "en": "“{value}” is not a valid unified social credit code (18 characters with a check digit).",
    },
    "error.invalid_domain": {"zh": "网址 “{value}” 无效。", "en": "“{value}” is not a valid web domain."},
    "error.invalid_phone": {"zh": "电话 “{value}” 无效。", "en": "“{value}” is not a valid phone number."},
    "error.invalid_tier": {"zh": "级别只能是 A、B 或 C。", "en": "Tier must be A, B or C."},
    "error.note_too_long": {
        "zh": "内容太长（最多 {limit} 个字符）。",
        "en": "That note is too long (at most {limit:one=# character;other=# characters}).",
    },
    "error.database_unavailable": {
        "zh": "⏳ 数据库暂时连不上（可能正在重启），这次没有写入任何内容。请稍等片刻再试。",
        "en": "⏳ The database can't be reached just now (it may be restarting); nothing was saved. "
              "Please try again in a moment.",
    },
    "error.database_full": {
        "zh": "⚠️ 数据库磁盘已满，这次没有写入任何内容。请告诉管理员腾出空间后再试。",
        "en": "⚠️ The database's disk is full; nothing was saved. Please tell an admin, and try again once "
              "they have made room.",
    },
    "error.internal": {
        "zh": "抱歉，处理时出错了，没有写入任何内容。请稍后再试。",
        "en": "Sorry, something went wrong; nothing was saved. Please try again.",
    },
    # --- claim outcomes
    "claim.created": {
        "zh": "✅ 新客户 *{name}*（{sid}）已建档并归你所有。",
        "en": "✅ New customer *{name}* ({sid}) created and claimed by you.",
    },
    "claim.claimed": {
        "zh": "✅ 你已从公海认领 *{name}*（{sid}）。",
        "en": "✅ You claimed *{name}* ({sid}) from the pool.",
    },
    "claim.protection": {
        "zh": "保护至 *{until}*（{clock}）。请在 *{first_due}* 前完成首次跟进，否则将回收到公海。",
        "en": "Protected until *{until}* ({clock}). Log a first follow-up by *{first_due}* or it returns to the pool.",
    },
    "claim.already_yours": {
        "zh": "*{name}*（{sid}）已经是你的客户：还剩 *{days}* 天（保护至 {until}，{clock}）。下次提醒：{next_reminder}。",
        "en": "*{name}* ({sid}) is already yours: *{days:one=#* day;other=#* days} left (protected until {until}, {clock}). "
              "Next reminder: {next_reminder}.",
    },
    "claim.already_yours_won": {
        "zh": "*{name}*（{sid}）是你已赢单的客户，永久归你，不会回收。",
        "en": "*{name}* ({sid}) is yours and won: it is never recycled.",
    },
    "claim.owned_by_other": {
        "zh": "⛔ *{name}*（{sid}）已归 {owner} 所有，保护至 *{until}*，最近活动 {last_activity}。"
              "规则：保护期内一个客户只有一个负责人。如有异议，可发起撞单申诉：`/dispute {sid} | 理由`",
        "en": "⛔ *{name}* ({sid}) is owned by {owner}, protected until *{until}*, last activity {last_activity}. "
              "Rule: one owner per customer while protected. If you disagree, open a dispute: "
              "`/dispute {sid} | reason`",
    },
    "claim.owned_by_other_won": {
        "zh": "⛔ *{name}*（{sid}）是 {owner} 已赢单的客户，不开放认领。最近活动 {last_activity}。",
        "en": "⛔ *{name}* ({sid}) is a won customer of {owner}'s and cannot be claimed. Last activity {last_activity}.",
    },
    "claim.confirm": {
        "zh": "“{name}” 可能是已有客户。是同一家公司吗？",
        "en": "“{name}” may be a customer we already have. Is it the same company?",
    },
    "claim.candidate": {
        "zh": "*{name}*（{sid}）· {why} · {owner}",
        "en": "*{name}* ({sid}) · {why} · {owner}",
    },
    "claim.refused.holding_cap": {
        "zh": "⛔ 你已持有 {count} 个在跟客户，持有上限为 {limit} 个。请先放回或赢单后再认领 *{name}*。",
        "en": "⛔ You hold {count} active customers; the holding cap is {limit}. Release or win one before "
              "claiming *{name}*.",
    },
    "claim.refused.daily_claim_cap": {
        "zh": "⛔ 你今天已认领 {count} 个客户，每日认领上限为 {limit} 个。明天（{until}）再来认领 *{name}*。",
        "en": "⛔ You have claimed {count:one=# customer;other=# customers} today; the daily claim cap is {limit}. Claim *{name}* "
              "again tomorrow ({until}).",
    },
    "claim.refused.cooldown": {
        "zh": "⛔ 你最近放弃了 *{name}*，冷却期 {limit} 天，{until} 起可重新认领。",
        "en": "⛔ You gave up *{name}* recently; the cooldown is {limit:one=# day;other=# days}, so you can claim it again on {until}.",
    },
    "claim.different_flagged": {
        "zh": "已按新客户建档，并标记给经理复核是否重复。",
        "en": "Created as a new customer and flagged for a manager to check for duplicates.",
    },
    "button.same": {"zh": "是同一家", "en": "Same company"},
    "button.different": {"zh": "都不是，新建客户", "en": "None of these: new customer"},
    "button.stale": {
        "zh": "这个按钮已经失效（已处理过）。什么都没有改变。",
        "en": "This button has already been used; nothing changed.",
    },
    # --- why a candidate matched
    "why.uscc": {"zh": "统一社会信用代码相同", "en": "same credit code"},
    "why.domain": {"zh": "网址相同", "en": "same web domain"},
    "why.phone": {"zh": "电话相同", "en": "same phone"},
    "why.name": {"zh": "名称相同", "en": "same name"},
    "why.alias": {"zh": "别名相同", "en": "same alias"},
    "why.entity": {"zh": "名称相同，但地区或公司类型不同（可能是另一家法人）",
                   "en": "same name, but another region or legal form (maybe another legal entity)"},
    "why.core": {"zh": "去掉地区后名称相同", "en": "same name without the region"},
    "why.pinyin": {"zh": "读音相同", "en": "same name in pinyin"},
    "why.fuzzy": {"zh": "名称相似（{score}%）", "en": "similar name ({score}%)"},
    # --- clocks
    "clock.first_followup": {"zh": "首次跟进期限", "en": "first follow-up deadline"},
    "clock.followup": {"zh": "跟进时钟", "en": "follow-up clock"},
    "clock.progress": {"zh": "推进时钟", "en": "progress clock"},
    "clock.ceiling": {"zh": "保护期上限", "en": "protection ceiling"},
    "clock.never": {"zh": "不回收", "en": "never recycled"},
    "none": {"zh": "无", "en": "none"},
    "pool": {"zh": "公海", "en": "the pool"},
    # --- lookups
    "not_found": {
        "zh": "没有找到客户 “{name}”。",
        "en": "No customer called “{name}”.",
    },
    "not_found.suggest": {"zh": "你是不是要找：", "en": "Did you mean:"},
    "not_owner": {
        "zh": "⛔ *{name}*（{sid}）的负责人是 {owner}，只有负责人可以这样操作。",
        "en": "⛔ *{name}* ({sid}) is owned by {owner}; only the owner can do that.",
    },
    "customer.header": {"zh": "*{name}*（{sid}）", "en": "*{name}* ({sid})"},
    "customer.owner": {
        "zh": "负责人：{owner} · 保护至 {until}（{clock}）· 阶段：{stage} · 级别 {tier}",
        "en": "Owner: {owner} · protected until {until} ({clock}) · stage: {stage} · tier {tier}",
    },
    "customer.pool": {
        "zh": "在公海中，可以认领 · 阶段：{stage} · 级别 {tier}",
        "en": "In the pool, open to claim · stage: {stage} · tier {tier}",
    },
    "customer.counts": {
        "zh": "跟进 {followups} 次（最近 {last_followup}）",
        "en": "{followups:one=# follow-up;other=# follow-ups} (last {last_followup})",
    },
    "customer.history": {"zh": "*归属变更记录*", "en": "*Ownership history*"},
    "event.claim": {"zh": "{at} {to} 认领（{rule}）", "en": "{at} claimed by {to} ({rule})"},
    "event.release": {"zh": "{at} {from_} 放回公海：{reason}", "en": "{at} released by {from_}: {reason}"},
    "event.lost": {"zh": "{at} {from_} 丢单，回到公海", "en": "{at} lost by {from_}, back to the pool"},
    "event.recycle": {"zh": "{at} 从 {from_} 回收：{reason}", "en": "{at} recycled from {from_}: {reason}"},
    "event.transfer": {"zh": "{at} 由 {from_} 转给 {to}：{reason}", "en": "{at} moved from {from_} to {to}: {reason}"},
    "event.other": {"zh": "{at} {kind}", "en": "{at} {kind}"},
    # --- my customers
    "mine.header": {"zh": "*你的客户*（{count} 个，按截止日期排序）", "en": "*Your customers* ({count}, nearest deadline first)"},
    "mine.row": {
        "zh": "*{name}*（{sid}）· {stage} · 保护至 {until}（{clock}，剩 {days} 天）",
        "en": "*{name}* ({sid}) · {stage} · until {until} ({clock}, {days:one=# day;other=# days} left)",
    },
    "mine.row_won": {"zh": "*{name}*（{sid}）· 已赢单", "en": "*{name}* ({sid}) · won"},
    "mine.empty": {
        "zh": "你还没有客户。用 `/claim 客户名称` 认领一个吧。",
        "en": "You have no customers yet. Claim one with `/claim customer name`.",
    },
    "mine.more": {"zh": "……还有 {count} 个未显示。", "en": "…and {count} more."},
    # --- follow-ups
    "followup.logged": {
        "zh": "📝 已记录对 *{name}* 的{kind}跟进。跟进时钟已延长，保护至 *{until}*（{clock}）。",
        "en": "📝 Logged a {kind} follow-up on *{name}*. The follow-up clock restarted; protected until *{until}* ({clock}).",
    },
    "followup.not_qualifying.short": {
        "zh": "📝 已记录对 *{name}* 的跟进，但内容少于 {min_chars} 个字，不计入跟进时钟。保护期仍至 {until}。",
        "en": "📝 Logged on *{name}*, but a note under {min_chars:one=# character;other=# characters} does not count toward the "
              "follow-up clock. Still protected until {until}.",
    },
    "followup.not_qualifying.same_day": {
        "zh": "📝 已记录对 *{name}* 的跟进。今天已有一次有效跟进，每天只计一次。保护期仍至 {until}。",
        "en": "📝 Logged on *{name}*. Only one follow-up a day counts toward the clock and today's already did. "
              "Still protected until {until}.",
    },
    "followup.kind.call": {"zh": "电话", "en": "call"},
    "followup.kind.visit": {"zh": "拜访", "en": "visit"},
    "followup.kind.meeting": {"zh": "会议", "en": "meeting"},
    "followup.kind.email": {"zh": "邮件", "en": "email"},
    "followup.kind.wechat": {"zh": "微信", "en": "WeChat"},
    "followup.kind.other": {"zh": "其他", "en": "other"},
    # --- stages
    "stage.lead": {"zh": "线索", "en": "lead"},
    "stage.contacted": {"zh": "已联系", "en": "contacted"},
    "stage.qualified": {"zh": "已确认需求", "en": "qualified"},
    "stage.proposal": {"zh": "方案报价", "en": "proposal"},
    "stage.won": {"zh": "赢单", "en": "won"},
    "stage.lost": {"zh": "丢单", "en": "lost"},
    "stage.changed": {
        "zh": "📈 *{name}* 阶段：{from_} → *{to}*。{effect}",
        "en": "📈 *{name}* stage: {from_} → *{to}*. {effect}",
    },
    "stage.effect.advance": {
        "zh": "推进时钟已重置，保护至 {until}（{clock}）。",
        "en": "The progress clock restarted; protected until {until} ({clock}).",
    },
    "stage.effect.back": {
        "zh": "阶段后退不重置推进时钟，保护至 {until}（{clock}）。",
        "en": "Going back does not restart the progress clock; protected until {until} ({clock}).",
    },
    "stage.effect.won": {
        "zh": "🎉 赢单金额 {amount}。赢单客户永久归你，不计入持有上限。",
        "en": "🎉 Won, amount {amount}. Won customers stay yours, are never recycled and don't count toward the cap.",
    },
    "stage.effect.lost": {
        "zh": "客户已回到公海。你在 {cooldown} 天冷却期内（至 {until}）不能重新认领。",
        "en": "The customer is back in the pool; your {cooldown}-day cooldown lasts until {until}.",
    },
    "stage.same": {"zh": "*{name}* 已经在 {stage} 阶段。", "en": "*{name}* is already at {stage}."},
    "stage.bad": {"zh": "“{value}” 不是有效阶段。", "en": "“{value}” is not a stage."},
    "stage.won_needs_amount": {
        "zh": "赢单需要填写金额，例如 `/stage {sid} | won 120000`。",
        "en": "Won takes an amount, for example `/stage {sid} | won 120000`.",
    },
    "stage.already_closed": {
        "zh": "*{name}* 已经{stage}，不能再改阶段。",
        "en": "*{name}* is already {stage}; its stage can't change.",
    },
    # --- release
    "release.done": {
        "zh": "↩️ *{name}*（{sid}）已放回公海。原因：{reason}。冷却期 {cooldown} 天，{until} 起你可以重新认领。",
        "en": "↩️ *{name}* ({sid}) is back in the pool. Reason: {reason}. Your {cooldown}-day cooldown ends on {until}.",
    },
    "release.needs_reason": {"zh": "请写明放回公海的原因。", "en": "Please give a reason for releasing it."},
    # --- rules named in audit records
    "rule.first_claim": {"zh": "首次认领", "en": "first claim"},
    "rule.pool_claim": {"zh": "公海认领", "en": "claimed from the pool"},
    # --- modal
    "modal.title": {"zh": "认领客户", "en": "Claim a customer"},
    "modal.submit": {"zh": "认领", "en": "Claim"},
    "modal.cancel": {"zh": "取消", "en": "Cancel"},
    "modal.name": {"zh": "客户名称", "en": "Customer name"},
    "modal.uscc": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "modal.domain": {"zh": "网址", "en": "Website"},
    "modal.phone": {"zh": "电话", "en": "Phone"},
    "modal.region": {"zh": "地区", "en": "Region"},
    "modal.industry": {"zh": "行业", "en": "Industry"},
    "modal.tier": {"zh": "客户级别", "en": "Tier"},
}
