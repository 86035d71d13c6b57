"""The digest and leaderboard messages stay within Block Kit limits with adversarial content, in zh and en,
and render the same from their JSON snapshot (what the outbox stores) as from the result objects."""

from __future__ import annotations

import json

import pytest

from bot.results.scoreboard import (
    LIST_CAP,
    ROWS_CAP,
    UPCOMING_CAP,
    ApprovalItem,
    CaseItem,
    ClaimItem,
    CustomerRef,
    DecisionItem,
    Digest,
    Leaderboard,
    ReturnItem,
    ScoreRow,
    Section,
    UpcomingItem,
)
from bot.views import digest as view
from bot.views.notices import render
from tests.test_blockkit import NAMES, REASON, check_message

TZ = "Asia/Shanghai"
WHEN = "2026-11-26T07:00:00+00:00"


def full_digest(name: str) -> Digest:
    ref = CustomerRef("C-99999", name)
    reps = [f"U0REP{i}" for i in range(40)]
    decisions = [DecisionItem("case", i, ref, outcome, "U0MGR1", WHEN, reps[i], reps[i + 1], 40,
                              kind="appeal" if i % 2 else "dispute")
                 for i, outcome in enumerate(["keep", "transfer", "coown", "expired"] * 2)]
    decisions += [DecisionItem("handover", i, ref, outcome, "U0MGR2", WHEN, reps[i], reps[i + 2])
                  for i, outcome in enumerate(["approved", "rejected"])]
    return Digest(
        day="2026-11-27", yesterday="2026-11-26",
        new_claims=Section(500, tuple(ClaimItem(ref, reps[i], "assign" if i % 2 else "claim", WHEN, "U0MGR1")
                                      for i in range(LIST_CAP))),
        claims_by_rep={rep: 12 for rep in reps},
        returned=Section(300, tuple(ReturnItem(ref, reps[i], kind, WHEN, reason=REASON if kind == "release" else None,
                                               clock="followup" if kind == "recycle" else None,
                                               until="2026-11-25" if kind == "recycle" else None)
                                    for i, kind in enumerate(["release", "recycle", "lost"] * 3 + ["release"]))),
        upcoming=Section(999, tuple(UpcomingItem(ref, reps[i], "2026-11-28", "progress") for i in range(UPCOMING_CAP))),
        upcoming_by_rep={rep: 25 for rep in reps}, upcoming_until="2026-12-03",
        disputes=Section(80, tuple(CaseItem(i, "dispute", ref, reps[i], reps[i + 1], WHEN) for i in range(LIST_CAP))),
        approvals=Section(70, tuple(ApprovalItem(i, ref, reps[i], reps[i + 1], reps[i], WHEN)
                                    for i in range(LIST_CAP))),
        decisions=Section(200, tuple(decisions[:LIST_CAP])),
        names={rep: name for rep in reps[::2]},
    )


def full_board(name: str, viewer: str | None) -> Leaderboard:
    rows = tuple(ScoreRow(i + 1, f"U0REP{i}", name if i % 2 else None, 999, 999, 99, 12.34, 123_456_789.5, 99_999.99,
                          3 if viewer else None, 2 if viewer else None) for i in range(ROWS_CAP))
    you = ScoreRow(57, viewer, name, 1, 0, 0, 0.0, 0.0, 1.0, 5, 5) if viewer else None
    return Leaderboard("week", "2026-11-23", "2026-11-29", rows, 60, {"claims": 1, "followups": 0.5, "advances": 3,
                                                                       "wins": 10}, 10_000, viewer, you,
                       manager_view=viewer == "U0MGR1")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("script", ["latin", "cjk"])
def test_a_full_digest_is_within_limits_and_escaped(lang, script):
    d = full_digest(NAMES[script])
    message = view.digest(d, lang, TZ)
    check_message(f"digest [{lang}, {script}]", message)
    text = json.dumps(message, ensure_ascii=False)
    for more in (490, 290, 994, 70, 60, 190):
        assert (f"…and {more} more" if lang == "en" else f"…还有 {more} 项") in text
    assert render("digest", json.loads(json.dumps(d.to_data(), ensure_ascii=False)), lang, TZ) == message


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewer", [None, "U0REP77", "U0MGR1"])
def test_a_full_leaderboard_is_within_limits_and_escaped(lang, viewer):
    board = full_board(NAMES["cjk" if lang == "zh" else "latin"], viewer)
    message = view.leaderboard(board, lang, TZ)
    check_message(f"leaderboard [{lang}, {viewer}]", message)
    text = json.dumps(message, ensure_ascii=False)
    assert ("…and 40 more" if lang == "en" else "…还有 40 人") in text
    assert ("57. " in text) == (viewer is not None)
    assert render("leaderboard", json.loads(json.dumps(board.to_data())), lang, TZ) == message


def test_numbers_are_shown_plainly():
    assert [view.number(x) for x in (12.0, 2.5, 3.333, 0.6)] == ["12", "2.5", "3.33", "0.6"]
    assert [view.money(x) for x in (120000.0, 1234.5)] == ["120,000", "1,234.50"]
    assert [view.money(x, "zh") for x in (125000.0, 12345678.0, 9500.0)] == ["12.5万", "1234.57万", "9,500"]
