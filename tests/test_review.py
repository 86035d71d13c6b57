"""The managers' review queue (issue 12): a probable duplicate created by /claim and one created by the
import both appear with their candidates and why; *Not the same* remembers the pair and clears the flag;
only managers see it. Service against SQLite and PostgreSQL, and the button over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.results.claims import ClaimOutcome
from bot.results.review import ReviewOutcome
from bot.services import claims, home, review
from bot.services.claims import ClaimRequest
from bot.services.importer import ImportOptions, import_csv, open_csv
from bot.views.home import home_view
from storage.engine import read_session
from storage.models import Customer
from tests.e2e import buttons, served, text_of, write_config
from tests.test_import import make_ctx, write_csv

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url)
    yield context
    context.engine.dispose()


def flag_two(ctx, tmp_path) -> None:
    """北京字节跳动科技有限公司 owned by Alice; Bob says 字节跳动科技有限公司（上海） is a different one
    (/claim, then *different*: same_as none, confirm_new); the import brings 北京字节跳动网络技术有限公司."""
    assert claims.claim(ctx, "U0ALICE", ClaimRequest(name="北京字节跳动科技有限公司"), NOW).outcome == "created"
    asked = claims.claim(ctx, "U0BOB", ClaimRequest(name="字节跳动科技有限公司（上海）"), NOW)
    assert asked.outcome == ClaimOutcome.CONFIRM
    created = claims.claim(ctx, "U0BOB", ClaimRequest(name="字节跳动科技有限公司（上海）", different=True), NOW)
    assert created.outcome == ClaimOutcome.CREATED and created.flagged_for_review
    import_csv(ctx, open_csv(write_csv(tmp_path / "crm.csv", [{"name": "北京字节跳动网络技术有限公司"}])), NOW,
               ImportOptions())


def test_the_queue_shows_both_flagged_customers_and_not_the_same_is_remembered(ctx, tmp_path):
    flag_two(ctx, tmp_path)
    assert review.queue(ctx, "U0BOB").outcome == ReviewOutcome.NOT_MANAGER
    # the managers' Home says how many wait, and where to see them; a rep's does not
    assert home.read(ctx, "U0MGR1", NOW).to_review == 2 and home.read(ctx, "U0BOB", NOW).to_review == 0
    assert "2 probable duplicates to review" in json.dumps(home_view(home.read(ctx, "U0MGR1", NOW), "en"),
                                                          ensure_ascii=False)
    page = review.queue(ctx, "U0MGR1")
    assert page.total == 2
    assert [(i.short_id, i.created_by) for i in page.items] == [("C-1002", "U0BOB"), ("C-1003", "import")]
    by_claim, by_import = page.items
    assert [(c.short_id, c.why) for c in by_claim.candidates][:1] == [("C-1001", "core")]
    assert by_claim.candidates[0].owner == "U0ALICE"
    assert "C-1001" in [c.short_id for c in by_import.candidates]
    assert {c.why for c in by_import.candidates} <= {"fuzzy", "core"}

    done = review.not_same(ctx, "U0MGR1", by_claim.id, by_claim.candidates[0].id, NOW)
    assert done.outcome == ReviewOutcome.DONE and done.cleared == "C-1002"
    still = [i for i in review.queue(ctx, "U0MGR1").items if i.short_id == "C-1002"]
    rest = still[0].candidates if still else ()
    assert "C-1001" not in [c.short_id for c in rest]  # never proposed again
    for candidate in rest:  # the import's near duplicate may be proposed too: not that one either
        review.not_same(ctx, "U0MGR1", by_claim.id, candidate.id, NOW)
    with read_session(ctx.engine) as s:
        assert s.exec(select(Customer.needs_review).where(Customer.id == by_claim.id)).one() is False
    assert [i.short_id for i in review.queue(ctx, "U0MGR1").items] == ["C-1003"]


def test_review_over_http_with_the_button(engine_url, standin, tmp_path):
    ctx = make_ctx(engine_url)
    try:
        flag_two(ctx, tmp_path)
    finally:
        ctx.engine.dispose()
    with served(engine_url, standin, write_config(tmp_path, language="en"), scheduler=False) as bot:
        _, page, _ = bot.command("U0MGR1", "/claimbot", "review")
        assert "C-1002" in text_of(page) and "C-1003" in text_of(page) and "C-1001" in text_of(page)
        assert "review_not_same" in buttons(page)
        _, refused, _ = bot.command("U0BOB", "/claimbot", "review")
        assert text_of(refused).startswith("⛔")
        token = bot.click("U0MGR1", page, "review_not_same")
        answer = bot.wait_replies(token)[-1]
        assert "C-1002" in text_of(answer)
