"""The App Home tab end to end: signed ``app_home_opened`` events into `claimbot serve`, the published
views read back from the Slack stand-in and checked against the database, for a rep and a manager in
zh and en; then the Home tab follows what its user does (a command, paging, opening a card)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View
from sqlmodel import select

from bot.config import Settings
from bot.i18n import formatting as fmt
from bot.services import customers
from bot.services.context import ServiceContext
from storage.engine import make_engine, read_session
from storage.models import Case, Rep
from tests.e2e import Bot, served, text_of, write_config
from tests.test_home import WORDS

TZ = ZoneInfo("Asia/Shanghai")
ALICE, BOB, MGR1, MGR2 = "U0ALICE", "U0BOB", "U0MGR1", "U0MGR2"  # zh-CN, en-US, zh-CN, en-US
NOTE = "电话沟通了采购需求和预算安排"
HOSTILE = "Hooli <!channel> & Sons"


def shown_day(iso: str, lang: str) -> str:
    """A day of the export (ISO) as the Home tab shows it in ``lang``."""
    return fmt.day(date.fromisoformat(iso), lang)


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path, daily_claim_cap=50), scheduler=False) as b:
        b.engine = make_engine(engine_url)
        b.ctx = ServiceContext(b.engine, Settings(database_url=engine_url))
        yield b


def ok(bot: Bot, user: str, command: str, text: str) -> str:
    status, answer, _ = bot.command(user, command, text)
    assert status == 200, answer
    return text_of(answer)


def publishes(bot: Bot, user: str) -> list[Any]:
    return [c for c in bot.standin.calls_for("views.publish", ok_only=True) if c.params.get("user_id") == user]


def open_home(bot: Bot, user: str) -> dict[str, Any]:
    before = len(publishes(bot, user))
    status, _ = bot.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                           "event_ts": "1764201600.000100"})
    assert status == 200
    return next_home(bot, user, before)


def next_home(bot: Bot, user: str, before: int) -> dict[str, Any]:
    """The first Home view published for ``user`` after their ``before`` earlier ones (waits for it)."""
    bot.standin.wait_for(lambda c: c.method == "views.publish" and len(publishes(bot, user)) > before, timeout=15)
    view = publishes(bot, user)[before].params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    View(**view).validate_json()  # slack_sdk's own Block Kit checks
    return view


def database_rows(bot: Bot, owner: str) -> list[dict[str, Any]]:
    return [r for r in customers.export_rows(bot.ctx) if r["owner"] == owner]


def customer_rows(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b.get("block_id", "").startswith("home_c")
            and b["type"] == "section"]


def test_home_tab_for_reps_and_managers_in_zh_and_en_follows_what_they_do(bot):
    ok(bot, ALICE, "/claim", "Acme Corp")
    ok(bot, ALICE, "/claim", HOSTILE)
    ok(bot, ALICE, "/followup", f"{HOSTILE} | call: {NOTE}")
    ok(bot, BOB, "/claim", "Initech Systems")
    assert "Collision #" in ok(bot, BOB, "/dispute", "Acme Corp | I visited them last month")
    assert publishes(bot, ALICE) == []  # nobody has opened the Home tab: nothing is published

    # Alice (zh): her two customers, nearest deadline first, with the dates and clocks in the database.
    home = open_home(bot, ALICE)
    text = text_of(home)
    rows = sorted(database_rows(bot, ALICE), key=lambda r: r["protected_until"])
    assert [r["name"] for r in rows] == ["Acme Corp", HOSTILE]  # first follow-up in 3 days; follow-up clock 30
    shown = customer_rows(home)
    assert len(shown) == 2
    for line, row in zip(shown, rows, strict=True):
        assert row["id"] in line and f"保护到 *{shown_day(row['protected_until'], 'zh')}*" in line
    assert "首次跟进期限" in shown[0] and "跟进时钟" in shown[1]
    assert "Hooli &lt;!channel&gt; &amp; Sons" in shown[1] and "<!channel>" not in text
    assert "我的工作台" in text and "我的本周成绩" in text and "等待决定" not in text  # a rep: no decisions
    assert "认领 2 · 有效跟进 1" in text
    buttons = {(e["action_id"], e["value"]) for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]}
    ids = {str(int(r["id"][2:]) - 1000) for r in rows}
    assert buttons == {(a, i) for a in ("card_followup", "home_open_card") for i in ids}
    with read_session(bot.engine) as session:
        assert session.get(Rep, ALICE).home_opened_at is not None

    # Bob (en) sees his own customer only.
    bob = text_of(open_home(bot, BOB))
    [initech] = database_rows(bot, BOB)
    assert "My desk" in bob and f"protected until *{shown_day(initech['protected_until'], 'en')}*" in bob and initech["id"] in bob
    assert "Acme Corp" not in bob

    # Managers: the dispute with its deadline from the database, and the team's week; zh and en.
    with read_session(bot.engine) as session:
        case = session.exec(select(Case)).one()
    deadline = {lang: fmt.moment(case.deadline, "Asia/Shanghai", lang) for lang in ("zh", "en")}
    carol = text_of(open_home(bot, MGR1))
    assert f"撞单 #{case.id} *Acme Corp* `{rows[0]['id']}`" in carol and f"*{deadline['zh']}* 前决定" in carol
    assert "团队本周" in carol and "认领 3 · 有效跟进 1" in carol
    dave = text_of(open_home(bot, MGR2))
    assert f"Collision #{case.id} *Acme Corp*" in dave and f"decide by *{deadline['en']}*" in dave
    assert "The team this week" in dave and "claims 3 · follow-ups 1" in dave

    # A command refreshes Alice's Home: a follow-up on Acme moves its deadline, so it now sorts last.
    before = len(publishes(bot, ALICE))
    ok(bot, ALICE, "/followup", f"Acme Corp | visit: {NOTE}")
    after = next_home(bot, ALICE, before)
    acme = next(r for r in database_rows(bot, ALICE) if r["name"] == "Acme Corp")
    assert acme["protected_until"] > rows[0]["protected_until"]
    assert f"保护到 *{shown_day(acme['protected_until'], 'zh')}*" in customer_rows(after)[-1]
    assert "有效跟进 2" in text_of(after)

    # /release: the customer leaves her Home.
    before = len(publishes(bot, ALICE))
    ok(bot, ALICE, "/release", f"{HOSTILE} | 客户暂时没有预算")
    after = next_home(bot, ALICE, before)
    assert [line.split("`")[1] for line in customer_rows(after)] == [acme["id"]]
    assert "Hooli" not in text_of(after)
    assert len(publishes(bot, BOB)) == 1  # Bob's earlier commands came before he opened it: nothing else

    # Opening a card from the Home tab shows the customer's details in a modal.
    bot.click(ALICE, after, "home_open_card")
    opened = bot.standin.wait_for(lambda c: c.method == "views.open", timeout=15)
    modal = opened.params["view"]
    assert modal["type"] == "modal" and "Acme Corp" in text_of(modal) and acme["id"] in text_of(modal)
    # ... the same card as /customer, with the buttons its owner may use
    assert {e["action_id"] for b in modal["blocks"] if b["type"] == "actions" for e in b["elements"]} == {
        "card_followup", "card_stage", "card_release", "card_handover", "card_complaint"}
    # ... and a button inside that modal stacks its form on it (views.push with the modal's trigger)
    [(block, complaint)] = [(b, e) for b in modal["blocks"] if b["type"] == "actions" for e in b["elements"]
                            if e["action_id"] == "card_complaint"]
    pushes = len(bot.standin.calls_for("views.push"))
    status, _ = bot.interact({
        "type": "block_actions", "user": {"id": ALICE}, "api_app_id": "A123456", "team": {"id": "T0001"},
        "trigger_id": "13345.98765.card", "container": {"type": "view", "view_id": "V0CARD"},
        "view": {"id": "V0CARD", "type": "modal", "callback_id": modal["callback_id"]},
        "actions": [{"action_id": "card_complaint", "block_id": block["block_id"], "value": complaint["value"],
                     "type": "button", "action_ts": "1.1"}]})
    assert status == 200
    pushed = bot.standin.wait_for(lambda c: c.method == "views.push" and len(bot.standin.calls_for("views.push"))
                                  > pushes, timeout=15)
    assert pushed.params["view"]["callback_id"] == "complaint_form"


def test_paging_the_home_tab(bot):
    for name in [f"{w} Mills" for w in WORDS[:26]]:
        ok(bot, BOB, "/claim", name)
    first = open_home(bot, BOB)
    assert len(customer_rows(first)) == 25 and "page 1 of 2" in text_of(first)
    before = len(publishes(bot, BOB))
    bot.click(BOB, first, "home_page_next")
    second = next_home(bot, BOB, before)
    assert "page 2 of 2" in text_of(second) and len(customer_rows(second)) == 1
    rows = sorted(database_rows(bot, BOB), key=lambda r: (r["protected_until"], int(r["id"][2:])))
    assert rows[-1]["id"] in customer_rows(second)[0]
    assert [e["value"] for b in second["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["action_id"].startswith("home_page")] == ["1"]
    # a refresh after an action keeps the page the user is on
    before = len(publishes(bot, BOB))
    ok(bot, BOB, "/mine", "")
    assert "page 2 of 2" in text_of(next_home(bot, BOB, before))
