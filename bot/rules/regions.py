"""Chinese administrative regions, as data for the name keys of bot/rules/names.py. Pure.

Province-level divisions, prefecture-level divisions and the best-known county-level cities, written
without their suffix (省, 市, 自治区 …). A few prefecture names are also the start of well-known brands
or ordinary words (阿里巴巴, 三明治, 东方航空): those are only recognised with their suffix (阿里地区).
Districts (海淀, 南山, 福田 …) are left out on purpose: too many brands begin with one.

The names are those of the Ministry of Civil Affairs' list of county-level and higher divisions
(GB/T 2260). In Latin script each is written in Hanyu Pinyin without tones or spaces, as China's
place names are officially romanised (GB/T 16159; the UN's 1977 resolution on Chinese place names):
the pinyin is read by pypinyin (kept as a table: bot/rules/place_pinyin.py) and checked
(tests/test_name_rules.py), with ``PINYIN_FIXES`` where a
character's most common reading is not the place name's (长治 is Changzhi, not Zhangzhi) and
``ENGLISH_NAMES`` for the few places whose English name is not their pinyin (Hong Kong, Macau, Tibet,
Inner Mongolia, Harbin, Urumqi …). A region's canonical form (``region_tag``) is its pinyin: 东莞,
Dongguan and 东莞市 are one region. Places that share a pinyin (苏州 / 宿州: Suzhou) share it too.
"""

from __future__ import annotations

import re

from bot.rules.place_pinyin import PLACE_PINYIN


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COUNTRY = ("中国", "中华人民共和国")

PROVINCES = _names(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 "
    "河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 "
    "宁夏 新疆 香港 澳门"
)

PREFECTURES = _names(
    # 河北 山西 内蒙古
    "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 "
    "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁 "
    "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安 锡林郭勒 阿拉善 "
    # 辽宁 吉林 黑龙江
    "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛 "
    "长春 四平 辽源 通化 白山 松原 白城 延边 "
    "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭 "
    # 江苏 浙江 安徽
    "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 "
    "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 "
    "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城 "
    # 福建 江西 山东
    "福州 厦门 莆田 泉州 漳州 南平 龙岩 宁德 "
    "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 宜春 抚州 上饶 "
    "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 "
    # 河南 湖北 湖南
    "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源 "
    "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门 "
    "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西 "
    # 广东 广西 海南
    "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 "
    "揭阳 云浮 "
    "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 崇左 "
    "海口 三亚 三沙 儋州 "
    # 四川 贵州 云南 西藏
    "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 "
    "甘孜 凉山 "
    "贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南 "
    "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 西双版纳 德宏 怒江 迪庆 "
    "拉萨 日喀则 昌都 林芝 那曲 "
    # 陕西 甘肃 青海 宁夏 新疆
    "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 商洛 "
    "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南 "
    "西宁 海东 海北 黄南 果洛 玉树 海西 "
    "银川 石嘴山 吴忠 固原 中卫 "
    "乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏 喀什 和田 伊犁 塔城 阿勒泰 "
    "石河子"
)

COUNTY_CITIES = _names(
    "昆山 江阴 张家港 常熟 太仓 宜兴 溧阳 丹阳 靖江 泰兴 如皋 海门 启东 义乌 慈溪 "
    "余姚 诸暨 海宁 瑞安 乐清 温岭 永康 东阳 晋江 石狮 福清 寿光 胶州 龙口 荣成 "
    "库尔勒 满洲里 二连浩特 瑞丽 凭祥 都江堰 峨眉山 井冈山 延吉 珲春 绥芬河"
)

# Recognised only when followed by a suffix: without one they are more often a brand or a word.
WITH_SUFFIX_ONLY = _names(
    "阿里 三明 东方 红河 文山 大理 山南 来宾 吉安 安康"
)

# Inside brackets only: 阿里巴巴（中国）, Apple (China), 某某（亚太）.
BRACKET_ONLY = _names("亚太 亚洲 大中华 大中华区 华南 华北 华东 华中 西南 西北 东北")

# Readings pypinyin gets wrong for these place names, and the official spelling of 陕西 (Shaanxi).
PINYIN_FIXES = {"长治": "changzhi", "朝阳": "chaoyang", "漯河": "luohe", "昌都": "changdu", "锡林郭勒": "xilinguole",
                "库尔勒": "kuerle", "阿勒泰": "aletai", "克孜勒苏": "kezilesu", "陕西": "shaanxi"}
