"""Strings for collisions, appeals, handovers, assignment and roles (zh, en)."""

from __future__ import annotations

DECISIONS: dict[str, dict[str, str]] = {
    "usage.dispute": {"zh": "用法：`/dispute 客户名称 | 理由`", "en": "Usage: `/dispute customer | reason`"},
    "usage.handover": {"zh": "用法：`/handover 客户名称 @同事 | 原因`", "en": "Usage: `/handover customer @rep | reason`"},
    "usage.assign": {"zh": "用法：`/assign 客户名称 @同事` 或 `/assign 客户名称 auto`（仅经理）",
                     "en": "Usage: `/assign customer @rep` or `/assign customer auto` (managers)"},
    "review.not_manager": {"zh": "⛔ 只有经理可以查看待核对队列。", "en": "⛔ Only managers see the review queue."},
    "review.empty": {"zh": "没有待核对的疑似重复客户。", "en": "No probable duplicates waiting for review."},
    "review.gone": {"zh": "这一条已经处理过了。", "en": "That one was already dealt with."},
    "review.title": {"zh": "*待核对的疑似重复客户*：共 {total} 个，显示最早的 {shown} 个",
                     "en": "*Probable duplicates to review*: {total} in all, the oldest {shown} shown"},
    "review.item": {"zh": "*{sid} {name}*（负责人：{owner}；由 {by} 新建）", "en": "*{sid} {name}* (owner: {owner}; created by {by})"},
    "review.candidate": {"zh": "可能就是 {sid} {name}（负责人：{owner}）— {why}",
                         "en": "may be {sid} {name} (owner: {owner}) — {why}"},
    "review.no_candidates": {"zh": "已经没有相似的客户。", "en": "No similar customer is left."},
    "review.not_same": {"zh": "不是同一家", "en": "Not the same"},
    "review.not_same_done": {"zh": "已记下：{customer} 与它不是同一家，以后不再提示。",
                             "en": "Noted: {customer} is not that one, and the pair is not proposed again."},
    "alias.added": {
        "zh": "✅ 「{alias}」现在是 {customer} {name} 的别名：/claim 和 /customer 用这个名字都会找到它。",
        "en": "✅ “{alias}” is now an alias of {customer} {name}: /claim and /customer find it by that name.",
    },
    "alias.already": {"zh": "「{alias}」已经是 {customer} {name}。什么都没有改变。",
                      "en": "“{alias}” already is {customer} {name}. Nothing changed."},
    "alias.not_manager": {"zh": "⛔ 只有经理可以添加别名。什么都没有改变。", "en": "⛔ Only managers add aliases. Nothing changed."},
    "alias.usage": {"zh": "用法：`/claimbot alias 已有客户名 = 别名`，例如 `/claimbot alias 腾讯 = Tencent`",
                    "en": "Usage: `/claimbot alias existing customer = other name`, e.g. `/claimbot alias 腾讯 = Tencent`"},
    "alias.not_found": {"zh": "两个名字都不是已有客户。先 /claim 其中一个，再添加别名。",
                        "en": "Neither name is a customer. /claim one of them first, then add the alias."},
    "alias.taken": {
        "zh": "「{alias}」已经是另一个客户 {other}。两个客户要合并，请在 `/claimbot review` 里合并。什么都没有改变。",
        "en": "“{alias}” already is another customer, {other}. Two customers become one by a merge (`/claimbot review`). Nothing changed.",
    },
    "usage.claimbot": {
        "zh": "用法：`/claimbot help` · `/claimbot scorecard [@同事] [week|month]` · `/claimbot ooo until 日期|off` · `/claimbot role @同事 manager|rep`（管理员）· "
              "`/claimbot offboard @同事 [@接手人]`（经理）· `/claimbot settings`（经理）· `/claimbot alias 客户 = 别名`（经理）· `/claimbot review`（经理）· "
              "`/claimbot why 客户` · `/claimbot fairness [week|month]`（经理）· `/claimbot sources [week|month]`（经理）",
        "en": "Usage: `/claimbot help` · `/claimbot scorecard [@rep] [week|month]` · `/claimbot ooo until DATE|off` · `/claimbot role @user manager|rep` (admins) · "
              "`/claimbot offboard @rep [@new owner]` (managers) · `/claimbot settings` (managers) · `/claimbot alias customer = other name` (managers) · `/claimbot review` (managers) · "
              "`/claimbot why customer` · `/claimbot fairness [week|month]` (managers) · `/claimbot sources [week|month]` (managers)",
    },
    "dispute.needs_reason": {"zh": "请写明理由。", "en": "Please give a reason."},
    "handover.needs_reason": {"zh": "请写明转交原因。", "en": "Please give a reason for the handover."},
    "decision.keep": {"zh": "{owner} 继续负责", "en": "{owner} keeps the customer"},
    "decision.transfer": {"zh": "转给 {claimant}", "en": "transferred to {claimant}"},
    "decision.coown": {
        "zh": "共同负责：{owner} {owner_share}% · {claimant} {share}%",
        "en": "co-owned: {owner} {owner_share}% · {claimant} {share}%",
    },
    "case.kind.dispute": {"zh": "撞单", "en": "collision"},
    "case.kind.appeal": {"zh": "复议", "en": "appeal"},
    "case.header.dispute": {
        "zh": "*撞单 #{id}*：{claimant} 对 {owner} 的客户 *{name}*（{sid}）提出申诉",
        "en": "*Collision #{id}*: {claimant} disputes {owner}'s customer *{name}* ({sid})",
    },
    "case.header.appeal": {
        "zh": "*复议 #{id}*（针对撞单 #{parent}）：*{name}*（{sid}），{claimant} 对 {owner}",
        "en": "*Appeal #{id}* (of collision #{parent}): *{name}* ({sid}), {claimant} vs {owner}",
    },
    "case.reason": {"zh": "{who} 的理由：{reason}", "en": "Reason given by {who}: {reason}"},
    "case.evidence": {
        "zh": "*事实*\n• {owner}：本次认领于 {owner_since}，首次认领 {owner_first}；跟进 {owner_n} 次，最近 {owner_last}\n"
              "• {claimant}：首次认领 {claimant_first}；跟进 {claimant_n} 次，最近 {claimant_last}\n"
              "• 阶段：{stage} · 保护至 {until}",
        "en": "*Facts*\n• {owner}: owns it since {owner_since}, first claimed {owner_first}; {owner_n:one=# follow-up;other=# follow-ups}, "
              "last {owner_last}\n• {claimant}: first claimed {claimant_first}; {claimant_n:one=# follow-up;other=# follow-ups}, "
              "last {claimant_last}\n• Stage: {stage} · protected until {until}",
    },
    "case.different_manager": {
        "zh": "原决定由 {manager} 作出，本次须由其他经理决定。",
        "en": "{manager} made the first decision; a different manager decides this one.",
    },
    "case.deadline": {
        "zh": "请在 {deadline} 前决定；逾期未决定则由原负责人继续负责。",
        "en": "Decide by {deadline}; without a decision the owner keeps the customer.",
    },
    "case.split": {"zh": "共同负责的分成", "en": "Co-own credit split"},
    "case.split_option": {"zh": "申诉人 {claimant}% / 负责人 {owner}%", "en": "claimant {claimant}% / owner {owner}%"},
    "case.decided": {"zh": "✅ {manager} 于 {at} 决定：{decision}。", "en": "✅ Decided by {manager} at {at}: {decision}."},
    "case.expired": {
        "zh": "⌛ {hours} 小时内无人决定：{owner} 继续负责。",
        "en": "⌛ No decision within {hours:one=# hour;other=# hours}: {owner} keeps the customer.",
    },
    "case.opened.dispute": {
        "zh": "已提交撞单申诉 #{id}（*{name}*）。经理将在 {deadline} 前决定，结果会通知你。",
        "en": "Collision #{id} on *{name}* is with the managers. They decide by {deadline}; you will be told.",
    },
    "case.opened.appeal": {
        "zh": "已提交复议 #{id}（*{name}*），将由另一位经理在 {deadline} 前决定。",
        "en": "Appeal #{id} on *{name}* is with the managers; a different manager decides by {deadline}.",
    },
    "case.notice_owner": {
        "zh": "⚠️ {claimant} 对你的客户 *{name}* 提出了撞单申诉，经理将在 {deadline} 前决定。",
        "en": "⚠️ {claimant} disputes your customer *{name}*; the managers decide by {deadline}.",
    },
    "case.told": {"zh": "撞单 #{id}（*{name}*，{sid}）：{outcome}", "en": "Case #{id} (*{name}*, {sid}): {outcome}"},
    "case.appeal_hint": {
        "zh": "如不同意，可在 {until} 前申请一次复议，由另一位经理决定。",
        "en": "If you disagree you may appeal once, until {until}; a different manager decides.",
    },
    "case.channel": {"zh": "⚖️ {kind} #{id} · *{name}*（{sid}）：{outcome}", "en": "⚖️ {kind} #{id} · *{name}* ({sid}): {outcome}"},
    "button.keep": {"zh": "维持原负责人", "en": "Keep owner"},
    "button.transfer": {"zh": "转给申诉人", "en": "Transfer"},
    "button.coown": {"zh": "共同负责", "en": "Co-own"},
    "button.appeal": {"zh": "申请复议", "en": "Appeal"},
    "button.dispute": {"zh": "撞单申诉", "en": "Dispute"},
    "button.approve": {"zh": "批准", "en": "Approve"},
    "button.reject": {"zh": "驳回", "en": "Reject"},
    "button.decline": {"zh": "拒绝接手", "en": "Decline"},
    "modal.send": {"zh": "提交", "en": "Send"},
    "modal.reason": {"zh": "理由", "en": "Reason"},
    "modal.dispute_title": {"zh": "撞单申诉", "en": "Dispute"},
    "modal.appeal_title": {"zh": "申请复议", "en": "Appeal"},
    "refusal.not_manager": {"zh": "⛔ 只有经理可以做这个决定。什么都没有改变。", "en": "⛔ Only managers decide. Nothing changed."},
    "refusal.not_admin": {"zh": "⛔ 只有管理员可以调整角色。", "en": "⛔ Only admins change roles."},
    "refusal.already_decided": {
        "zh": "这件事已经决定过了，这次点击没有改变任何东西。", "en": "This was already decided; your click changed nothing.",
    },
    "refusal.own_case": {
        "zh": "⛔ 不能决定与自己有关的申请，请由其他经理决定。", "en": "⛔ Nobody decides their own case; another manager must.",
    },
    "refusal.same_decider": {
        "zh": "⛔ 复议须由另一位经理决定。", "en": "⛔ An appeal is decided by a different manager.",
    },
    "refusal.stale": {
        "zh": "客户的归属已经变了，这个决定不再适用。什么都没有改变。",
        "en": "The customer's ownership changed since; this decision no longer applies. Nothing changed.",
    },
    "refusal.recipient_at_cap": {
        "zh": "⛔ {to} 已达到持有上限（{limit} 个），不能再接手客户。", "en": "⛔ {to} is at the holding cap ({limit}); nothing moved.",
    },
    "refusal.duplicate": {"zh": "这个客户已有一件未决的申请。", "en": "There is already an open request for this customer."},
    "refusal.pool": {"zh": "这个客户在公海中，直接认领即可。", "en": "That customer is in the pool: just claim it."},
    "refusal.own_customer": {"zh": "这是你自己的客户。", "en": "That customer is already yours."},
    "refusal.not_losing_side": {"zh": "⛔ 只有未获支持的一方可以申请复议。", "en": "⛔ Only the side that lost may appeal."},
    "refusal.appeal_window": {"zh": "⛔ 复议期已过。", "en": "⛔ The appeal window has closed."},
    "refusal.appeal_of_appeal": {"zh": "⛔ 复议结果是最终决定。", "en": "⛔ An appeal's decision is final."},
    "refusal.appealed_already": {"zh": "⛔ 这个决定已经复议过一次。", "en": "⛔ This decision was appealed once already."},
    "refusal.not_owner": {"zh": "⛔ 只有负责人或经理可以转交。", "en": "⛔ Only the owner or a manager can hand it over."},
    "refusal.same_rep": {"zh": "对方已经是负责人。", "en": "They already own it."},
    "refusal.not_recipient": {"zh": "⛔ 只有接手人可以拒绝。", "en": "⛔ Only the recipient can decline."},
    "refusal.decline_window": {"zh": "⛔ 拒绝期已过。", "en": "⛔ The time to decline has passed."},
    "handover.summary": {
        "zh": "*转交 #{id}*：{requester} 申请把 {owner} 的客户 *{name}*（{sid}）转给 {to}。\n原因：{reason}",
        "en": "*Handover #{id}*: {requester} asks to hand {owner}'s customer *{name}* ({sid}) to {to}.\nReason: {reason}",
    },
    "handover.status.pending": {"zh": "等待经理批准。", "en": "Waiting for a manager."},
    "handover.status.rejected": {"zh": "❌ {manager} 驳回了转交，{owner} 继续负责。", "en": "❌ Rejected by {manager}; {owner} keeps it."},
    "handover.status.transferred": {
        "zh": "✅ 已转给 {to}（{manager} 批准）。{to} 可在 {until} 前拒绝接手。",
        "en": "✅ Now owned by {to} (approved by {manager}). {to} may decline until {until}.",
    },
    "handover.status.declined": {"zh": "↩️ {to} 拒绝接手，客户回到 {owner}。", "en": "↩️ {to} declined; it is back with {owner}."},
    "handover.status.cancelled": {
        "zh": "已取消：客户的归属在批准前已经变了。", "en": "Cancelled: the customer's ownership changed before a decision.",
    },
    "handover.status.done": {"zh": "✅ 已由 {to} 接手。", "en": "✅ Handed over to {to}."},
    "handover.told": {"zh": "转交 #{id}（*{name}*，{sid}）：{outcome}", "en": "Handover #{id} (*{name}*, {sid}): {outcome}"},
    "handover.decline_hint": {"zh": "如不接手，请在 {until} 前点拒绝。", "en": "If you can't take it, decline before {until}."},
    "handover.requested": {
        "zh": "已提交转交 #{id}：*{name}* → {to}，等待经理批准。", "en": "Handover #{id} of *{name}* to {to} is waiting for a manager.",
    },
    "assign.done": {
        "zh": "✅ *{name}*（{sid}）已分配给 {to}（原负责人：{from_}），保护至 {until}。",
        "en": "✅ *{name}* ({sid}) assigned to {to} (was: {from_}); protected until {until}.",
    },
    "offboard.done": {
        "zh": "✅ {rep} 已离岗：{moved} 个客户转给 {to}，{pooled} 个放回公海。",
        "en": "✅ {rep} offboarded: {moved:one=# customer;other=# customers} to {to}, {pooled} back to the pool.",
    },
    "role.changed": {"zh": "✅ {user} 的角色：{old} → {new}。", "en": "✅ {user}'s role: {old} → {new}."},
    "role.same": {"zh": "{user} 已经是{new}。", "en": "{user} is already a {new}."},
    "role.refused": {"zh": "⛔ 只有管理员可以调整角色。", "en": "⛔ Only admins change roles."},
    "role.invalid": {"zh": "用法：`/claimbot role @同事 manager|rep`", "en": "Usage: `/claimbot role @user manager|rep`"},
    "role.name.rep": {"zh": "销售", "en": "rep"},
    "role.name.manager": {"zh": "经理", "en": "manager"},
    "role.name.admin": {"zh": "管理员", "en": "admin"},
    "rule.dispute_decision": {"zh": "撞单裁决", "en": "collision decision"},
    "rule.dispute_timeout": {"zh": "撞单逾期未决", "en": "collision not decided in time"},
    "rule.handover_approved": {"zh": "转交已批准", "en": "handover approved"},
    "rule.manager_handover": {"zh": "经理转交", "en": "manager handover"},
    "rule.handover_declined": {"zh": "接手人拒绝", "en": "recipient declined"},
    "rule.manager_assign": {"zh": "经理分配", "en": "manager assignment"},
    "rule.offboard": {"zh": "离岗交接", "en": "offboarding"},
    "rule.owner_release": {"zh": "负责人放弃", "en": "released by the owner"},
    "rule.stage_lost": {"zh": "丢单", "en": "lost"},
    "event.assign": {"zh": "{at} 分配给 {to}（{rule}）", "en": "{at} assigned to {to} ({rule})"},
    "event.coown": {"zh": "{at} {to} 与 {from_} 共同负责（{reason}）", "en": "{at} {to} co-owns with {from_} ({reason})"},
    "event.coown_end": {"zh": "{at} 取消 {from_} 的共同负责", "en": "{at} {from_} no longer co-owns"},
}
