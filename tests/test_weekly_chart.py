"""The weekly chart (PRODUCT 3.7): each rep's claims, qualifying follow-ups and wins of the ISO week that
just ended, drawn as grouped bars and uploaded to the digest channel once per week.

The picture is checked as a picture: the PNG is decoded and its bars are found by their colours in the
pixels (how many, in which order, how tall). The end-to-end tests run `claimbot jobs run weekly` as two
processes at the same moment against the Slack stand-in, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import update
from sqlmodel import select

from bot import scheduler
from bot.config import ClaimSettings, Settings, TeamSettings
from bot.jobs import registry
from bot.results.weekly_chart import ChartRow, WeeklyChart
from bot.rules import weeks
from bot.services import activity, claims, reps, weekly_chart
from bot.services.context import ServiceContext
from bot.slack.delivery import Dispatcher
from bot.views import chart_png
from bot.views.weekly_chart import upload_text
from storage import migrate
from storage.engine import make_engine, read_session, write_session
from storage.models import JobRun, Outbox
from tests.e2e import SECRET, TOKEN, write_config
from tests.support.imports import loaded_after

TZ = ZoneInfo("Asia/Shanghai")
W48 = date(2026, 11, 23)  # Monday of ISO week 2026-W48
ALICE, BOB, DAVE, ERIN = "U0ALICE", "U0BOB", "U0DAVE", "U0ERIN"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


# --- reading bars out of a PNG


def bars_in(png: bytes, color: str) -> list[tuple[int, int]]:
    """(x centre, height in pixels) of each bar of ``color``, left to right, standing on the x axis (the
    longest dark line in the picture; the legend's patches lie below it): the pixel row above the axis
    that crosses the most runs of that colour crosses every bar."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    target = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
    mask = (np.abs(image - target) <= 6).all(axis=2)
    dark = (image < 80).all(axis=2)
    axis_y = max(range(dark.shape[0]), key=lambda y: max((b - a for a, b in runs_of(dark[y])), default=0))
    mask[axis_y:] = False
    best_y, best = 0, []
    for y in range(mask.shape[0]):
        runs = runs_of(mask[y], min_length=3)
        if len(runs) > len(best):
            best_y, best = y, runs
    result = []
    for start, end in best:
        x = (start + end) // 2
        result.append((x, next(b - a + 1 for a, b in runs_of(mask[:, x]) if a <= best_y <= b)))
    return result


def runs_of(line: np.ndarray, min_length: int = 1) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    padded = np.concatenate([[False], line, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_length]


def bar_heights(png: bytes, color: str) -> list[int]:
    return [h for _, h in bars_in(png, color)]


def visible_bars(png: bytes) -> dict[str, int]:
    return {series: len(bars_in(png, chart_png.COLORS[series])) for series in chart_png.SERIES}


def chart_of(*rows: ChartRow, more: int = 0) -> WeeklyChart:
    return WeeklyChart("2026-W48", "2026-11-23", "2026-11-29", rows, more)


def dejavu() -> chart_png.Fonts:
    """The fonts matplotlib always has, whatever else the machine has installed."""
    return chart_png.base_fonts()


# --- ISO weeks and the schedule


def test_the_week_that_just_ended_is_the_iso_week_before_today():
    assert weeks.ended_week(date(2026, 11, 30)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert weeks.ended_week(date(2026, 12, 6)) == (date(2026, 11, 23), date(2026, 11, 29))  # the Sunday after
    assert weeks.label(date(2026, 11, 23)) == "2026-W48"
    # around New Year the ISO year is not the calendar year: 2026 has 53 ISO weeks
    assert weeks.ended_week(date(2027, 1, 4)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert weeks.label(date(2026, 12, 28)) == weeks.label(date(2027, 1, 3)) == "2026-W53"
    assert weeks.label(date(2027, 1, 4)) == "2027-W01"


def test_the_weekly_job_runs_on_mondays_and_its_slot_is_the_week_it_reports(tmp_path):
    ctx = ServiceContext(make_engine(f"sqlite:///{tmp_path}/s.db"), Settings(database_url=f"sqlite:///{tmp_path}/s.db"))
    job = registry(ctx)["weekly"]
    assert (job.at, job.weekday, job.describe()) == ("09:30", "mon", "weekly on mon at 09:30")
    assert job.slot(date(2026, 11, 30)) == job.slot(date(2026, 12, 5)) == "2026-W48"
    assert not job.time_passed(local(date(2026, 11, 30), 9, 29))
    assert job.time_passed(local(date(2026, 11, 30), 9, 30))
    assert job.time_passed(local(date(2026, 12, 1), 0, 5))  # Tuesday: this week's run time has passed
    daily = registry(ctx)["digest"]
    assert daily.slot(date(2026, 11, 30)) == "2026-11-30" and not daily.time_passed(local(date(2026, 12, 1), 8))
    built = {j.id: j for j in scheduler.build(ctx).get_jobs()}
    assert built["weekly"].trigger.get_next_fire_time(None, local(date(2026, 12, 1), 12)) == local(date(2026, 12, 7), 9, 30)
    assert built["digest"].trigger.get_next_fire_time(None, local(date(2026, 12, 1), 12)) == local(date(2026, 12, 2), 9)
    ctx.engine.dispose()


def test_jobs_list_shows_the_weekly_job(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/l.db", "CLAIMBOT_CONFIG": str(write_config(tmp_path))}
    listed = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "list"], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert "weekly       weekly on mon at 09:30" in listed


# --- the picture


THREE = chart_of(ChartRow(ALICE, "Alice Wang", 6, 4, 2.0), ChartRow(BOB, "Bob Li", 3, 2, 1.0),
                 ChartRow(DAVE, None, 2, 1, 0.5))


def test_the_png_has_three_bars_per_rep_in_the_series_colours(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)  # CI has no display; neither does this render
    picture = chart_png.render(THREE, "en", dejavu())
    assert picture.png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(picture.png))
    assert (image.format, image.size) == ("PNG", picture.size)
    assert len(picture.bars) == 9 and [b.series for b in picture.bars[:3]] == ["claims"] * 3
    assert visible_bars(picture.png) == {"claims": 3, "followups": 3, "wins": 3}
    # left to right in the data's order, as tall as the numbers: 6:3:2 claims, 4:2:1 follow-ups
    claims_bars = bars_in(picture.png, chart_png.COLORS["claims"])
    assert [x for x, _ in claims_bars] == sorted(x for x, _ in claims_bars)
    for series, values in (("claims", (6, 3, 2)), ("followups", (4, 2, 1)), ("wins", (2, 1, 0.5))):
        heights = bar_heights(picture.png, chart_png.COLORS[series])
        assert [h / heights[0] for h in heights] == pytest.approx([v / values[0] for v in values], rel=0.03), \
            (series, heights)
    # each rep's three bars stand side by side: claims, then follow-ups, then wins
    followup_x = [x for x, _ in bars_in(picture.png, chart_png.COLORS["followups"])]
    wins_x = [x for x, _ in bars_in(picture.png, chart_png.COLORS["wins"])]
    assert all(c < f < w for (c, _), f, w in zip(claims_bars, followup_x, wins_x, strict=True))


def test_a_zero_is_a_bar_with_no_height_and_many_reps_still_get_a_bar_each():
    zero_wins = chart_of(ChartRow(ALICE, "Alice Wang", 2, 1, 0.0), ChartRow(BOB, "Bob Li", 1, 0, 1.0))
    picture = chart_png.render(zero_wins, "en", dejavu())
    assert len(picture.bars) == 6 and [b.value for b in picture.bars if b.series == "wins"] == [0.0, 1.0]
    assert visible_bars(picture.png) == {"claims": 2, "followups": 1, "wins": 1}
    twelve = chart_of(*(ChartRow(f"U0REP{i:02d}", f"Rep {i}", 12 - i, 1 + i % 3, 1.0) for i in range(12)))
    picture = chart_png.render(twelve, "zh", dejavu())
    assert visible_bars(picture.png) == {"claims": 12, "followups": 12, "wins": 12}
    assert picture.size[0] > 1000  # wider with more reps


def test_names_without_glyphs_become_user_ids_and_nothing_is_drawn_as_tofu():
    fonts = dejavu()
    week = chart_of(ChartRow(ALICE, "Alice Wang", 2, 1, 1.0), ChartRow(BOB, "王小明", 1, 2, 0.0),
                    ChartRow(DAVE, "<!channel> José", 1, 0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for tofu
        picture = chart_png.render(week, "zh", fonts)
    assert picture.labels == {ALICE: "Alice Wang", BOB: BOB, DAVE: "<!channel> José"}
    assert picture.language == "en"  # DejaVu has no Chinese: the picture's own words fall back to English
    assert visible_bars(picture.png) == {"claims": 3, "followups": 2, "wins": 1}
    text = upload_text(week, "zh", picture.labels)
    assert text.comment.startswith("📊 上周（2026年11月23日 至 2026年11月29日）")
    assert "全队：认领 4 · 有效跟进 3 · 赢单 1" in text.comment
    assert "图中以用户 ID 标出的销售：U0BOB = 王小明" in text.comment
    assert "&lt;!channel&gt;" not in text.comment  # only relabelled names are listed, and escaped
    assert text.title == "2026-W48 周报图（2026年11月23日 至 2026年11月29日）"
    assert "王小明：认领 1，有效跟进 2，赢单 0" in text.alt
    # with a CJK font installed (say Noto Sans CJK) the same data keeps its names and Chinese words
    cjk = chart_png.Fonts((*fonts.families, "Noto Sans CJK SC"),
                          fonts.covered | frozenset(range(0x3000, 0x3040)) | frozenset(range(0x4E00, 0xA000))
                          | frozenset(range(0xFF00, 0xFFF0)))
    assert chart_png.label_for(week.rows[1], cjk) == "王小明" and chart_png.picture_language("zh", cjk) == "zh"
    assert chart_png.picture_language("zh", fonts) == "en" and chart_png.picture_language("en", fonts) == "en"


def test_the_comment_counts_reps_left_out_and_an_empty_week_renders():
    week = chart_of(ChartRow(ALICE, "Alice Wang", 2, 1, 1.5), more=4)
    text = upload_text(week, "en", {ALICE: "Alice Wang"})
    assert text.comment.splitlines() == [
        "📊 Last week (Nov 23, 2026 to Nov 29, 2026): each rep's claims, qualifying follow-ups and wins. "
        "Team: claims 2 · follow-ups 1 · wins 1.5.",
        "The chart shows the top 1; 4 more are left out."]
    picture = chart_png.render(chart_of(), "en", dejavu())
    assert picture.png.startswith(PNG_MAGIC) and picture.bars == ()
    assert visible_bars(picture.png) == {"claims": 0, "followups": 0, "wins": 0}


def test_matplotlib_is_not_loaded_when_the_bot_starts():
    assert loaded_after(["bot.cli", "bot.app", "bot.server", "bot.scheduler", "bot.slack.delivery", "bot.slack.uploads",
                         "bot.jobs.weekly"], ["matplotlib"]) == []


# --- the week's numbers, from the database


def seed(url: str) -> ServiceContext:
    """W48: Alice 3 claims, 1 qualifying follow-up (a second the same day doesn't count), 1 win; Dave 1
    claim and 1 win; Bob 1 claim, 2 follow-ups; Erin only advanced a stage (not charted). W49: Alice 1 claim."""
    migrate.upgrade(url)
    ctx = ServiceContext(make_engine(url), Settings(
        database_url=url, team=TeamSettings(managers=["U0MGR1"], digest_channel="C0SALES"),
        claims=ClaimSettings(daily_claim_cap=100)))
    for rep, name in ((ALICE, "Alice Wang"), (BOB, "王小明")):
        reps.remember_profile(ctx, rep, "zh-CN", name, local(W48, 8))

    def claim(rep: str, name: str, at: datetime) -> None:
        assert claims.claim(ctx, rep, claims.ClaimRequest(name=name), at).outcome == "created"

    def ok(result) -> None:  # type: ignore[no-untyped-def]
        assert result.outcome in ("logged", "changed", "not_qualifying"), result

    claim(ERIN, "Wayne", local(W48 - timedelta(days=3), 10))  # the week before
    for i, name in enumerate(("Acme", "Globex", "Initech")):
        claim(ALICE, name, local(W48, 10 + i))
    claim(BOB, "Hooli", local(W48, 11))
    ok(activity.log_followup(ctx, ALICE, "Acme | call: 电话沟通了需求和预算", local(W48 + timedelta(days=1), 10)))
    ok(activity.log_followup(ctx, ALICE, "Acme | visit: 当天再次拜访，见了采购", local(W48 + timedelta(days=1), 15)))
    ok(activity.log_followup(ctx, BOB, "Hooli | call: discussed the budget", local(W48 + timedelta(days=1), 10)))
    ok(activity.log_followup(ctx, BOB, "Hooli | email: sent the proposal draft", local(W48 + timedelta(days=2), 10)))
    claim(DAVE, "Stark", local(W48 + timedelta(days=2), 9))
    ok(activity.change_stage(ctx, ALICE, "Globex | won 120000", local(W48 + timedelta(days=3), 16)))
    ok(activity.change_stage(ctx, DAVE, "Stark | won 5万", local(W48 + timedelta(days=4), 16)))
    ok(activity.change_stage(ctx, ERIN, "Wayne | contacted", local(W48 + timedelta(days=1), 9)))
    claim(ALICE, "Wonka", local(W48 + timedelta(days=8), 10))  # Tuesday of W49
    return ctx


EXPECTED_W48 = [(ALICE, "Alice Wang", 3, 1, 1.0), (DAVE, None, 1, 0, 1.0), (BOB, "王小明", 1, 2, 0.0)]


def test_the_chart_counts_what_the_leaderboard_counts(engine_url):
    ctx = seed(engine_url)
    try:
        week = weekly_chart.chart(ctx, W48)
        assert (week.week, week.first, week.last, week.more) == ("2026-W48", "2026-11-23", "2026-11-29", 0)
        assert [(r.rep, r.name, r.claims, r.followups, r.wins) for r in week.rows] == EXPECTED_W48
        assert WeeklyChart.from_data(json.loads(json.dumps(week.to_data()))) == week
        assert weekly_chart.decide(ctx, W48, local(W48 + timedelta(days=7), 9, 30), "C0SALES") == "decided"
        assert weekly_chart.decide(ctx, W48, local(W48 + timedelta(days=7), 9, 31), "C0SALES") == "already"
        assert weekly_chart.decide(ctx, W48 - timedelta(days=14), local(W48, 9, 30), "C0SALES") == "empty"
        with read_session(ctx.engine) as s:
            rows = s.exec(select(Outbox)).all()
        assert [(r.key, r.kind, r.channel) for r in rows if r.kind == "weekly_chart"] == [
            ("weekly_chart:2026-W48", "weekly_chart", "C0SALES")]
    finally:
        ctx.engine.dispose()


def test_catch_up_runs_a_missed_weekly_slot_once(engine_url):
    ctx = seed(engine_url)
    try:
        assert "weekly" not in scheduler.catch_up(ctx, local(W48 + timedelta(days=7), 8))  # Monday, before 09:30
        assert "weekly" in scheduler.catch_up(ctx, local(W48 + timedelta(days=8), 8))  # Tuesday: missed it
        assert "weekly" not in scheduler.catch_up(ctx, local(W48 + timedelta(days=10), 8))  # Thursday: done
        assert "weekly" in scheduler.catch_up(ctx, local(W48 + timedelta(days=14), 9, 45))  # next Monday
        with read_session(ctx.engine) as s:
            slots = {r.slot: r.summary for r in s.exec(select(JobRun).where(JobRun.job == "weekly")).all()}
            keys = [r.key for r in s.exec(select(Outbox).where(Outbox.kind == "weekly_chart")).all()]
        assert slots == {"2026-W48": "weekly chart for 2026-W48 decided for C0SALES",
                         "2026-W49": "weekly chart for 2026-W49 decided for C0SALES"}
        assert keys == ["weekly_chart:2026-W48", "weekly_chart:2026-W49"]
    finally:
        ctx.engine.dispose()


# --- delivery: Slack's upload flow, never twice


def delivery_ctx(ctx: ServiceContext, standin) -> ServiceContext:  # type: ignore[no-untyped-def]
    settings = ctx.settings.model_copy(update={"slack_api_url": standin.api_url, "slack_bot_token": TOKEN})
    return ServiceContext(ctx.engine, settings)


def uploads_of(standin) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.method for c in standin.calls if c.method.startswith("files.") or c.method == "upload"]


def test_a_retry_finds_a_completed_upload_and_a_failed_one_uploads_once(sqlite_url, standin):
    ctx = delivery_ctx(seed(sqlite_url), standin)
    try:
        standin.fail_next("upload", 500)  # the bytes don't arrive the first time
        assert weekly_chart.decide(ctx, W48, local(W48 + timedelta(days=7), 9, 30), "C0SALES") == "decided"
        stats = Dispatcher(ctx).flush(max_seconds=20)
        assert (stats.sent, stats.retried) == (1, 1)
        assert uploads_of(standin) == ["files.getUploadURLExternal", "upload",  # failed: not completed
                                       "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
        files = standin.files("C0SALES")
        assert [f["name"] for f in files] == ["claimbot-weekly-2026-W48.png"]
        assert visible_bars(files[0]["data"]) == {"claims": 3, "followups": 2, "wins": 2}
        # the sender dies after completeUploadExternal, before marking the row sent: its lease runs out
        with write_session(ctx.engine) as s:
            s.execute(update(Outbox).where(Outbox.kind == "weekly_chart")  # type: ignore[arg-type]
                      .values(status="sending", lease_until=datetime(2020, 1, 1, tzinfo=UTC)))
        stats = Dispatcher(ctx).flush(max_seconds=10)
        assert (stats.sent, stats.already_sent) == (0, 1)
        assert len(standin.files("C0SALES")) == 1 and uploads_of(standin).count("files.completeUploadExternal") == 1
        with read_session(ctx.engine) as s:
            assert s.exec(select(Outbox.status).where(Outbox.kind == "weekly_chart")).one() == "sent"
    finally:
        ctx.engine.dispose()


def test_the_stand_in_speaks_slacks_upload_flow(standin):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=TOKEN, base_url=standin.api_url)
    got = client.files_getUploadURLExternal(filename="a.png", length=4)
    assert got["upload_url"] == f"{standin.base_url}/upload/{got['file_id']}"  # on loopback, the stand-in itself
    with pytest.raises(SlackApiError) as refused:  # bytes never arrived
        client.files_completeUploadExternal(files=[{"id": got["file_id"]}], channel_id="C0SALES")
    assert refused.value.response["error"] == "file_not_found"
    done = client.files_upload_v2(channel="C0SALES", content=b"\x89PNG", filename="b.png", title="B",
                                  initial_comment="hello <@U0ALICE>")
    assert done["file"]["title"] == "B"
    shared = standin.files("C0SALES")
    assert [(f["name"], f["data"], f["title"]) for f in shared] == [("b.png", b"\x89PNG", "B")]
    history = client.conversations_history(channel="C0SALES")["messages"]
    assert history[0]["text"] == "hello <@U0ALICE>" and history[0]["files"][0]["name"] == "b.png"
    with pytest.raises(SlackApiError):  # completing twice
        client.files_completeUploadExternal(files=[{"id": done["file"]["id"]}], channel_id="C0SALES")


# --- end to end: `claimbot jobs run weekly` in two processes at the same moment


def jobs_run(env: dict[str, str], at: datetime) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs", "run", "weekly", "--at", at.isoformat(),
                             "--deliver-seconds", "30"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def both(env: dict[str, str], at: datetime) -> list[str]:
    processes = [jobs_run(env, at), jobs_run(env, at)]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


def test_two_processes_upload_the_weeks_chart_once_and_next_monday_again(engine_url, standin, tmp_path):
    seed(engine_url).engine.dispose()
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CLAIMBOT_CONFIG", "DISPLAY")},
           "DATABASE_URL": engine_url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_BOT_TOKEN": TOKEN, "CLAIMBOT_CONFIG": str(write_config(tmp_path))}
    outputs = both(env, local(W48 + timedelta(days=7), 9, 31))
    summaries = sorted(line for out in outputs for line in out.splitlines() if line.startswith("weekly at"))
    assert any("decided for C0SALES" in s for s in summaries), outputs
    assert uploads_of(standin).count("files.getUploadURLExternal") == 1
    assert uploads_of(standin).count("files.completeUploadExternal") == 1
    [chart] = standin.files("C0SALES")
    assert chart["name"] == "claimbot-weekly-2026-W48.png" and chart["data"].startswith(PNG_MAGIC)
    assert chart["length"] == len(chart["data"])
    assert visible_bars(chart["data"]) == {"claims": 3, "followups": 2, "wins": 2}  # Alice, Dave, Bob; zeros flat
    alice, dave, bob = bar_heights(chart["data"], chart_png.COLORS["claims"])
    assert alice / dave == pytest.approx(3, rel=0.03) and dave == bob  # Alice's 3 claims, Dave's 1, Bob's 1
    [message] = [m for m in standin.messages("C0SALES") if m.get("files")]
    assert message["text"].startswith("📊 上周（2026年11月23日 至 2026年11月29日）")
    assert "全队：认领 5 · 有效跟进 3 · 赢单 2" in message["text"]
    # the same week again (Wednesday): nothing new
    both(env, local(W48 + timedelta(days=9), 10))
    assert uploads_of(standin).count("files.completeUploadExternal") == 1
    # next Monday: W49's chart (Alice's one claim)
    both(env, local(W48 + timedelta(days=14), 9, 31))
    names = [f["name"] for f in standin.files("C0SALES")]
    assert names == ["claimbot-weekly-2026-W48.png", "claimbot-weekly-2026-W49.png"]
    assert visible_bars(standin.files("C0SALES")[1]["data"]) == {"claims": 1, "followups": 0, "wins": 0}
    assert uploads_of(standin).count("files.getUploadURLExternal") == 2
