"""Strings for the weekly chart (PRODUCT 3.7), zh and en: the picture's own text and its Slack comment."""

from __future__ import annotations

WEEKLY: dict[str, dict[str, str]] = {
    # --- in the picture (the renderer falls back to en when no installed font has the zh glyphs)
    "weekly.chart.title": {"zh": "{week} 周报 · {first} 至 {last}", "en": "Week {week} · {first} to {last}"},
    "weekly.chart.claims": {"zh": "认领", "en": "Claims"},
    "weekly.chart.followups": {"zh": "有效跟进", "en": "Qualifying follow-ups"},
    "weekly.chart.wins": {"zh": "赢单", "en": "Wins"},
    "weekly.chart.empty": {"zh": "本周没有认领、有效跟进或赢单", "en": "No claims, follow-ups or wins this week"},
    # --- the upload's title and comment in the digest channel
    "weekly.file_title": {"zh": "{week} 周报图（{first} 至 {last}）", "en": "Weekly chart {week} ({first} to {last})"},
    "weekly.comment": {
        "zh": "📊 上周（{first} 至 {last}）每位销售的认领、有效跟进和赢单。全队：认领 {claims} · 有效跟进 {followups}"
              " · 赢单 {wins}。",
        "en": "📊 Last week ({first} to {last}): each rep's claims, qualifying follow-ups and wins. Team: claims "
              "{claims} · follow-ups {followups} · wins {wins}.",
    },
    "weekly.comment_empty": {
        "zh": "📊 上周（{first} 至 {last}）没有认领、有效跟进或赢单。",
        "en": "📊 Last week ({first} to {last}) had no claims, qualifying follow-ups or wins.",
    },
    "weekly.more": {"zh": "图中为前 {shown} 人，另有 {n} 人未画出。", "en": "The chart shows the top {shown}; {n} more are left out."},
    "weekly.ids": {"zh": "图中以用户 ID 标出的销售：{pairs}", "en": "Reps labelled by user id in the chart: {pairs}"},
    "weekly.alt_row": {
        "zh": "{who}：认领 {claims}，有效跟进 {followups}，赢单 {wins}",
        "en": "{who}: claims {claims}, follow-ups {followups}, wins {wins}",
    },
}
