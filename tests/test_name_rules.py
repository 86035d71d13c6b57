"""The data behind the name keys (issue 15): legal forms, regions in both scripts, generic words, pinyin,
and which names of one name key are one legal entity. Pairs of real names: tests/data/name_pairs.tsv."""

from __future__ import annotations

import pytest
from cleanco.termdata import terms_by_country
from pypinyin import lazy_pinyin

from bot.rules.generic_words import SECTOR_NOUNS
from bot.rules.legal_entities import entity_match, same_entity
from bot.rules.legal_forms import EQUIVALENT, LATIN_TERMS, latin_words
from bot.rules.names import (
    NameKeys,
    is_fuzzable,
    match_tier,
    name_keys,
    pinyin_key,
)
from bot.rules.place_pinyin import PLACE_PINYIN
from bot.rules.regions import (
    BRACKET_ONLY,
    COUNTRY,
    COUNTY_CITIES,
    LATIN_REGIONS,
    PINYIN_FIXES,
    PREFECTURES,
    PROVINCES,
    WITH_SUFFIX_ONLY,
    is_region,
    pinyin_of_place,
    region_tag,
)

# --- legal forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("country", sorted(terms_by_country))
def test_every_countrys_legal_forms_are_stripped(country: str) -> None:
    for term in terms_by_country[country]:
        words = latin_words(term)
        if words in LATIN_TERMS:  # all but the few that are ordinary words at the end of a name (uk, ok …)
            assert name_keys(f"Zorblax Widgets {term}").name_key == "zorblaxwidgets", term


@pytest.mark.parametrize("spellings", EQUIVALENT, ids=lambda group: group[0])
def test_abbreviations_and_full_forms_are_one_form(spellings: tuple[str, ...]) -> None:
    keys = {name_keys(f"Zorblax {spelling}") for spelling in spellings}
    assert {(k.name_key, k.form_tag) for k in keys} == {("zorblax", spellings[0])}


def test_common_words_at_the_end_of_a_name_are_not_legal_forms() -> None:
    assert name_keys("Acme UK").name_key == "acmeuk"
    assert name_keys("Compass Group").form_tag == "group" and name_keys("Compass").name_key == "compass"
    assert name_keys("Acme Corporate").name_key == "acmecorporate"  # two letters from corporation
    assert name_keys("Limited").name_key == "limited"  # never stripped down to nothing


def test_a_one_letter_typo_in_a_long_legal_word_is_still_the_form() -> None:
    for typo in ("Corpration", "Corportion", "Limted", "Limitd", "Incorporatd", "Aktiengesellshaft", "Coproration"):
        keys = name_keys(f"Initech {typo}")
        assert keys.name_key == "initech" and keys.form_tag, typo
    assert name_keys("Initech Corprtion").name_key == "initechcorprtion"  # two letters off


def test_chinese_forms_name_their_kind_and_a_homophone_typo_is_still_the_form() -> None:
    assert name_keys("华为技术有限责任公司").form_tag == name_keys("华为技术有限公司").form_tag == "ltd"
    assert name_keys("招商银行股份有限公司").form_tag == "jsc"
    assert name_keys("海尔集团公司").form_tag == "group"
    assert name_keys("上海电气集团股份有限公司").form_tag == "group+jsc"
    assert name_keys("某某有限合伙").form_tag == "lp"
    assert name_keys("华为技术有现公司").form_tag == "ltd"  # 现 is read xiàn, as 限
    assert name_keys("歌华有线").name_key == "歌华有线"  # two-character forms (有限) are never guessed at
    assert name_keys("华为技术有林公司").name_key == "华为技术有林"  # 林 is not read as 限


# --- regions ----------------------------------------------------------------------------------------

# Official romanisations (GB/T 16159), including the places whose characters have several readings.
OFFICIAL = {"重庆": "chongqing", "厦门": "xiamen", "长沙": "changsha", "长治": "changzhi", "朝阳": "chaoyang",
            "蚌埠": "bengbu", "六安": "luan", "丽水": "lishui", "乐清": "yueqing", "漯河": "luohe", "陕西": "shaanxi",
            "东莞": "dongguan", "呼和浩特": "huhehaote", "香港": "xianggang"}


@pytest.mark.parametrize(("place", "pinyin"), OFFICIAL.items())
def test_places_are_written_in_their_official_pinyin(place: str, pinyin: str) -> None:
    assert pinyin_of_place(place) == pinyin


