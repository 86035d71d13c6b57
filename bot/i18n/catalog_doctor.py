"""`claimbot doctor` and its weekly admin DM (docs/decisions/0021): each check, what failed, and the fix."""

from __future__ import annotations

DOCTOR: dict[str, dict[str, str]] = {
    "doctor.title": {"zh": "🩺 ClaimBot 安装检查（{week}）：{n} 项未通过",
                     "en": "🩺 ClaimBot installation check ({week}): {n} failed"},
    "doctor.fix": {"zh": "修复：{fix}", "en": "Fix: {fix}"},
    "doctor.footer": {"zh": "修复后运行 `claimbot doctor` 确认。", "en": "Run `claimbot doctor` to confirm once fixed."},
    "doctor.summary.ok": {"zh": "全部 {n} 项检查通过。", "en": "All {n:one=# check;other=# checks} passed."},
    "doctor.summary.fail": {"zh": "{failed} 项未通过，{n} 项检查。", "en": "{failed} of {n:one=# check;other=# checks} failed."},
    # the config
    "doctor.config.ok": {"zh": "配置已加载：{source}", "en": "Config loads: {source}"},
    "doctor.config.invalid": {"zh": "配置无法加载：{error}", "en": "The config does not load: {error}"},
    "doctor.config.invalid.fix": {"zh": "按提示修改 CLAIMBOT_CONFIG 指向的 TOML 文件或对应的环境变量。",
                                  "en": "Correct the TOML file CLAIMBOT_CONFIG names, or the environment variable, as "
                                        "the message says."},
    "doctor.config.missing_file": {"zh": "CLAIMBOT_CONFIG 指向的配置文件不存在：{file}（正在使用默认值）",
                                   "en": "The config file CLAIMBOT_CONFIG names does not exist: {file} (defaults are "
                                         "in force)"},
    "doctor.config.missing_file.fix": {"zh": "更正 CLAIMBOT_CONFIG 的路径，或创建该文件（见 README 的 Settings）。",
                                       "en": "Correct the path in CLAIMBOT_CONFIG, or create the file (README, "
                                             "Settings)."},
    "doctor.signing.unset": {"zh": "未设置 SLACK_SIGNING_SECRET（HTTP 模式需要它验证 Slack 的请求）",
                             "en": "SLACK_SIGNING_SECRET is not set (HTTP mode needs it to verify Slack's requests)"},
    "doctor.signing.unset.fix": {"zh": "在环境中设置应用 Basic Information 页的 Signing Secret，或用 Socket Mode（SLACK_APP_TOKEN）。",
                                 "en": "Set it in the environment from the app's Basic Information page, or use Socket "
                                       "Mode (SLACK_APP_TOKEN)."},
    "doctor.admins.none": {"zh": "没有管理员（[team] admins）：投递失败和本检查的每周报告无人接收",
                           "en": "No admins ([team] admins): nobody hears of failed deliveries or this weekly check"},
    "doctor.admins.none.fix": {"zh": "在 [team] admins 中列出管理员的 Slack 用户 ID（U…）。",
                               "en": "List the admins' Slack user ids (U…) in [team] admins."},
    # the token
    "doctor.token.ok": {"zh": "令牌有效：工作区 {team}（{team_id}），机器人 {user}",
                        "en": "Token works: workspace {team} ({team_id}), bot user {user}"},
    "doctor.token.unset": {"zh": "未设置 SLACK_BOT_TOKEN", "en": "SLACK_BOT_TOKEN is not set"},
    "doctor.token.unset.fix": {"zh": "在环境中设置应用 OAuth & Permissions 页的 Bot User OAuth Token（xoxb-…），不要写进配置文件。",
                               "en": "Set the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page in "
                                     "the environment, never in the config file."},
    "doctor.token.refused": {"zh": "Slack 拒绝了令牌：{error}", "en": "Slack refused the token: {error}"},
    "doctor.token.refused.fix": {"zh": "换用应用当前的 Bot User OAuth Token；若应用已被移除，请重新安装到工作区。",
                                 "en": "Use the app's current Bot User OAuth Token; if the app was removed, reinstall "
                                       "it to the workspace."},
    "doctor.token.unreachable": {"zh": "无法连接 Slack（{url}）：{error}", "en": "Can't reach Slack ({url}): {error}"},
    "doctor.token.unreachable.fix": {"zh": "检查网络、代理和防火墙是否允许访问 slack.com（HTTPS）。",
                                     "en": "Check that the network, proxy and firewall let this machine reach slack.com "
                                           "over HTTPS."},
    "doctor.token.wrong_team": {"zh": "令牌属于工作区 {team}（{team_id}），而不是 [team] slack_team_id 所写的 {expected}",
                                "en": "The token is for workspace {team} ({team_id}), not {expected} as "
                                      "[team] slack_team_id says"},
    "doctor.token.wrong_team.fix": {"zh": "使用安装在 {expected} 的应用的令牌，或更正 [team] slack_team_id。",
                                    "en": "Use the token of the app installed in {expected}, or correct "
                                          "[team] slack_team_id."},
    # scopes
    "doctor.scopes.ok": {"zh": "manifest.yml 需要的 {n} 个权限都已授予", "en": "All {n} scopes manifest.yml needs are granted"},
    "doctor.scopes.missing": {"zh": "缺少权限：{missing}", "en": "Missing scopes: {missing}"},
    "doctor.scopes.missing.fix": {"zh": "在应用的 OAuth & Permissions 页添加这些 Bot Token Scopes（或用 manifest.yml 更新应用），"
                                        "然后重新安装到工作区。",
                                  "en": "Add them as Bot Token Scopes on the app's OAuth & Permissions page (or update the "
                                        "app from manifest.yml), then reinstall the app to the workspace."},
    "doctor.scopes.unknown": {"zh": "Slack 没有告知令牌的权限（无 x-oauth-scopes 响应头）",
                              "en": "Slack did not say which scopes the token has (no x-oauth-scopes header)"},
    "doctor.scopes.unknown.fix": {"zh": "确认 SLACK_API_URL 指向 Slack 本身，而不是会删除响应头的代理。",
                                  "en": "Check that SLACK_API_URL points at Slack itself, not a proxy that drops "
                                        "response headers."},
    # channels
    "doctor.channel.ok": {"zh": "ClaimBot 在{which}频道 #{name}（{channel}）中",
                          "en": "ClaimBot is in the {which} channel #{name} ({channel})"},
    "doctor.channel.unset": {"zh": "未设置{which}频道（[team] {setting}）", "en": "No {which} channel ([team] {setting})"},
    "doctor.channel.unset.fix": {"zh": "在 [team] {setting} 中填入频道 ID（C…，见频道详情页底部）。",
                                 "en": "Set [team] {setting} to the channel's id (C…, at the bottom of the channel's "
                                       "details)."},
    "doctor.channel.not_member": {"zh": "ClaimBot 不在{which}频道 #{name}（{channel}）中：发到那里的消息会被拒绝",
                                  "en": "ClaimBot is not a member of the {which} channel #{name} ({channel}): posts "
                                        "there will be refused"},
    "doctor.channel.not_member.fix": {"zh": "在 Slack 中打开 #{name}，输入 /invite @ClaimBot。",
                                      "en": "In Slack, open #{name} and type /invite @ClaimBot."},
    "doctor.channel.not_found": {"zh": "找不到{which}频道 {channel}（[team] {setting}）：{error}",
                                 "en": "The {which} channel {channel} ([team] {setting}) was not found: {error}"},
    "doctor.channel.not_found.fix": {"zh": "在 [team] {setting} 中填入频道 ID（C…，不是频道名）；私有频道需先邀请 ClaimBot。",
                                     "en": "Set [team] {setting} to the channel's id (C…, not its name); a private channel "
                                           "must invite ClaimBot first."},
    "doctor.which.digest_channel": {"zh": "简报", "en": "digest"},
    "doctor.which.approvals_channel": {"zh": "审批", "en": "approvals"},
    # the database
    "doctor.database.ok": {"zh": "数据库 {url} 已是最新结构（{head}）", "en": "The database {url} is at the newest schema ({head})"},
    "doctor.database.behind": {"zh": "数据库 {url} 的结构是 {current}，代码需要 {head}",
                               "en": "The database {url} is at schema {current}; the code needs {head}"},
    "doctor.database.behind.fix": {"zh": "运行 `claimbot db upgrade`（先 `claimbot backup FILE`）。",
                                   "en": "Run `claimbot db upgrade` (after `claimbot backup FILE`)."},
    "doctor.database.unreachable": {"zh": "无法连接数据库 {url}：{error}", "en": "Can't reach the database {url}: {error}"},
    "doctor.database.unreachable.fix": {"zh": "检查 DATABASE_URL，以及数据库服务器是否在运行、是否允许本机连接。",
                                        "en": "Check DATABASE_URL, and that the database server is up and lets this "
                                              "machine connect."},
    # the clock
    "doctor.clock.ok": {"zh": "本机时钟与 Slack 相差 {skew} 秒以内", "en": "This machine's clock is within {skew} s of Slack's"},
    "doctor.clock.skewed": {"zh": "本机时钟比 Slack {direction} {skew} 秒",
                            "en": "This machine's clock is {skew} s {direction} Slack's"},
    "doctor.clock.skewed.fix": {"zh": "用 chrony 或 systemd-timesyncd 同步时钟：Slack 拒绝时间戳相差超过 5 分钟的签名，截止日期也按本机时钟计算。",
                                "en": "Sync the clock (chrony or systemd-timesyncd): Slack's signed requests are "
                                      "refused 5 minutes off, and every deadline is computed from this clock."},
    "doctor.clock.ahead": {"zh": "快", "en": "ahead of"},
    "doctor.clock.behind": {"zh": "慢", "en": "behind"},
    # the calendar
    "doctor.calendar.ok": {"zh": "工作日日历：{sources}", "en": "Working-day calendar: {sources}"},
    "doctor.calendar.calendar_days": {"zh": "时钟按自然日计算（[claims] count），不需要节假日日历",
                                      "en": "The clocks count calendar days ([claims] count): no holiday calendar needed"},
    "doctor.calendar.uncovered": {"zh": "没有任何来源有 {years} 年的放假安排（{sources}）：截止日期只能估算",
                                  "en": "No source has the holiday schedule for {years} ({sources}): deadlines would be "
                                        "estimated"},
    "doctor.calendar.uncovered.fix": {"zh": "把国务院的放假通知填入 [calendar] holidays / workdays，或升级 holidays 与 "
                                            "chinesecalendar 包（pip install -U holidays chinesecalendar）。",
                                      "en": "Enter the State Council's notice in [calendar] holidays / workdays, or "
                                            "upgrade the holidays and chinesecalendar packages (pip install -U holidays "
                                            "chinesecalendar)."},
}
