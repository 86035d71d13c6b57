"""`claimbot import --followups FILE` (issue 12): activities and notes come along with their own dates,
and move a clock on only when newer than the ownership's last follow-up."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.services.import_followups import import_followups, open_followups
from bot.services.importer import ImportOptions, import_csv, open_csv
from storage.engine import read_session
from storage.models import Customer, FollowUp, Ownership
from tests.test_import import make_ctx

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TODAY = NOW.date()


def at(days: int) -> str:
    return (NOW - timedelta(days=days)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def ctx(engine_url, tmp_path):
    context = make_ctx(engine_url)
    customers = write(tmp_path / "customers.csv", ["客户名称", "负责人", "客户级别", "最后跟进时间"], [
        ["杭州云栖科技有限公司", "U0ALICE", "B", at(20)],
        ["Dunder Mifflin", "U0BOB", "B", ""],
        ["深圳前海微众贸易有限公司", "", "B", ""],
    ])
    import_csv(context, open_csv(customers), NOW, ImportOptions(source="customers.csv"))
    yield context
    context.engine.dispose()


def protection(ctx) -> dict[str, object]:
    with read_session(ctx.engine) as s:
        return {c.name: o.protected_until for c, o in s.exec(select(Customer, Ownership).join(
            Ownership, col(Ownership.customer_id) == Customer.id))}


def test_fxiaoke_followups_attach_with_their_dates_and_move_only_newer_clocks(ctx, tmp_path):
    assert protection(ctx)["杭州云栖科技有限公司"] == TODAY + timedelta(days=10)
    path = write(tmp_path / "跟进记录.csv", ["客户名称", "跟进时间", "跟进方式", "跟进内容", "跟进人", "所属部门"], [
        ["杭州云栖科技有限公司", at(45), "电话", "初次电话，约了下周拜访", "U0ALICE", "华东"],
        ["杭州云栖科技有限公司", at(5), "拜访", "现场演示，客户要报价", "U0ALICE", "华东"],
        ["北京没有这家公司", at(3), "电话", "……", "U0ALICE", ""],
        ["深圳前海微众贸易有限公司", at(3), "微信", "发了资料", "U0BOB", ""],
        ["杭州云栖科技有限公司", "下周", "电话", "日期写错了", "U0ALICE", ""],
    ], encoding="gb18030")
    outcomes = []
    report = import_followups(ctx, open_followups(path), NOW, on_row=outcomes.append)
    assert report.counts == {"attached": 2, "unchanged": 0, "skipped": 3} and report.clocks_moved == 1
    assert [(o.row, o.reason) for o in outcomes if o.status == "skipped"] == [
        (4, "no_customer"), (5, "never_owned"), (6, "bad_date")]
    # the 5-day-old visit moves the 30-day follow-up clock on; the 45-day-old call restarts nothing
    assert protection(ctx)["杭州云栖科技有限公司"] == TODAY + timedelta(days=25)
    with read_session(ctx.engine) as s:
        notes = s.exec(select(FollowUp.kind, FollowUp.note, FollowUp.local_day).order_by(FollowUp.at)).all()
    assert [(k, n) for k, n, _ in notes] == [("call", "初次电话，约了下周拜访"), ("visit", "现场演示，客户要报价")]
    assert notes[0][2] == (NOW - timedelta(days=45)).date()
    again = import_followups(ctx, open_followups(path), NOW)
    assert again.counts == {"attached": 0, "unchanged": 2, "skipped": 3}


def test_salesforce_task_report_with_subject_and_comments(ctx, tmp_path):
    path = write(tmp_path / "report.csv", ["Subject", "Company / Account", "Date", "Assigned", "Comments", "Task"], [
        ["Call", "Dunder Mifflin", (NOW - timedelta(days=2)).strftime("%m/%d/%Y"), "Bob", "Asked for a quote", "1"],
        ["Email", "Dunder Mifflin", (NOW - timedelta(days=40)).strftime("%m/%d/%Y"), "Bob", "", "1"],
    ])
    report = import_followups(ctx, open_followups(path), NOW)
    assert report.counts["attached"] == 2 and report.clocks_moved == 1
    assert protection(ctx)["Dunder Mifflin"] == TODAY - timedelta(days=2) + timedelta(days=30)
    with read_session(ctx.engine) as s:
        assert sorted(s.exec(select(FollowUp.note)).all()) == ["Call: Asked for a quote", "Email"]


def test_cli_followups_dry_run_writes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    ctx = make_ctx(url)
    import_csv(ctx, open_csv(write(tmp_path / "c.csv", ["name", "owner"], [["Initech", "U0ALICE"]])), NOW,
               ImportOptions())
    ctx.engine.dispose()
    path = write(tmp_path / "notes.csv", ["Related To", "Created Time", "Note Content"],
                 [["Initech", at(1), "TPS reports"], ["Nobody Inc", at(1), "?"]])
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CLAIMBOT_TEAM__LANGUAGE": "en"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "import", "--followups", str(path), "--dry-run"],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Attached 1 follow-ups (1 newer than the last one" in done.stdout
    assert "row 3 skipped: no customer named Nobody Inc" in done.stdout and "Dry run" in done.stdout
    assert "  Note Content → note" in done.stdout
    ctx = make_ctx(url)
    with read_session(ctx.engine) as s:
        assert s.exec(select(FollowUp)).all() == []
    ctx.engine.dispose()
