"""The pool (公海) browser's service against real databases (SQLite and PostgreSQL), and its views."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.results.pool import PoolEntry, PoolPage
from bot.rules.pool_filter import FilterError, parse_filter
from bot.services import activity, claims, pool, sweeps
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from bot.services.importer import ImportOptions, import_csv, open_csv
from bot.views import blocks as b
from bot.views.pool import CLAIM_ACTION, PAGE_ACTION, pool_page
from storage import migrate
from storage.engine import make_engine

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def make_ctx(url: str, **claim_overrides) -> ServiceContext:
    migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=["U0MGR1"]), claims=ClaimSettings(**claim_overrides))
    return ServiceContext(engine=make_engine(url), settings=settings)


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url, daily_claim_cap=3)
    yield context
    context.engine.dispose()


def claim(ctx, rep, name, now=NOW):
    result = claims.claim(ctx, rep, ClaimRequest(name=name), now)
    assert result.outcome in ("created", "claimed"), result
    return result.customer


def release(ctx, rep, name, reason, now=NOW):
    assert activity.release(ctx, rep, f"{name} | {reason}", now).outcome == "released"


def import_names(ctx, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / "leads.csv"
    header = ["name", "tier", "region", "industry"]
    path.write_text("\n".join([",".join(header)] + [",".join(r.get(h, "") for h in header) for r in rows]) + "\n",
                    encoding="utf-8")
    import_csv(ctx, open_csv(path), NOW - timedelta(days=30), ImportOptions())


def names(page: PoolPage) -> list[str]:
    return [e.name for e in page.entries]


def test_released_recycled_and_lost_customers_are_in_the_pool_with_why_newest_first(ctx, tmp_path):
    import_names(ctx, tmp_path, [{"name": "Never Owned Ltd"}])
    claim(ctx, "U0ALICE", "Globex Ltd")
    claim(ctx, "U0BOB", "Initech LLC")
    claim(ctx, "U0BOB", "Hooli Inc", NOW + timedelta(days=1))
    claim(ctx, "U0BOB", "Kept Corp")  # stays owned: never listed
    release(ctx, "U0ALICE", "Globex Ltd", "budget cut until next year", NOW + timedelta(days=2))
    assert activity.change_stage(ctx, "U0BOB", "Initech LLC | lost", NOW + timedelta(days=2, hours=1)).outcome \
        == "changed"
    # Hooli: no follow-up in the first 3 days; the recycle job runs on day 6.
    activity.log_followup(ctx, "U0BOB", "Kept Corp | call: long call about the roadmap", NOW + timedelta(days=2))
    sweeps.recycle_due(ctx, NOW + timedelta(days=6))

    page = pool.browse(ctx, "")
    assert names(page) == ["Hooli Inc", "Initech LLC", "Globex Ltd", "Never Owned Ltd"]
    assert page.total == 4 and page.next_cursor is None
    hooli, initech, globex, never = page.entries
    assert (hooli.how, hooli.by, hooli.clock, hooli.clock_until, hooli.since) == (
        "recycle", "U0BOB", "first_followup", date(2026, 12, 1), date(2026, 12, 3))
    assert (initech.how, initech.by, initech.stage) == ("lost", "U0BOB", "lost")
    assert (globex.how, globex.by, globex.reason, globex.since) == (
        "release", "U0ALICE", "budget cut until next year", date(2026, 11, 29))
    assert (never.how, never.since) == (None, date(2026, 10, 28))


RETURNED = ["Globex Ltd", "Initech LLC", "Hooli Inc", "Umbrella Corp"]
NEVER = ["Alpha Mining", "Bravo Textiles", "Charlie Bakery", "Delta Shipping", "Echo Studios"]


def test_pages_follow_a_cursor_through_returned_then_never_owned_customers(ctx, tmp_path):
    import_names(ctx, tmp_path, [{"name": n} for n in NEVER])
    for i, name in enumerate(RETURNED):
        rep = "U0ALICE" if i < 2 else "U0BOB"
        claim(ctx, rep, name, NOW)
        release(ctx, rep, name, "no budget", NOW + timedelta(hours=i))
    seen, cursor, page_no = [], None, 1
    while True:
        page = pool.browse(ctx, None, cursor, page_no, page_size=3)
        seen.append(names(page))
        if page.next_cursor is None:
            break
        cursor, page_no = page.next_cursor, page_no + 1
    assert seen == [["Umbrella Corp", "Hooli Inc", "Initech LLC"],
                    ["Globex Ltd", "Echo Studios", "Delta Shipping"],
                    ["Charlie Bakery", "Bravo Textiles", "Alpha Mining"]]
    # A claim between two pages does not shift the next one.
    first = pool.browse(ctx, None, page_size=3)
    claim(ctx, "U0MGR1", "Initech LLC")
    second = pool.browse(ctx, None, first.next_cursor, 2, page_size=3)
    assert names(second) == ["Globex Ltd", "Echo Studios", "Delta Shipping"]
    # Exactly a page of returned customers: the next page starts with the never-owned ones.
    only_three = pool.browse(ctx, None, page_size=3)
    assert names(only_three) == ["Umbrella Corp", "Hooli Inc", "Globex Ltd"] and only_three.next_cursor == "n"
    assert names(pool.browse(ctx, None, only_three.next_cursor, 2, page_size=3)) == NEVER[:1:-1]
    # A cursor that was tampered with starts from the beginning.
    assert names(pool.browse(ctx, None, "r.x.1", 2, page_size=3)) == names(only_three)


def test_filters_by_name_words_tier_region_industry_and_short_id(ctx, tmp_path):
    import_names(ctx, tmp_path, [
        {"name": "北京字节跳动科技有限公司", "tier": "A", "region": "北京", "industry": "互联网"},
        {"name": "上海字节软件有限公司", "tier": "B", "region": "上海市", "industry": "软件"},
        {"name": "Acme 100% Widgets Ltd", "tier": "A", "region": "Beijing", "industry": "Manufacturing"},
        {"name": "Acme_Tools", "tier": "C"},
    ])
    assert names(pool.browse(ctx, "字节跳动有限公司")) == ["北京字节跳动科技有限公司"]
    assert names(pool.browse(ctx, "字节")) == ["上海字节软件有限公司", "北京字节跳动科技有限公司"]
    assert names(pool.browse(ctx, "tier:A")) == ["Acme 100% Widgets Ltd", "北京字节跳动科技有限公司"]
    assert names(pool.browse(ctx, "等级：a 地区:北京")) == ["北京字节跳动科技有限公司"]
    assert names(pool.browse(ctx, "region: beijing")) == ["Acme 100% Widgets Ltd"]
    assert names(pool.browse(ctx, "industry:软件")) == ["上海字节软件有限公司"]
    assert names(pool.browse(ctx, "ACME")) == ["Acme_Tools", "Acme 100% Widgets Ltd"]
    assert names(pool.browse(ctx, "%")) == []  # LIKE wildcards are plain characters
    assert names(pool.browse(ctx, "C-1002")) == ["上海字节软件有限公司"]
    assert pool.browse(ctx, "tier:A").total == 2
    bad = pool.browse(ctx, "tier:Z")
    assert bad.error is not None and bad.error.code == "pool.error.bad_tier"
    assert pool.browse(ctx, "x" * 101).error.code == "pool.error.too_long"


def test_claiming_from_the_pool_applies_the_daily_cap_and_the_cooldown(ctx, tmp_path):
    import_names(ctx, tmp_path, [{"name": f"Lead {i} Widgets"} for i in range(5)])
    claim(ctx, "U0BOB", "Globex Ltd")
    release(ctx, "U0BOB", "Globex Ltd", "not now")
    page = pool.browse(ctx, "")
    ids = {e.name: e.id for e in page.entries}

    refused = pool.claim(ctx, "U0BOB", ids["Globex Ltd"], NOW + timedelta(days=1))
    assert (refused.claim.outcome, refused.claim.rule, refused.claim.until) == ("refused", "cooldown", date(2026, 12, 4))
    assert "Globex Ltd" in names(refused.page)  # still in the pool

    taken = [pool.claim(ctx, "U0ALICE", ids[f"Lead {i} Widgets"], NOW, typed="Widgets") for i in range(4)]
    assert [t.claim.outcome for t in taken] == ["claimed", "claimed", "claimed", "refused"]
    assert (taken[3].claim.rule, taken[3].claim.limit, taken[3].claim.count) == ("daily_claim_cap", 3, 3)
    assert names(taken[2].page) == ["Lead 4 Widgets", "Lead 3 Widgets"]  # the page, without the claimed ones
    assert taken[2].page.typed == "Widgets"
    again = pool.claim(ctx, "U0BOB", ids["Lead 0 Widgets"], NOW)
    assert (again.claim.outcome, again.claim.customer.owner) == ("owned_by_other", "U0ALICE")
    assert pool.claim(ctx, "U0BOB", 999_999, NOW).claim.outcome == "not_found"


def test_the_filter_rule():
    f = parse_filter("  tier: b  region：深圳  Acme  Widgets ")
    assert (f.tier, f.region, f.name_key, f.typed) == ("B", "深圳", "acmewidgets", "tier: b region：深圳 Acme Widgets")
    assert parse_filter("c-1042").short_id == 1042
    assert parse_filter("").empty
    assert isinstance(parse_filter("tier:Q"), FilterError)


def entry(i: int, **kw) -> PoolEntry:
    base = {"id": i, "short_id": f"C-{1000 + i}", "name": f"Customer {i}", "tier": "B", "stage": "lead",
            "region": None, "industry": None, "how": "release", "since": date(2026, 11, 27), "by": "U0BOB",
            "reason": "no budget"}
    return PoolEntry(**{**base, **kw})


def rendered(message: dict) -> str:
    """Every text a user reads (button values are not shown)."""
    parts = [message["text"]]
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [el["text"]["text"] if isinstance(el.get("text"), dict) else el.get("text", "")
                  for el in block.get("elements", [])]
    return "\n".join(parts)


def test_a_page_fits_block_kit_escapes_user_text_and_carries_its_state():
    hostile = entry(99, name="<!channel> & <@U0ALICE> Ltd", reason="<https://evil.example|click> " + "x" * 3000,
                    region="<!here>", industry="a&b")
    entries = (*(entry(i) for i in range(9)), hostile)
    page = PoolPage(entries, typed="<!everyone> tier:B", cursor="r.1.2", next_cursor="n.40", page=2, total=25)
    for lang in ("zh", "en"):
        message = pool_page(page, lang)
        assert len(message["blocks"]) <= b.MAX_BLOCKS
        text = rendered(message)
        assert "<!channel>" not in text and "<!here>" not in text and "<!everyone>" not in text
        assert "<@U0ALICE>" not in text and "<https://evil" not in text
        assert "&lt;!channel&gt; &amp; &lt;@U0ALICE&gt; Ltd" in text
        claims_ = [el for block in message["blocks"] if block["type"] == "actions" for el in block["elements"]
                   if el["action_id"] == CLAIM_ACTION]
        assert len(claims_) == 10
        assert json.loads(claims_[0]["value"]) == {"c": 0, "f": "<!everyone> tier:B", "p": "r.1.2", "n": 2}
        [nxt] = [el for block in message["blocks"] if block["type"] == "actions" for el in block["elements"]
                 if el["action_id"] == PAGE_ACTION]
        assert json.loads(nxt["value"]) == {"f": "<!everyone> tier:B", "p": "n.40", "n": 3, "t": 25}
    assert "Released by <@U0BOB> on Nov 27, 2026: no budget" in rendered(pool_page(page, "en"))
    recycled = pool_page(PoolPage((entry(1, how="recycle", reason=None, clock="followup",
                                         clock_until=date(2026, 11, 26)),), total=1), "zh")
    assert "♻️ 2026年11月27日 从 <@U0BOB> 回收：跟进时钟于 2026年11月26日 到期" in rendered(recycled)
    assert "公海里现在没有客户" in pool_page(PoolPage(), "zh")["text"]
