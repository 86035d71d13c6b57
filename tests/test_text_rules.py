"""Ids carried by our buttons and forms: only what a button of ours could have sent is taken."""

from __future__ import annotations

import pytest

from bot.rules.text import MAX_ID, decimal_id


@pytest.mark.parametrize(("value", "expected"), [
    ("1042", 1042), (" 7 ", 7), (7, 7), (str(MAX_ID), MAX_ID),
    ("0", None), ("-3", None), ("+3", None), ("3.0", None), ("1 2", None), ("٣", None), ("１２", None),
    (str(MAX_ID + 1), None), ("9" * 40, None), ("", None), (None, None), ("abc", None), ({"c": 1}, None),
])
def test_decimal_ids_from_buttons_and_forms(value, expected):
    assert decimal_id(value) == expected
