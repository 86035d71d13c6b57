"""Strings for the pool browser (/pool) and `claimbot import` (zh, en)."""

from __future__ import annotations

IMPORT_POOL: dict[str, dict[str, str]] = {
    # --- /pool
    "usage.pool": {
        "zh": "用法：`/pool [筛选]`，例如 `/pool 科技`、`/pool tier:A region:北京`、`/pool industry:物流`。",
        "en": "Usage: `/pool [filter]`, e.g. `/pool tech`, `/pool tier:A region:Beijing`, `/pool industry:logistics`.",
    },
    "pool.header": {"zh": "*公海* · 共 {count} 个客户", "en": "*The pool* · {count:one=# customer;other=# customers}"},
    "pool.header_filtered": {
        "zh": "*公海* · 筛选“{filter}” · 共 {count} 个客户",
        "en": "*The pool* · filter “{filter}” · {count:one=# customer;other=# customers}",
    },
    "pool.page": {"zh": "第 {page} 页", "en": "page {page}"},
    "pool.empty": {"zh": "公海里现在没有客户。", "en": "The pool is empty right now."},
    "pool.empty_filtered": {
        "zh": "公海里没有符合“{filter}”的客户。",
        "en": "No customer in the pool matches “{filter}”.",
    },
    "pool.row": {"zh": "*{name}*（{sid}）· {tier} 类 · {stage}", "en": "*{name}* ({sid}) · tier {tier} · {stage}"},
    "pool.returned.release": {
        "zh": "↩️ {since} 由 {rep} 放回公海：{reason}",
        "en": "↩️ Released by {rep} on {since}: {reason}",
    },
    "pool.returned.recycle": {
        "zh": "♻️ {since} 从 {rep} 回收：{clock}于 {until} 到期",
        "en": "♻️ Recycled from {rep} on {since}: the {clock} ran out on {until}",
    },
    "pool.returned.recycle_other": {
        "zh": "♻️ {since} 从 {rep} 回收：{reason}",
        "en": "♻️ Recycled from {rep} on {since}: {reason}",
    },
    "pool.returned.lost": {"zh": "📉 {since} {rep} 丢单，回到公海", "en": "📉 Lost by {rep} on {since}, back in the pool"},
    "pool.returned.new": {"zh": "🆕 {since} 进入公海，尚无人认领过", "en": "🆕 In the pool since {since}, never owned"},
    "pool.help": {
        "zh": "认领同样受持有上限、每日领取上限和冷却期限制。筛选：名称关键字、`tier:A`、`region:北京`、`industry:科技`。",
        "en": "Claims here count toward the holding cap and the daily claim cap, and the cooldown applies. "
              "Filter by name words, `tier:A`, `region:…`, `industry:…`.",
    },
    "pool.error.bad_tier": {
        "zh": "“{value}” 不是有效的客户等级（A、B、C）。",
        "en": "“{value}” is not a tier (A, B or C).",
    },
    "pool.error.too_long": {
        "zh": "筛选条件太长：{length} 个字，最多 {limit} 个。",
        "en": "The filter is too long: {length:one=# character;other=# characters}, at most {limit}.",
    },
    "button.pool_claim": {"zh": "认领", "en": "Claim"},
    "button.pool_next": {"zh": "下一页 ▶", "en": "Next page ▶"},
    # --- The audit trail of imported ownerships (/customer history)
    "event.import": {"zh": "{at} 导入，归 {to}（{reason}）", "en": "{at} imported, owned by {to} ({reason})"},
    "rule.import": {"zh": "导入", "en": "import"},
    # --- claimbot import
    "import.status.created": {"zh": "新建", "en": "created"},
    "import.status.flagged": {"zh": "新建（待经理核对）", "en": "created, flagged for review"},
    "import.status.merged": {"zh": "合并", "en": "merged"},
    "import.status.unchanged": {"zh": "无变化", "en": "unchanged"},
    "import.status.skipped": {"zh": "跳过", "en": "skipped"},
    "import.summary": {
        "zh": "{source}：{total} 行，用时 {seconds} 秒。新建 {created}（其中 {flagged} 个疑似重复，已标记待经理核对）· "
              "合并 {merged} · 无变化 {unchanged} · 跳过 {skipped}。",
        "en": "{source}: {total:one=# row;other=# rows} in {seconds} s. Created {created} (of which {flagged} probable duplicates, "
              "flagged for a manager's review) · merged {merged} · unchanged {unchanged} · skipped {skipped}.",
    },
    "import.summary.owners": {
        "zh": "按负责人列分配 {owners} 个客户（审计记录：导入）；按分配规则分配 {auto} 个。",
        "en": "{owners:one=# customer;other=# customers} given to the owner column's reps (audited as: import); {auto} by the allocation rules.",
    },
    "import.summary.dry_run": {
        "zh": "演练（--dry-run）：以上是真实导入会得到的结果，数据库没有任何改动。",
        "en": "Dry run (--dry-run): this is what a real import would do; nothing was written.",
    },
    "import.summary.unknown_columns": {
        "zh": "未识别、已忽略的列：{columns}",
        "en": "Columns not understood, ignored: {columns}",
    },
    "import.summary.report": {"zh": "逐行报告：{path}", "en": "Row-by-row report: {path}"},
    "import.summary.idempotent": {
        "zh": "再次导入同一文件不会改变任何数据。",
        "en": "Importing the same file again changes nothing.",
    },
    "import.progress": {
        "zh": "导入中 {done}/{total} 行（{percent}%）· {rate} 行/秒 · 新建 {created} · 合并 {merged} · 跳过 {skipped}",
        "en": "importing {done}/{total:one=# row;other=# rows} ({percent}%) · {rate:one=# row;other=# rows}/s · created {created} · merged {merged} · "
              "skipped {skipped}",
    },
    "import.file.missing": {"zh": "找不到文件：{path}", "en": "No such file: {path}"},
    "import.file.empty": {"zh": "文件是空的：{path}", "en": "The file is empty: {path}"},
    "import.file.encoding": {
        "zh": "无法按 {encoding} 编码读取文件；请另存为 UTF-8 CSV，或用 --encoding 指定编码。",
        "en": "Cannot read the file as {encoding}; save it as UTF-8 CSV or name the encoding with --encoding.",
    },
    "import.file.no_name_column": {
        "zh": "找不到客户名称列（name、客户名称、公司名称……）。表头是：{headers}",
        "en": "No customer name column (name, customer, company, 客户名称 …). The header is: {headers}",
    },
    "import.reason.new": {"zh": "新客户", "en": "new customer"},
    "import.reason.same_uscc": {"zh": "统一社会信用代码与 {customer} 相同", "en": "same credit code as {customer}"},
    "import.reason.same_domain": {"zh": "网址与 {customer} 相同", "en": "same web domain as {customer}"},
    "import.reason.same_phone": {"zh": "电话与 {customer} 相同", "en": "same phone as {customer}"},
    "import.reason.same_name": {"zh": "名称与 {customer} 相同", "en": "same name as {customer}"},
    "import.reason.same_alias": {"zh": "名称是 {customer} 的别名", "en": "an alias of {customer}"},
    "import.reason.in_file": {"zh": "（由本文件第 {row} 行新建）", "en": " (created by row {row} of this file)"},
    "import.reason.probable_duplicate": {
        "zh": "疑似与已有客户重复：{candidates}",
        "en": "probably the same as: {candidates}",
    },
    "import.reason.candidate": {"zh": "{customer} {name}（{why}）", "en": "{customer} {name} ({why})"},
    "import.reason.candidate_row": {"zh": "第 {row} 行", "en": "row {row}"},
    "import.reason.missing_name": {"zh": "没有客户名称", "en": "no customer name"},
    "import.reason.name_too_long": {
        "zh": "名称太长：{length} 个字，最多 {limit} 个",
        "en": "name too long: {length:one=# character;other=# characters}, at most {limit}",
    },
    "import.reason.no_letters": {"zh": "名称里没有文字", "en": "the name has no letters"},
    "import.reason.invalid_uscc": {
        "zh": "统一社会信用代码无效（校验位不符）：{value}",
        "en": "invalid unified social credit code (checksum): {value}",
    },
    "import.reason.invalid_domain": {"zh": "网址无效：{value}", "en": "invalid web domain: {value}"},
    "import.reason.invalid_phone": {"zh": "电话号码无效：{value}", "en": "invalid phone number: {value}"},
    "import.reason.invalid_tier": {"zh": "等级无效（应为 A、B、C）：{value}", "en": "invalid tier (A, B or C): {value}"},
    "import.reason.invalid_stage": {
        "zh": "阶段无效（lead、contacted、qualified、proposal、won、lost）：{value}",
        "en": "invalid stage (lead, contacted, qualified, proposal, won, lost): {value}",
    },
    "import.reason.invalid_owner": {
        "zh": "负责人不是 Slack 用户 ID（如 U0123ABC）：{value}",
        "en": "the owner is not a Slack user id (like U0123ABC): {value}",
    },
    "import.reason.won_needs_owner": {
        "zh": "赢单客户必须有负责人",
        "en": "a won customer needs an owner",
    },
    "import.reason.lost_with_owner": {
        "zh": "丢单客户回到公海，不能有负责人（{owner}）",
        "en": "a lost customer is in the pool and cannot have an owner ({owner})",
    },
    "import.reason.db_error": {
        "zh": "数据库拒绝了这一行（已重试）",
        "en": "the database refused this row (retried)",
    },
    "import.note.filled": {"zh": "补全了空字段：{fields}", "en": "filled empty fields: {fields}"},
    "import.note.conflict": {
        "zh": "{field} 保留原值 {stored}（文件中为 {file}）",
        "en": "{field} kept as {stored} (the file says {file})",
    },
    "import.note.owner_assigned": {"zh": "归 {owner} 负责", "en": "now owned by {owner}"},
    "import.note.owner_kept": {
        "zh": "已由 {owner} 负责，未改为文件中的 {file_owner}",
        "en": "already owned by {owner}; the file's owner {file_owner} was not applied",
    },
    "import.note.over_holding_cap": {
        "zh": "{owner} 现持有 {holding} 个客户，超过持有上限（{cap}）：归属照旧导入，但在降到上限以下之前不能再认领或接收客户",
        "en": "{owner} now holds {holding:one=# customer;other=# customers}, over the holding cap ({cap}): the ownership is imported as it is, "
              "but they can claim or receive no more until below the cap",
    },
    "import.note.free_mail": {
        "zh": "{value} 是免费邮箱域名，不能识别公司，已忽略",
        "en": "{value} is a free-mail domain, which identifies no company; ignored",
    },
    "import.note.stage_reset": {
        "zh": "原阶段 {stage}，新负责人从“线索”开始",
        "en": "was {stage}; the new owner starts at lead",
    },
    "import.note.auto_assigned": {"zh": "按分配规则归 {owner} 负责", "en": "allocated to {owner} by the rules"},
    "import.note.auto_unassigned": {"zh": "未自动分配（{why}），留在公海", "en": "not allocated ({why}): left in the pool"},
    "import.alloc.no_rule": {"zh": "没有匹配的分配规则", "en": "no allocation rule matches"},
    "import.alloc.nobody_eligible": {"zh": "规则“{rule}”中没有可分配的销售", "en": "nobody eligible in rule “{rule}”"},
    "import.alloc.owner_unavailable": {
        "zh": "同一公司的负责人暂时不能接手",
        "en": "the owner of the same company cannot take it now",
    },
    "import.field.uscc": {"zh": "统一社会信用代码", "en": "credit code"},
    "import.field.domain": {"zh": "网址", "en": "domain"},
    "import.field.phone": {"zh": "电话", "en": "phone"},
    "import.field.region": {"zh": "地区", "en": "region"},
    "import.field.industry": {"zh": "行业", "en": "industry"},
    "import.field.tier": {"zh": "等级", "en": "tier"},
    "import.field.stage": {"zh": "阶段", "en": "stage"},
    "import.field.name": {"zh": "客户名称", "en": "name"},
    "import.field.owner": {"zh": "负责人", "en": "owner"},
    "import.field.last_followup": {"zh": "最后跟进时间（跟进时钟由此继续）", "en": "last follow-up (the follow-up clock goes on from it)"},
    "import.field.last_activity": {"zh": "最后活动时间（无最后跟进时间时，跟进时钟由此继续）",
                                   "en": "last activity (the follow-up clock goes on from it when there is no last follow-up)"},
    "import.field.stage_changed": {"zh": "阶段变更时间（推进时钟由此继续）", "en": "stage change (the progress clock goes on from it)"},
    "import.summary.preset": {"zh": "识别为 {preset} 的导出文件，各列读取如下：", "en": "Recognised as an export of {preset}; its columns were read as:"},
    "import.summary.mapped": {"zh": "按 --map 读取各列：", "en": "Columns read as --map says:"},
    "import.summary.columns": {"zh": "各列读取如下：", "en": "Columns read as:"},
    "import.summary.column": {"zh": "  {header} → {field}", "en": "  {header} → {field}"},
    "import.summary.ignored": {"zh": "（忽略）", "en": "(ignored)"},
    "import.summary.unresolved": {
        "zh": "无法对应到 Slack 成员的负责人（这些行{what}）：",
        "en": "Owners that match no Slack member (their rows {what}):",
    },
    "import.summary.unresolved.pool": {"zh": "已导入公海", "en": "went to the pool"},
    "import.summary.unresolved.skip": {"zh": "已跳过", "en": "were skipped"},
    "import.summary.unresolved_one": {"zh": "  {value}：{why}", "en": "  {value}: {why}"},
    "import.summary.holdings": {"zh": "导入后各负责人持有：{holdings}", "en": "Held by each owner after the import: {holdings}"},
    "import.summary.due": {
        "zh": "导入的归属中，{due7} 个将在 7 天内到期回收，{due30} 个在 30 天内（若期间无跟进）。",
        "en": "Of the imported ownerships, {due7} would be recycled within 7 days and {due30} within 30 (without a follow-up).",
    },
    "import.summary.graced": {
        "zh": "{count} 个客户在导出时已过保护期：给予 {days} 天宽限期，负责人会收到私信清单。{owners}",
        "en": "{count:one=# customer was;other=# customers were} already past their protection in the export: they get {days:one=# day;other=# days} of grace, "
              "and their owners a DM listing them. {owners}",
    },
    "import.owner.not_found": {"zh": "工作区里没有此人", "en": "nobody in the workspace"},
    "import.owner.deactivated": {"zh": "账号已停用", "en": "a deactivated account"},
    "import.owner.ambiguous": {"zh": "对应到多个人：{candidates}", "en": "matches several people: {candidates}"},
    "import.owner.invalid": {"zh": "不是 Slack 用户 ID、邮箱或姓名", "en": "not a Slack user id, e-mail or name"},
    "import.owner.lookup_failed": {"zh": "Slack 查询失败", "en": "the Slack look-up failed"},
    "import.note.owner_not_found": {"zh": "负责人 {value} 在工作区里找不到，导入公海", "en": "owner {value} is nobody in the workspace: to the pool"},
    "import.note.owner_deactivated": {"zh": "负责人 {value} 的账号已停用，导入公海", "en": "owner {value} is deactivated: to the pool"},
    "import.note.owner_ambiguous": {"zh": "负责人 {value} 对应到多个人（{candidates}），导入公海",
                                    "en": "owner {value} matches several people ({candidates}): to the pool"},
    "import.note.owner_invalid": {"zh": "负责人 {value} 无法识别，导入公海", "en": "owner {value} not understood: to the pool"},
    "import.note.owner_lookup_failed": {"zh": "查询负责人 {value} 失败，导入公海", "en": "looking up owner {value} failed: to the pool"},
    "import.reason.owner_not_found": {"zh": "负责人 {value} 在工作区里找不到", "en": "owner {value} is nobody in the workspace"},
    "import.reason.owner_deactivated": {"zh": "负责人 {value} 的账号已停用", "en": "owner {value} is deactivated"},
    "import.reason.owner_ambiguous": {"zh": "负责人 {value} 对应到多个人（{candidates}）", "en": "owner {value} matches several people ({candidates})"},
    "import.reason.owner_invalid": {"zh": "负责人 {value} 无法识别", "en": "owner {value} not understood"},
    "import.reason.owner_lookup_failed": {"zh": "查询负责人 {value} 失败", "en": "looking up owner {value} failed"},
    "import.note.bad_date": {"zh": "{field} 不是日期（{value}），已忽略", "en": "{field} is not a date ({value}); ignored"},
    "import.file.xlsx": {"zh": "无法读取 Excel 文件：{path}", "en": "Cannot read the Excel workbook: {path}"},
    "import.file.map_missing": {
        "zh": "--map 指定的列不在表头中：{columns}。表头是：{headers}",
        "en": "--map names columns that are not in the header: {columns}. The header is: {headers}",
    },
    "import.file.bad_map": {
        "zh": "--map 写法不对：{part}（应为 列=表头，列可以是 {columns}）",
        "en": "--map not understood: {part} (write column=header; the columns are {columns})",
    },
    "import.file.owners": {"zh": "无法读取负责人对照表：{path}", "en": "Cannot read the owners file: {path}"},
    "notice.import_grace": {
        "zh": "导入 {source} 时，你的以下 {count} 个客户已过保护期。为免第一晚就被回收，给予 {days} 天宽限期——请在此之前跟进：\n{customers}",
        "en": "When {source} was imported, {count:one=# of your customers was;other=# of your customers were} already past their protection. So they are "
              "not recycled on the first night, they get {days:one=# day;other=# days} of grace: follow them up before it ends.\n{customers}",
    },
    "notice.import_grace.line": {"zh": "• {sid} {name}（宽限至 {until}）", "en": "• {sid} {name} (grace until {until})"},
    "import.progress.label": {"zh": "导入中", "en": "importing"},
    "import.progress.counts": {"zh": "新建 {created} · 合并 {merged} · 跳过 {skipped}",
                               "en": "created {created} · merged {merged} · skipped {skipped}"},
    "import.no_token": {
        "zh": "--owners 需要 SLACK_BOT_TOKEN：按邮箱或姓名找负责人要查询 Slack 工作区。",
        "en": "--owners needs SLACK_BOT_TOKEN: owners by e-mail or name are looked up in the Slack workspace.",
    },
    "import.no_token_note": {
        "zh": "注意：没有 SLACK_BOT_TOKEN，负责人列只认 Slack 用户 ID；邮箱或姓名的行已按无效负责人跳过。",
        "en": "Note: without SLACK_BOT_TOKEN the owner column takes only Slack user ids; rows naming an owner by "
              "e-mail or name were skipped as invalid owners.",
    },
    "import.followups.columns": {
        "zh": "找不到客户、时间和内容（或主题）列。表头是：{headers}（可用 --map customer=…,at=…,note=… 指定）",
        "en": "No customer, date and note (or subject) columns. The header is: {headers} (name them with --map customer=…,at=…,note=…)",
    },
    "import.followups.summary": {
        "zh": "{source}：{total} 行。附加 {attached} 条跟进记录（其中 {moved} 条比原最后跟进更新，跟进时钟随之继续）· 已存在 {unchanged} · 跳过 {skipped}。",
        "en": "{source}: {total:one=# row;other=# rows}. Attached {attached:one=# follow-up;other=# follow-ups} ({moved} newer than the last one, moving its clock on) · "
              "already there {unchanged} · skipped {skipped}.",
    },
    "import.followups.skipped": {"zh": "  第 {row} 行跳过：{why}", "en": "  row {row} skipped: {why}"},
    "import.followups.no_customer": {"zh": "没有名为 {detail} 的客户", "en": "no customer named {detail}"},
    "import.followups.never_owned": {"zh": "{detail} 从未有人负责，跟进记录无处可挂", "en": "{detail} was never owned: no ownership to attach to"},
    "import.followups.bad_date": {"zh": "日期无法识别：{detail}", "en": "not a date: {detail}"},
    "import.followups.future": {"zh": "日期在将来：{detail}", "en": "a date in the future: {detail}"},
    "import.followups.no_note": {"zh": "没有内容", "en": "no note"},
    "import.no_file": {"zh": "请给出要导入的文件（或 --followups 文件）。", "en": "Name the file to import (or --followups FILE)."},
    "import.field.customer": {"zh": "客户", "en": "customer"},
    "import.field.at": {"zh": "时间", "en": "date"},
    "import.field.note": {"zh": "内容", "en": "note"},
    "import.field.subject": {"zh": "主题", "en": "subject"},
    "import.field.rep": {"zh": "跟进人", "en": "rep"},
    "import.field.kind": {"zh": "方式", "en": "kind"},
}
