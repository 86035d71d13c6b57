"""Strings for changing settings in Slack (`/claimbot settings`, PRODUCT 5), zh and en."""

from __future__ import annotations

SETTINGS: dict[str, dict[str, str]] = {
    # labels of the editable settings (also used in confirmations and the digest)
    "settings.label.claims.holding_cap": {"zh": "持有上限（个）", "en": "Holding cap (customers)"},
    "settings.label.claims.daily_claim_cap": {"zh": "每日认领上限（个）", "en": "Daily claim cap (customers)"},
    "settings.label.claims.reclaim_cooldown_days": {"zh": "重新认领冷却期（天）", "en": "Re-claim cooldown (days)"},
    "settings.label.claims.first_followup_days": {"zh": "认领后首次跟进期限（天）",
                                                  "en": "First follow-up due after a claim (days)"},
    "settings.label.claims.max_protection_days": {"zh": "保护期上限（天）", "en": "Protection ceiling (days)"},
    "settings.label.claims.followup_timeout_days.A": {"zh": "跟进时钟 A 级（天）", "en": "Follow-up clock, tier A (days)"},
    "settings.label.claims.followup_timeout_days.B": {"zh": "跟进时钟 B 级（天）", "en": "Follow-up clock, tier B (days)"},
    "settings.label.claims.followup_timeout_days.C": {"zh": "跟进时钟 C 级（天）", "en": "Follow-up clock, tier C (days)"},
    "settings.label.claims.progress_timeout_days.A": {"zh": "推进时钟 A 级（天）", "en": "Progress clock, tier A (days)"},
    "settings.label.claims.progress_timeout_days.B": {"zh": "推进时钟 B 级（天）", "en": "Progress clock, tier B (days)"},
    "settings.label.claims.progress_timeout_days.C": {"zh": "推进时钟 C 级（天）", "en": "Progress clock, tier C (days)"},
    "settings.label.reminders.days_before": {"zh": "回收前提醒（提前几天，逗号分隔）",
                                             "en": "Reminders before a recycle (days, comma-separated)"},
    # the modal
    "settings.modal.title": {"zh": "ClaimBot 设置", "en": "ClaimBot settings"},
    "settings.modal.submit": {"zh": "保存", "en": "Save"},
    "settings.modal.cancel": {"zh": "取消", "en": "Cancel"},
    "settings.modal.intro": {
        "zh": "这里的修改对全队生效，下一次认领即按新设置执行；每次修改都有版本号、会发到简报频道，并且可以撤销。"
              "收紧保护期规则时，已有客户有 {grace} 天宽限期。",
        "en": "Changes here apply to the whole team from the next claim on; each one is versioned, posted to the "
              "digest channel and can be undone. Tightened clocks give existing customers {grace:one=# day;other=# days} of grace.",
    },
    "settings.modal.hint.days_before": {"zh": "例如：7, 1（留空表示不提醒）", "en": "e.g. 7, 1 (empty: no reminders)"},
    # field errors (response_action: errors)
    "settings.error.number": {"zh": "请填写一个整数。", "en": "Enter a whole number."},
    "settings.error.min": {"zh": "不能小于 {limit}。", "en": "Must be at least {limit}."},
    "settings.error.max": {"zh": "不能大于 {limit}。", "en": "Must be at most {limit}."},
    "settings.error.list": {"zh": "请填写用逗号分隔的非负整数，例如 7, 1。",
                            "en": "Enter whole numbers of days, 0 or more, separated by commas (e.g. 7, 1)."},
    "settings.error.too_many": {"zh": "最多 {limit} 个提醒。", "en": "At most {limit:one=# reminder;other=# reminders}."},
    "settings.error.conflict": {
        "zh": "你打开表单后，其他经理修改了设置（现为第 {latest} 版）。请关闭后重新打开 `/claimbot settings` 再改。",
        "en": "Another manager changed the settings after you opened this form (now version {latest}). Close it and "
              "open `/claimbot settings` again.",
    },
    # answers
    "settings.refused": {"zh": "⛔ 只有经理可以修改设置。", "en": "⛔ Only managers can change the settings."},
    "settings.unchanged": {"zh": "设置没有变化，未生成新版本。", "en": "Nothing changed; no new version was made."},
    "settings.changed": {"zh": "⚙️ 设置已更新（第 {version} 版，{who} 修改）：",
                         "en": "⚙️ Settings changed (version {version}, by {who}):"},
    "settings.undone": {"zh": "↩️ 已撤销第 {undoes} 版设置（新版本第 {version} 版，{who} 操作）：",
                        "en": "↩️ Settings version {undoes} undone (now version {version}, by {who}):"},
    "settings.line": {"zh": "• {label}：{old} → *{new}*", "en": "• {label}: {old} → *{new}*"},
    "settings.next_claim": {"zh": "从下一次认领开始生效。", "en": "In force from the next claim."},
    "settings.clock_note": {
        "zh": "保护期规则已变更：收紧的规则对已有客户有 {grace} 天宽限期，截止日期会在下一次定时检查时重新计算。",
        "en": "The clock rules changed: a tightened rule gives existing customers {grace:one=# day;other=# days} of grace; stored "
              "deadlines are recomputed by the next scheduled sweep.",
    },
    "settings.undo": {"zh": "撤销", "en": "Undo"},
    "settings.stale": {
        "zh": "之后又有新的设置修改（现为第 {latest} 版），只能撤销最新的一次。",
        "en": "There has been a later change (now version {latest}); only the latest change can be undone.",
    },
    "settings.missing": {"zh": "找不到这个设置版本。", "en": "That settings version does not exist."},
    "settings.none": {"zh": "（无提醒）", "en": "(no reminders)"},
    # the digest
    "settings.digest.header": {"zh": "*⚙️ 昨日设置变更（{n}）*", "en": "*⚙️ Settings changed yesterday ({n})*"},
    "settings.digest.item": {"zh": "• 第 {version} 版 · {who} · {at}：{list}",
                             "en": "• Version {version} · {who} · {at}: {list}"},
    "settings.digest.undo_item": {"zh": "• 第 {version} 版 · {who} · {at}：撤销第 {undoes} 版 — {list}",
                                  "en": "• Version {version} · {who} · {at}: undid version {undoes} — {list}"},
    "settings.digest.change": {"zh": "{label} {old} → {new}", "en": "{label} {old} → {new}"},
}
