"""Strings for `/claimbot scorecard` and its compact form on the App Home tab (PRODUCT 3.7), zh and en."""

from __future__ import annotations

SCORECARD: dict[str, dict[str, str]] = {
    "usage.scorecard": {
        "zh": "用法：`/claimbot scorecard [@同事] [week|month]`（也可写 `/claimbot 成绩 [@同事] [周|月]`），"
              "默认本周、你自己；经理可以看任何人的。",
        "en": "Usage: `/claimbot scorecard [@rep] [week|month]`, this week and yourself by default; managers may "
              "ask for anyone's.",
    },
    "scorecard.refused.not_manager": {
        "zh": "只有经理可以查看别人的成绩卡。你可以用 `/claimbot scorecard` 查看自己的。",
        "en": "Only managers can see another rep's scorecard. `/claimbot scorecard` shows your own.",
    },
    "scorecard.unknown_rep": {
        "zh": "{who} 还没有在 ClaimBot 里留下任何记录，暂无成绩卡。",
        "en": "{who} has no record in ClaimBot yet, so there is no scorecard.",
    },
    "scorecard.title.week": {"zh": "📊 {who} 的本周成绩 · {first} 至 {last}",
                             "en": "📊 Scorecard of {who} · week of {first} to {last}"},
    "scorecard.title.month": {"zh": "📊 {who} 的本月成绩 · {first} 至 {last}",
                              "en": "📊 Scorecard of {who} · {first} to {last}"},
    "scorecard.claims": {"zh": "*认领*\n{n}", "en": "*Claims*\n{n}"},
    "scorecard.followups": {"zh": "*有效跟进*\n{n}", "en": "*Qualifying follow-ups*\n{n}"},
    "scorecard.first_followup": {"zh": "*首次跟进用时（中位数）*\n{time}", "en": "*Time to first follow-up (median)*\n{time}"},
    "scorecard.first_followup.counts": {"zh": "（{measured} 个已跟进，{waiting} 个待跟进）",
                                        "en": " ({measured} measured, {waiting} still waiting)"},
    "scorecard.hours": {"zh": "{n} 小时", "en": "{n} h"},
    "scorecard.days": {"zh": "{n} 天", "en": "{n:one=# day;other=# days}"},
    "scorecard.none": {"zh": "—", "en": "—"},
    "scorecard.advances": {"zh": "*阶段推进*\n{n}", "en": "*Stage advances*\n{n}"},
    "scorecard.wins": {"zh": "*赢单*\n{wins}（金额 {amount}）", "en": "*Wins*\n{wins} ({amount} won)"},
    "scorecard.conversion": {"zh": "*转化率*\n{rate}（赢 {won} / 定局 {decided}）",
                             "en": "*Conversion*\n{rate} ({won} won of {decided} decided)"},
    "scorecard.disputes": {"zh": "*撞单*\n胜 {won} · 负 {lost}", "en": "*Disputes*\nwon {won} · lost {lost}"},
    "scorecard.recycled": {"zh": "*被回收*\n{n}", "en": "*Recycled from you*\n{n}"},
    "scorecard.recycled.other": {"zh": "*被回收*\n{n}", "en": "*Recycled from them*\n{n}"},
    "scorecard.complaints": {"zh": "*客户投诉*\n本期新增 {opened} · 本期解决 {resolved} · 未结 {open} · 逾期 {overdue}",
                             "en": "*Complaints*\n{opened} new · {resolved} resolved · {open} open · {overdue} overdue"},
    "scorecard.footnote": {
        "zh": "认领只算本人认领（不含分配、转交）；有效跟进同跟进时钟的标准；推进指向前移动阶段（赢单算赢单，不重复算推进）；"
              "共同跟进的客户按分成比例计入赢单和金额。转化率 = 本期推进到赢单的客户 ÷ 推进到赢单或丢单的客户。"
              "首次跟进用时：本期开始负责的客户，从开始负责到第一次有效跟进。撞单：维持原归属算原负责人胜，"
              "转给对方算申请人胜，共同跟进不算胜负。投诉按记录时的负责人计；“未结”“逾期”为当前状态。"
              "被回收和撞单失利只有本人和经理能看到。",
        "en": "Claims are the rep's own claims (not assignments or transfers); qualifying follow-ups as the follow-up "
              "clock counts them; advances are forward stage moves (a move to won counts as a win, not also an "
              "advance); a co-owned win and its amount count by share. Conversion = customers moved to won ÷ "
              "customers moved to won or lost in the period. Time to first follow-up: for customers whose "
              "ownership started in the period, from that start to the first qualifying follow-up. Disputes: "
              "keep is the owner's win, transfer the claimant's, co-own nobody's. Complaints count against who "
              "owned the customer when logged; open and overdue are as of now. Recycled and disputes lost are "
              "shown only to the rep and managers.",
    },
    # --- the compact form (App Home)
    "scorecard.compact.title.week": {"zh": "*📊 本周成绩*（{first} 至 {last}）", "en": "*📊 This week* ({first} to {last})"},
    "scorecard.compact.title.month": {"zh": "*📊 本月成绩*（{first} 至 {last}）", "en": "*📊 This month* ({first} to {last})"},
    "scorecard.compact.line": {
        "zh": "认领 {claims} · 有效跟进 {followups} · 推进 {advances} · 赢单 {wins}（{amount}）· 转化率 {rate}",
        "en": "claims {claims} · follow-ups {followups} · advances {advances} · wins {wins} ({amount}) "
              "· conversion {rate}",
    },
    "scorecard.compact.more": {
        "zh": "首次跟进中位 {time} · 撞单 胜 {won} 负 {lost} · 被回收 {recycled} · 投诉 未结 {open}（逾期 {overdue}）"
              " · 详情：`/claimbot scorecard`",
        "en": "first follow-up median {time} · disputes won {won} lost {lost} · recycled {recycled} · complaints "
              "open {open} ({overdue} overdue) · details: `/claimbot scorecard`",
    },
}
