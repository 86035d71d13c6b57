"""The console presses a customer card's buttons and fills its forms (dates and people included)."""

from __future__ import annotations

from tests.test_console_and_cli import claimbot


def test_the_console_logs_a_follow_up_and_hands_over_from_the_card(tmp_path):
    session = "\n".join([
        "@alice /claim Acme Corp",
        "@alice /customer Acme Corp",
        "@alice 1",  # 记录跟进
        '@alice submit kind=wechat note="发了报价单和两个成功案例" next_contact=2099-01-05',
        "@alice 9",  # 转交, on the updated card
        '@alice submit to=@bob reason="我下月调去华南区"',
        "quit", ""])
    result = claimbot("console", "--script", "-", db=tmp_path / "c.db", stdin=session)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] 记录跟进   [2] 推进阶段   [3] 放回公海   [4] 转交   [5] 客户投诉" in out
    assert "form “记录跟进” opened" in out and "next_contact: 下次联系日期 (optional)" in out
    assert "(only you, updated)" in out and "已记录对 *Acme Corp* 的微信跟进" in out
    assert "📅 下次联系：2099年1月5日" in out and "[9] 转交" in out
    assert "form “转交客户” opened" in out
    assert "已提交转交 #1：*Acme Corp* → @bob，等待经理批准。" in out
