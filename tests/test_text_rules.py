"""Ids carried by our buttons and forms: only what a button of ours could have sent is taken. Slack's
markup in typed text: unwrapped to what the user typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.text import MAX_ID, decimal_id, first_mention, unescape_slack, unwrap_slack_markup


@pytest.mark.parametrize(("value", "expected"), [
    ("1042", 1042), (" 7 ", 7), (7, 7), (str(MAX_ID), MAX_ID),
    ("0", None), ("-3", None), ("+3", None), ("3.0", None), ("1 2", None), ("٣", None), ("１２", None),
    (str(MAX_ID + 1), None), ("9" * 40, None), ("", None), (None, None), ("abc", None), ({"c": 1}, None),
])
def test_decimal_ids_from_buttons_and_forms(value, expected):
    assert decimal_id(value) == expected


# -- Slack's markup in what users type (bot/rules/text.unwrap_slack_markup) ---------------------------------


@pytest.mark.parametrize(("sent", "typed"), [
    ("<http://JD.com|JD.com>", "JD.com"),
    ("<http://jd.com>", "http://jd.com"),
    ("<https://www.bytedance.com/zh/|bytedance.com> 字节", "bytedance.com 字节"),
    ("<mailto:li@acme.cn|li@acme.cn>", "li@acme.cn"),
    ("<mailto:li@acme.cn>", "li@acme.cn"),
    ("<tel:+8610123|+86 10 123>", "+86 10 123"),
    ("<#C0SALES|sales> Acme", "#sales Acme"),
    ("<#C0SALES|>", "#C0SALES"),
    ("<@U0BOB|bob> Acme | 出差", "<@U0BOB> Acme | 出差"),
    ("<@U0BOB> Acme", "<@U0BOB> Acme"),
    ("<!here> Acme", "<!here> Acme"),  # specials stay as sent: inert, escaped wherever they are shown
    ("<!subteam^S0SALES|@sales>", "<!subteam^S0SALES|@sales>"),
    ("AT&amp;T &lt;b&gt;", "AT&amp;T &lt;b&gt;"),  # typed < > & arrive escaped: not markup
    ("<http://JD.com|JD.com> | 客户要报价", "JD.com | 客户要报价"),
])
def test_slack_markup_becomes_what_the_user_typed(sent, typed):
    assert unwrap_slack_markup(sent) == typed


def test_a_mention_still_reads_as_one_for_handover_and_assign():
    mention = first_mention(unwrap_slack_markup("<@U0BOB|bob> <http://JD.com|JD.com> | 出差"))
    assert mention is not None and (mention.user_id, mention.rest) == ("U0BOB", "JD.com | 出差")


# What a user can type into Slack, escaped the way Slack sends it (no raw < or > from a user).
typed_text = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z"]), max_size=60)
label = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=20)


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@given(typed_text)
def test_text_without_markup_is_left_alone(typed):
    assert unescape_slack(unwrap_slack_markup(escaped(typed))) == typed


@given(typed_text, label, typed_text)
def test_a_linked_word_reads_as_its_label_wherever_it_is(before, word, after):
    sent = f"{escaped(before)}<http://{word}.com|{word}.com>{escaped(after)}"
    assert unescape_slack(unwrap_slack_markup(sent)) == f"{before}{word}.com{after}"


@given(typed_text)
def test_unwrapping_twice_changes_nothing_more(typed):
    once = unwrap_slack_markup(escaped(typed) + "<http://a.cn|a.cn> <@U0BOB|bob> <#C1|x> <!here>")
    assert unwrap_slack_markup(once) == once
