"""End to end through `/claim` (issue 15): a second rep typing the same company another way is refused or
asked; a different legal entity of one brand is asked about, never refused; a company that only shares
an industry word with another is simply created. The real server, its in-memory name index included."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Customer, Ownership
from tests.e2e import query, served, text_of, write_config

# (Alice's name, Bob's name): Bob is refused — it is Alice's customer.
SAME_COMPANY = [
    ("Siemens Aktiengesellschaft", "Siemens AG"),
    ("Novo Nordisk A/S", "Novo Nordisk"),
    ("Foxconn Co.,Ltd.", "Foxconn Co.Ltd"),
    ("Huawei Device (Dongguan) Co., Ltd.", "Huawei Device Co., Ltd."),
    ("Nestlé S.A.", "Nestle SA"),
    ("Amazon.com, Inc.", "Amazon"),
    ("Initech Corporation", "Initech Corpration"),
    ("华为终端（东莞）有限公司", "华为终端有限公司"),
]
# Bob is asked "same company?" (why, in his words).
ASKED = [
    ("鸿富锦精密工业（深圳）有限公司", "鸿富锦精密工业（武汉）有限公司", "another region or legal form"),
    ("Tesla, Inc.", "Tesla (Shanghai) Co., Ltd.", "another region or legal form"),
    ("中国人寿保险股份有限公司", "中国人寿保险（集团）公司", "another region or legal form"),
    ("中国银行股份有限公司", "中国银行（香港）有限公司", "another region or legal form"),
    ("Ferrari N.V.", "Ferrari S.p.A.", "another region or legal form"),
    ("Shenzhen Mindray Bio-Medical Electronics Co., Ltd.", "Mindray Bio-Medical Electronics", "without the region"),
    ("腾讯科技", "腾迅科技", "same name in pinyin"),
    ("海康威视", "海康卫视", "same name in pinyin"),
    ("宏碁电脑", "宏基电脑", "same name in pinyin"),
    ("百度", "Baidu", "same name in pinyin"),
    ("海尔集团", "Haier Group", "same name in pinyin"),
]
# Bob creates his own customer: nothing in common but an industry word and a region.
UNRELATED = [
    ("北京农村商业银行", "上海农村商业银行"),
    ("北京燃气集团有限责任公司", "深圳燃气集团股份有限公司"),
    ("重庆啤酒股份有限公司", "青岛啤酒股份有限公司"),
    ("广东电网有限责任公司", "广西电网有限责任公司"),
    ("Beijing Gas Group", "Shenzhen Gas Group"),
]


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path, daily_claim_cap=50), scheduler=False) as bot:
        yield bot


def test_a_second_rep_is_refused_asked_or_left_alone_as_the_names_say(bot, engine_url):
    for alice_name, *_ in (*SAME_COMPANY, *ASKED, *UNRELATED):
        _, reply, _ = bot.command("U0ALICE", "/claim", alice_name)
        assert "已建档并归你所有" in text_of(reply), (alice_name, text_of(reply))  # none is like another

    for alice_name, bob_name in SAME_COMPANY:
        _, reply, _ = bot.command("U0BOB", "/claim", bob_name)
        assert "is owned by <@U0ALICE>" in text_of(reply) and alice_name in text_of(reply), (bob_name, text_of(reply))

    for alice_name, bob_name, why in ASKED:
        _, reply, _ = bot.command("U0BOB", "/claim", bob_name)
        text = text_of(reply)
        assert "Is it the same company?" in text and why in text and "<@U0ALICE>" in text, (bob_name, text)
        assert alice_name in text  # the candidate
        assert "is owned by" not in text  # asked, never refused outright

    for alice_name, bob_name in UNRELATED:
        _, reply, _ = bot.command("U0BOB", "/claim", bob_name)
        text = text_of(reply)
        assert "created and claimed by you" in text and "same company" not in text, (bob_name, text)
        assert alice_name not in text

    owners = {o.customer_id: o.rep_id for o in query(engine_url, select(Ownership))}
    names = {c.id: c.name for c in query(engine_url, select(Customer))}
    bobs = sorted(names[cid] for cid, rep in owners.items() if rep == "U0BOB")
    assert bobs == sorted(bob for _, bob in UNRELATED)
    assert sorted(names[cid] for cid, rep in owners.items() if rep == "U0ALICE") == sorted(
        alice for alice, *_ in (*SAME_COMPANY, *ASKED, *UNRELATED))


def test_a_different_legal_entity_is_its_own_customer_once_the_rep_says_so(bot, engine_url):
    bot.command("U0ALICE", "/claim", "鸿富锦精密工业（深圳）有限公司")
    _, prompt, _ = bot.command("U0BOB", "/claim", "鸿富锦精密工业（武汉）有限公司")
    token = bot.click("U0BOB", prompt, "claim_different")
    answer = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
    assert "flagged for a manager" in text_of(answer.params)
    # From now on each entity is found as itself, and a name without a region asks which one is meant.
    _, reply, _ = bot.command("U0CAROL", "/claim", "鸿富锦精密工业(武汉)有限公司")  # Carol reads Chinese
    assert "已归 <@U0BOB> 所有" in text_of(reply)
    _, reply, _ = bot.command("U0CAROL", "/claim", "鸿富锦精密工业（深圳）有限公司")
    assert "已归 <@U0ALICE> 所有" in text_of(reply)
    _, reply, _ = bot.command("U0CAROL", "/claim", "鸿富锦精密工业有限公司")
    assert "是同一家公司吗" in text_of(reply) and "地区或公司类型不同" in text_of(reply)
    assert "<@U0ALICE>" in text_of(reply) and "<@U0BOB>" in text_of(reply)
    owners = sorted((c.name, o.rep_id) for c in query(engine_url, select(Customer))
                    for o in query(engine_url, select(Ownership)) if o.customer_id == c.id)
    assert owners == [("鸿富锦精密工业（武汉）有限公司", "U0BOB"), ("鸿富锦精密工业（深圳）有限公司", "U0ALICE")]
