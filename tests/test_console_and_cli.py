"""The console demo and the CLI, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "bot" / "console" / "demo.txt"


def claimbot(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, input=stdin, text=True,
                          capture_output=True, timeout=120,
                          env={"DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin", "HOME": str(db.parent)})


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "claimbot.db"
    result = claimbot("console", "--script", str(DEMO), db=db)
    assert result.returncode == 0, result.stderr
    return result, db


def test_the_shipped_demo_shows_the_whole_flow(demo_run):
    out = demo_run[0].stdout
    assert "✅ 新客户 *北京字节跳动科技有限公司*（C-1001）已建档并归你所有。" in out
    assert "is owned by @alice, protected until" in out  # the refused second claim names the owner
    assert "Is it the same company?" in out and "[2] Same company" in out  # the prompt, with buttons
    assert "(only you, updated)" in out  # the button was pressed and the prompt replaced
    assert "已记录对 *北京字节跳动科技有限公司* 的电话跟进" in out  # follow-up
    assert "已放回公海" in out and "You claimed *深圳市腾讯计算机系统有限公司*" in out  # release, then pool claim
    # a dispute decided by a manager, refusals of the non-manager and of the second click
    assert "[5] 维持原负责人   [6] 转给申诉人   [7] 共同负责" in out
    assert "⛔ 只有经理可以做这个决定。什么都没有改变。" in out
    assert "✅ @carol 于" in out and "共同负责：@alice 50% · @bob 50%" in out
    assert "This was already decided; your click changed nothing." in out
    # a handover approved by a manager: the owner changes
    assert "✅ Now owned by @bob (approved by @dave)" in out and "负责人：@bob" in out
    # the Home tab: Bob's customers with deadline and clock, buttons on each row; Carol's team view
    assert "🏠 ClaimBot · My desk" in out and "*🗂 My customers* (2) · nearest deadline first · page 1 of 1" in out
    assert re.search(r"protected until \*\w{3} \d{1,2}, \d{4}\*", out) and "first follow-up deadline" in out and "Open card" in out
    assert "*⚖️ 等待决定*（0）" in out and "*👥 团队本周*" in out
    # customer cards: Alice (not the owner) may only dispute or complain; Bob logs a visit from his card
    assert "[24] 撞单申诉   [25] 客户投诉" in out
    assert "[26] Log follow-up   [27] Change stage   [28] Release   [29] Hand over   [30] Complaint" in out
    assert "📝 Logged a visit follow-up on *深圳市腾讯计算机系统有限公司*. The follow-up clock restarted" in out
    assert "🏠 Home tab of @bob updated" in out
    # a complaint reaches the owner and both managers with a Resolve button
    assert "📝 已记录投诉 #1" in out and "A complaint (#1) about your customer" in out and "[37] 已解决" in out
    # a lead posted to /leads is offered by the rules, can't be claimed by another rep meanwhile, is accepted
    assert '"status": "offered", "owner": null, "offered_to": "U0ALICE", "rule": "console"' in out
    assert "[39] 接受   [40] 放弃" in out and "is a new lead offered to @alice until" in out
    assert "✅ 你已接受 *杭州云帆软件有限公司*（C-1004），成为负责人" in out
    assert "offered to @alice: rule “console” (round robin) #1 (lead from website)" in out and "@alice accepted" in out
    assert "offered @alice 1 · accepted @alice 1 · passed 0 · timed out 0" in out
    assert "Traceback" not in out + demo_run[0].stderr


def test_export_json_and_csv_after_the_demo(demo_run):
    db = demo_run[1]
    exported = json.loads(claimbot("export", "--format", "json", db=db).stdout)
    by_name = {c["name"]: c for c in exported["customers"]}
    assert set(by_name) == {"北京字节跳动科技有限公司", "深圳市腾讯计算机系统有限公司", "<!channel> payload systems",
                            "杭州云帆软件有限公司"}
    assert by_name["杭州云帆软件有限公司"]["owner"] == "U0ALICE"  # the lead Alice accepted
    bytedance = by_name["北京字节跳动科技有限公司"]
    assert bytedance["owner"] == "U0BOB" and bytedance["status"] == "owned" and bytedance["followups"] == 1
    assert bytedance["tier"] == "B" and bytedance["protected_until"] and bytedance["id"] == "C-1001"
    assert by_name["深圳市腾讯计算机系统有限公司"]["owner"] == "U0BOB"
    rows = list(csv.DictReader(io.StringIO(claimbot("export", "--format", "csv", db=db).stdout)))
    assert [r["name"] for r in rows] == [c["name"] for c in exported["customers"]]


def test_console_reads_typed_lines_and_presses_buttons(tmp_path):
    session = "@bob /claim Globex Ltd\n@alice /claim Globex Limited\n@alice /claim\n" \
              "@alice submit name=Initech uscc=91350100M000100Y43 tier=A\n@alice 99\nquit\n"
    result = claimbot("console", "--script", "-", db=tmp_path / "c.db", stdin=session)
    assert result.returncode == 0, result.stderr
    assert "is owned by @bob" in result.stdout or "已归 @bob 所有" in result.stdout
    assert "form “认领客户” opened" in result.stdout
    assert "→ DM to @alice" in result.stdout and "Initech" in result.stdout
    assert "no button [99]" in result.stdout


def test_server_on_an_unmigrated_postgres_database_says_what_to_run(postgres_url, tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port", "0"], cwd=ROOT, text=True,
                            capture_output=True, timeout=60,
                            env={"DATABASE_URL": postgres_url, "PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "x",
                                 "SLACK_SIGNING_SECRET": "y"})
    assert result.returncode != 0
    assert "Run `claimbot db upgrade` first" in result.stderr


def test_console_shows_section_fields_and_keeps_a_forms_prefilled_values(tmp_path):
    """The scorecard is section fields: the console shows its numbers, two to a line as Slack does. A form
    submitted with one changed value keeps every other prefilled value, as Slack does."""
    session = ("@alice /claim Acme\n@alice /claim Globex\n"
               "@alice /followup Acme | call: 和采购部王总通话，约下周二上门演示\n"
               "@alice /claimbot scorecard\n"
               "@carol /claimbot settings\n@carol submit claims.daily_claim_cap=5\n"
               "@carol /claimbot help\nquit\n")
    result = claimbot("console", "--script", "-", db=tmp_path / "c.db", stdin=session)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    scorecard = out[out.index("/claimbot scorecard"):out.index("/claimbot settings")]
    assert "*认领* 2" in scorecard and "*有效跟进* 1" in scorecard and "*阶段推进* 0" in scorecard
    after = out[out.index("submit claims.daily_claim_cap=5"):]
    assert "✗" not in after.split("▶")[0]  # no field refused
    assert "设置已更新（第 1 版" in after.split("▶")[0]
    assert "每日认领上限 5 个" in after and "持有上限 100 个" in after  # only the changed value changed
