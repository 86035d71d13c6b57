"""The weekly chart's Slack text: the file's title, the comment it is posted with, and its alt text. Pure.

The picture itself is bot/views/chart_png.py (matplotlib), imported only where a chart is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import t
from bot.results.weekly_chart import WeeklyChart
from bot.views.claims import day
from bot.views.digest import number
from bot.views.text import escape, truncate

ALT_MAX = 1000  # Slack's limit for a file's alt text
NAME_MAX = 40


@dataclass(frozen=True)
class UploadText:
    title: str
    comment: str  # mrkdwn: names are escaped
    alt: str  # plain text


def upload_text(chart: WeeklyChart, lang: str, labels: dict[str, str]) -> UploadText:
    """``labels``: what the picture calls each rep (a user id where the name's glyphs were missing)."""
    dates = {"first": day(chart.first, lang), "last": day(chart.last, lang)}
    title = t("weekly.file_title", lang, week=chart.week, **dates)
    if not chart.rows:
        empty = t("weekly.comment_empty", lang, **dates)
        return UploadText(title, empty, f"{title}\n{empty}")
    totals = {"claims": sum(r.claims for r in chart.rows), "followups": sum(r.followups for r in chart.rows),
              "wins": number(sum(r.wins for r in chart.rows), lang)}
    lines = [t("weekly.comment", lang, **dates, **totals)]
    if chart.more:
        lines.append(t("weekly.more", lang, shown=len(chart.rows), n=chart.more))
    relabelled = [f"{r.rep} = {escape(truncate(r.name, NAME_MAX))}" for r in chart.rows
                  if r.name and labels.get(r.rep) == r.rep]
    if relabelled:
        lines.append(t("weekly.ids", lang, pairs=" · ".join(relabelled)))
    alt = "\n".join(t("weekly.alt_row", lang, who=r.name or r.rep, claims=r.claims, followups=r.followups,
                      wins=number(r.wins, lang)) for r in chart.rows)
    return UploadText(title, "\n".join(lines), truncate(f"{title}\n{alt}", ALT_MAX))
