"""`/claimbot scorecard` end to end: `claimbot serve` in its own process, signed HTTP requests in, the
answers read as the asker would (Alice and Carol read Chinese, Bob and Dave English)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Refusal
from tests.e2e import Bot, query, served, text_of, write_config

NOTE = "电话沟通了采购需求和预算安排"


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path), scheduler=False) as bot:
        yield bot


def ask(bot: Bot, user: str, text: str, command: str = "/claimbot") -> str:
    status, answer, _ = bot.command(user, command, text)
    assert status == 200, answer
    assert isinstance(answer, dict) and answer.get("response_type") == "ephemeral", answer
    return text_of(answer)


def test_scorecards_over_http(bot):
    ask(bot, "U0ALICE", "Acme Corp", "/claim")
    ask(bot, "U0ALICE", f"Acme Corp | call: {NOTE}", "/followup")
    ask(bot, "U0ALICE", "Acme Corp | won 120000", "/stage")
    ask(bot, "U0ALICE", "Globex", "/claim")
    ask(bot, "U0ALICE", "Globex | lost", "/stage")
    ask(bot, "U0BOB", "Hooli Inc", "/claim")

    # Bob's own, this week, in English
    own = ask(bot, "U0BOB", "scorecard")
    assert "Scorecard of <@U0BOB> · week of" in own
    assert "*Claims*\n1" in own and "*Qualifying follow-ups*\n0" in own
    assert "*Conversion*\n— (0 won of 0 decided)" in own and "*Recycled from you*\n0" in own
    assert "(0 measured, 1 still waiting)" in own  # Hooli has no follow-up yet
    assert "Conversion = customers moved to won" in own  # the footnote defines the numbers

    # a manager asks for Alice's month, in Chinese
    carol = ask(bot, "U0MGR1", "scorecard <@U0ALICE|alice> month")
    assert "<@U0ALICE> 的本月成绩" in carol
    assert "*认领*\n2" in carol and "*有效跟进*\n1" in carol and "*阶段推进*\n0" in carol
    assert "*赢单*\n1（金额 12万）" in carol and "*转化率*\n50%（赢 1 / 定局 2）" in carol
    assert "*撞单*\n胜 0 · 负 0" in carol and "本期新增 0" in carol
    # the Chinese verb and period, another manager reading English
    dave = ask(bot, "U0MGR2", "成绩 <@U0ALICE> 周")
    assert "Scorecard of <@U0ALICE> · week of" in dave and "*Wins*\n1 (120,000 won)" in dave
    assert "*Recycled from them*\n0" in dave

    # a rep asking for someone else's is refused, in their language, and the refusal recorded
    assert "Only managers can see another rep's scorecard" in ask(bot, "U0BOB", "scorecard <@U0ALICE|alice> month")
    assert "只有经理可以查看别人的成绩卡" in ask(bot, "U0ALICE", "成绩 <@U0BOB>")
    refusals = query(bot.url, select(Refusal.actor, Refusal.subject, Refusal.reason).where(Refusal.action == "scorecard"))
    assert sorted(refusals) == [("U0ALICE", "U0BOB", "not_manager"), ("U0BOB", "U0ALICE", "not_manager")]

    # unknown people and bad periods get a clear answer, not a crash
    assert "<@U0NOBODY> has no record in ClaimBot yet" in ask(bot, "U0MGR2", "scorecard <@U0NOBODY>")
    assert "/claimbot scorecard [@rep] [week|month]" in ask(bot, "U0BOB", "scorecard year")
    assert "/claimbot scorecard [@同事] [week|month]" in ask(bot, "U0ALICE", "成绩 今天")
    assert "/claimbot scorecard" in ask(bot, "U0BOB", "nonsense")  # the verb list mentions it