def test_the_pinyin_table_is_pypinyins_reading_with_the_fixes() -> None:
    for place, pinyin in PLACE_PINYIN.items():
        assert pinyin == PINYIN_FIXES.get(place, "".join(lazy_pinyin(place)).replace("ü", "v")), place
    assert set(PLACE_PINYIN) >= {*PROVINCES, *PREFECTURES, *COUNTY_CITIES, *WITH_SUFFIX_ONLY, *BRACKET_ONLY, *COUNTRY}


def test_every_province_and_prefecture_is_known_in_both_scripts() -> None:
    for place in (*PROVINCES, *PREFECTURES):
        latin = pinyin_of_place(place)
        assert latin in LATIN_REGIONS and is_region(latin) and is_region(place), place
        assert region_tag(place) == region_tag(latin) == region_tag(place + "市" if len(place) < 4 else place)


@pytest.mark.parametrize(("text", "tag"), [
    ("东莞", "dongguan"), ("dongguan", "dongguan"), ("dongguancity", "dongguan"), ("广东深圳", "guangdong+shenzhen"),
    ("hongkong", "xianggang"), ("hk", "xianggang"), ("香港", "xianggang"), ("china", "zhongguo"), ("中国", "zhongguo"),
    ("集团", ""), ("huaweidevice", ""),
])
def test_region_tags(text: str, tag: str) -> None:
    assert region_tag(text) == tag


def test_a_latin_region_in_front_is_stripped_only_before_a_company() -> None:
    assert name_keys("Shenzhen Mindray Bio-Medical Electronics").core_key == "mindraybiomedicalelectronics"
    assert name_keys("Hong Kong Broadband Network").core_key == "hongkongbroadbandnetwork"  # no company left
    assert name_keys("Beijing Gas Group").core_key == "beijinggas"
    assert name_keys("Hamilton Beach Brands").core_key == "hamiltonbeachbrands"  # regions are whole words


# --- generic words: a region stays in front of them ---------------------------------------------------


@pytest.mark.parametrize("noun", sorted(n for n in SECTOR_NOUNS if not n.isascii()))
def test_a_region_stays_in_front_of_a_sector_noun(noun: str) -> None:
    for region in ("北京", "深圳市", "广东省"):
        keys = name_keys(f"{region}{noun}有限公司")
        assert keys.core_key == f"{region}{noun}", noun
    assert match_tier(name_keys(f"北京{noun}"), name_keys(f"上海{noun}")) not in ("exact", "strong")


@pytest.mark.parametrize("name", ["农村商业银行", "城市商业银行", "人民医院", "燃气", "电网", "啤酒", "bank", "gas"])
def test_generic_names_are_no_company(name: str) -> None:
    assert not is_fuzzable(name_keys(name).core_key)
    assert pinyin_key(name_keys(name).core_key) == ""


def test_a_distinctive_name_loses_its_region() -> None:
    assert name_keys("深圳市腾讯计算机系统有限公司").core_key == "腾讯计算机系统"
    assert name_keys("北京字节跳动科技有限公司").core_key == "字节跳动科技"


# --- pinyin -------------------------------------------------------------------------------------------


def test_pinyin_keys() -> None:
    assert pinyin_key("腾讯") == pinyin_key("腾迅") == "tengxun"
    assert pinyin_key("baidu") == "baidu"
    assert pinyin_key("银行") == "" and pinyin_key("海") == ""  # no company on its own
    assert name_keys("深圳市腾讯计算机系统有限公司").pinyin_key == "tengxunjisuanjixitong"


# --- legal entities of one name key -------------------------------------------------------------------


def entity(region: str = "", form: str = "") -> NameKeys:
    return NameKeys("x", "x", "x", "x", region, form)


def test_same_entity() -> None:
    assert same_entity(entity("shenzhen", "ltd"), entity("", "ltd"))  # one side without a region
    assert same_entity(entity("", "ltd"), entity("", ""))  # one side without a form
    assert not same_entity(entity("shenzhen"), entity("wuhan"))
    assert not same_entity(entity("", "nv"), entity("", "spa"))
    assert not same_entity(entity("xianggang"), entity(""))  # Hong Kong, Macau, Taiwan: another registry
    assert not same_entity(entity("taiwan"), entity(""))


def test_entity_match_takes_the_very_entity_else_the_only_possible_one_else_asks() -> None:
    shenzhen, wuhan, bare = entity("shenzhen", "ltd"), entity("wuhan", "ltd"), entity("", "ltd")
    assert entity_match(wuhan, [shenzhen, wuhan]) == 1
    assert entity_match(bare, [shenzhen]) == 0
    assert entity_match(bare, [shenzhen, wuhan]) is None  # which of the two? ask
    assert entity_match(bare, [shenzhen, wuhan, bare]) == 2
    assert entity_match(entity("", "corp"), [shenzhen]) is None
    assert entity_match(shenzhen, []) is None
