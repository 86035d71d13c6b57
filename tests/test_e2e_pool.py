"""/pool end to end: `claimbot serve` in its own process, signed HTTP requests in, the Slack stand-in out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.services.context import ServiceContext
from bot.services.importer import ImportOptions, import_csv, open_csv
from storage.engine import make_engine, read_session
from storage.models import Ownership, OwnershipEvent
from tests.e2e import Bot, buttons, served, text_of, write_config


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path, daily_claim_cap=3)) as bot:
        yield bot


def answer(bot: Bot, token: str) -> dict:
    """What a button's listener sent to its response URL (it replaces the ephemeral page)."""
    call = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
    assert call.params["replace_original"] is True
    return call.params


def seed_pool(url: str, tmp_path, names: list[str]) -> None:
    """Customers nobody ever owned, as `claimbot import` leaves them (one second apart, oldest first)."""
    path = tmp_path / "leads.csv"
    path.write_text("name,tier\n" + "".join(f"{n},{'A' if i % 2 else 'B'}\n" for i, n in enumerate(names)),
                    encoding="utf-8")
    engine = make_engine(url)
    try:
        ctx = ServiceContext(engine=engine, settings=Settings(database_url=url))
        import_csv(ctx, open_csv(path), datetime.now(UTC) - timedelta(days=1), ImportOptions())
    finally:
        engine.dispose()


def owners(url: str) -> dict[int, str]:
    engine = make_engine(url)
    try:
        with read_session(engine) as s:
            return {o.customer_id: o.rep_id for o in s.exec(select(Ownership).where(Ownership.ended_at.is_(None)))}
    finally:
        engine.dispose()


def test_a_released_customer_is_in_the_pool_with_its_reason_and_the_claim_button_claims_it(bot, engine_url):
    bot.command("U0BOB", "/claim", "Globex <Industries> & Co")
    _, reply, _ = bot.command("U0BOB", "/release", "Globex <Industries> & Co | budget frozen <!channel>")
    assert "back in the pool" in text_of(reply)

    status, page, _ = bot.command("U0ALICE", "/pool", "")
    assert status == 200 and page["response_type"] == "ephemeral"
    text = text_of(page)
    assert "*公海* · 共 1 个客户" in text
    assert "Globex &lt;Industries&gt; &amp; Co" in text and "<Industries>" not in text
    assert "由 <@U0BOB> 放回公海：budget frozen &lt;!channel&gt;" in text and "<!channel>" not in text
    assert buttons(page) == ["pool_claim"]

    # The releaser is in the cooldown: the button refuses exactly as /claim does, and the page stays.
    refused = answer(bot, bot.click("U0BOB", page, "pool_claim"))
    assert "cooldown is 7 days" in text_of(refused) and buttons(refused) == ["pool_claim"]

    claimed = answer(bot, bot.click("U0ALICE", page, "pool_claim"))
    assert "你已从公海认领 *Globex &lt;Industries&gt; &amp; Co*（C-1001）" in text_of(claimed)
    assert "公海里现在没有客户" in text_of(claimed) and buttons(claimed) == []
    assert owners(engine_url) == {1: "U0ALICE"}

    again = answer(bot, bot.click("U0BOB", page, "pool_claim"))  # a stale page: someone owns it now
    assert "<@U0ALICE>" in text_of(again) and "dispute_open" in buttons(again)
    engine = make_engine(engine_url)
    try:
        with read_session(engine) as s:
            kinds = [(e.kind, e.rule) for e in s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id))]
    finally:
        engine.dispose()
    assert kinds == [("claim", "first_claim"), ("release", "owner_release"), ("claim", "pool_claim")]


def test_pages_filters_and_the_daily_claim_cap_through_the_buttons(bot, engine_url, tmp_path):
    names = [f"{word} Holdings Ltd" for word in (
        "Apex", "Beacon", "Cedar", "Falcon", "Granite", "Harbor", "Meridian", "Orion", "Pioneer", "Quartz", "Summit",
        "Vertex")]
    seed_pool(engine_url, tmp_path, names)

    _, first, _ = bot.command("U0BOB", "/pool", "")
    assert "*The pool* · 12 customers" in text_of(first)
    assert buttons(first) == ["pool_claim"] * 10 + ["pool_page"]
    assert len(first["blocks"]) <= 50
    assert "Vertex Holdings Ltd" in text_of(first) and "Apex Holdings Ltd" not in text_of(first)  # newest first

    second = answer(bot, bot.click("U0BOB", first, "pool_page"))
    assert "page 2" in text_of(second) and buttons(second) == ["pool_claim"] * 2
    assert "Beacon Holdings Ltd" in text_of(second) and "Apex Holdings Ltd" in text_of(second)

    _, filtered, _ = bot.command("U0BOB", "/pool", "tier:A holdings")
    assert "filter “tier:A holdings” · 6 customers" in text_of(filtered) and buttons(filtered) == ["pool_claim"] * 6

    # The daily claim cap (3 in this team) applies to Claim buttons as to /claim.
    page = filtered
    for expected in ("You claimed", "You claimed", "You claimed", "daily claim cap is 3"):
        page = answer(bot, bot.click("U0BOB", page, "pool_claim"))
        assert expected in text_of(page)
    assert "filter “tier:A holdings” · 3 customers" in text_of(page)  # the same filter, refreshed
    assert sorted(owners(engine_url).values()) == ["U0BOB"] * 3

    _, nothing, _ = bot.command("U0BOB", "/pool", "tier:Q")
    assert "is not a tier" in text_of(nothing)
    _, none_match, _ = bot.command("U0BOB", "/pool", "<!here> nothing like this")
    assert "No customer in the pool matches “&lt;!here&gt; nothing like this”" in text_of(none_match)


def test_a_forged_or_stale_page_button_changes_nothing(bot, engine_url, tmp_path):
    seed_pool(engine_url, tmp_path, ["Apex Holdings Ltd"])
    _, page, _ = bot.command("U0BOB", "/pool", "")
    broken = json.loads(json.dumps(page))
    for block in broken["blocks"]:
        for el in block.get("elements", []):
            if el.get("action_id") == "pool_claim":
                el["value"] = "not json"
    reply = answer(bot, bot.click("U0BOB", broken, "pool_claim"))
    assert "nothing changed" in text_of(reply)
    assert owners(engine_url) == {}