# English names that are not the pinyin (the pinyin is recognised as well).
ENGLISH_NAMES = {"hongkong": "香港", "hk": "香港", "macau": "澳门", "macao": "澳门", "tibet": "西藏",
                 "innermongolia": "内蒙古", "harbin": "哈尔滨", "hohhot": "呼和浩特", "urumqi": "乌鲁木齐",
                 "lhasa": "拉萨", "kashgar": "喀什", "ordos": "鄂尔多斯", "korla": "库尔勒", "altay": "阿勒泰",
                 "shigatse": "日喀则", "china": "中国", "prc": "中国", "asia": "亚洲", "asiapacific": "亚太",
                 "apac": "亚太", "greaterchina": "大中华"}
# Regions with laws and registries of their own: a company there is never the mainland one typed otherwise.
SEPARATE_JURISDICTIONS = frozenset({"xianggang", "aomen", "taiwan"})


def pinyin_of_place(name: str) -> str:
    """A region's name in toneless pinyin (bot/rules/place_pinyin.py, made with pypinyin and the fixes above)."""
    return PLACE_PINYIN[name]


_CJK_NAMES = (*COUNTRY, *PROVINCES, *PREFECTURES, *COUNTY_CITIES, *WITH_SUFFIX_ONLY,
              *(n for n in BRACKET_ONLY if not n.isascii()))
# Every region name, in either script (without a suffix) → its canonical pinyin.
CANONICAL: dict[str, str] = {name: pinyin_of_place(name) for name in _CJK_NAMES}
CANONICAL.update({english: pinyin_of_place(name) for english, name in ENGLISH_NAMES.items()})
# Latin names: the pinyin of every region that is recognised without a suffix, and the English names.
LATIN_REGIONS: dict[str, str] = {pinyin_of_place(n): pinyin_of_place(n)
                                 for n in (*COUNTRY, *PROVINCES, *PREFECTURES, *COUNTY_CITIES)}
LATIN_REGIONS.update({english: CANONICAL[english] for english in ENGLISH_NAMES})
CANONICAL.update(LATIN_REGIONS)

_SUFFIX = r"(?:特别行政区|(?:[\u4e00-\u9fff]{1,4}族)*自治(?:区|州|县)|省|市|地区|盟|县)"
_BARE = sorted({*COUNTRY, *PROVINCES, *PREFECTURES, *COUNTY_CITIES}, key=len, reverse=True)
_SUFFIXED = sorted(WITH_SUFFIX_ONLY, key=len, reverse=True)

# One leading region: a bare name with an optional suffix, or a suffix-only name with its suffix.
LEADING_REGION = re.compile(rf"^(?:(?:{'|'.join(_BARE)}){_SUFFIX}?|(?:{'|'.join(_SUFFIXED)}){_SUFFIX})")

# Bracket content made only of regions: （北京）, (广东深圳), (China), （亚太）.
_ALONE = sorted({*BRACKET_ONLY, *LATIN_REGIONS}, key=len, reverse=True)
_BRACKET_WORD = (rf"(?:(?P<bare>{'|'.join(_BARE)}){_SUFFIX}?|(?P<suffixed>{'|'.join(_SUFFIXED)}){_SUFFIX}|"
                 rf"(?P<alone>{'|'.join(_ALONE)})(?:city|province|district)?)")
_ONE_REGION = re.compile(_BRACKET_WORD)
_UNNAMED = re.sub(r"\?P<\w+>", "", _BRACKET_WORD)
BRACKET_REGION = re.compile(rf"^(?:{_UNNAMED})+$")


def strip_leading_region(key: str) -> str:
    """``key`` without one leading region (with its suffix); ``key`` itself when it has none."""
    m = LEADING_REGION.match(key)
    return key[m.end():] if m else key


def is_region(text: str) -> bool:
    """True when ``text`` (already normalised: no spaces or punctuation) is nothing but regions."""
    return bool(text) and bool(BRACKET_REGION.match(text))


def region_tag(text: str) -> str:
    """The canonical form of a bracket's regions (``text`` as ``is_region`` takes it): their pinyin,
    joined by ``+`` (``广东深圳`` → ``guangdong+shenzhen``, ``dongguan`` → ``dongguan``); "" if not regions."""
    if not is_region(text):
        return ""
    found, at = [], 0
    while at < len(text):
        m = _ONE_REGION.match(text, at)
        if m is None or m.end() == at:
            return ""
        name = m.group("bare") or m.group("suffixed") or m.group("alone")
        found.append(CANONICAL[name])
        at = m.end()
    return "+".join(found)


def is_separate_jurisdiction(tag: str) -> bool:
    return any(part in SEPARATE_JURISDICTIONS for part in tag.split("+"))


def strip_leading_latin_region(words: list[str]) -> list[str]:
    """``words`` without a leading region written in Latin (``shenzhen mindray`` → ``mindray``;
    ``hong kong …``, ``inner mongolia …`` as two words); ``words`` itself when there is none."""
    for n in (2, 1):
        if len(words) > n and "".join(words[:n]) in LATIN_REGIONS:
            return words[n:]
    return words
