"""Deterministic, realistic company names for benchmarks: about half Chinese, half English.

Chinese: [region[市]] brand industry legal-form, sometimes with a bracketed region (华为技术（深圳）有限公司);
brands are 2–3 characters drawn from the characters brands are made of. English: one or two brand
words (surnames, nouns, coined syllable combinations), an optional industry word and a legal form.
Everything comes from one ``random.Random(seed)``: the same seed gives the same names.
"""

from __future__ import annotations

import random
from collections.abc import Iterator


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CN_REGIONS = _words(
    "北京 上海 天津 重庆 深圳 广州 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 青岛 宁波 厦门 合肥 福州 济南 "
    "沈阳 大连 昆明 南昌 无锡 东莞 佛山 珠海 温州 常州 嘉兴 绍兴 烟台 潍坊 石家庄 太原 贵阳 南宁 海口 兰州 "
    "广东 浙江 江苏 山东 河南 河北 湖北 湖南 四川 福建 安徽 江西 辽宁 陕西 云南 广西"
)
CN_BRAND_CHARS = (
    "华中兴达泰新恒盛金鑫宏信诚安嘉美博创联通天海龙凯瑞德利丰源晟东方远航飞云星光明阳正和平康健福祥伟宇"
    "鼎豪景汇腾顺昌隆辉荣思睿智慧英杰维卓越优佳乐朗峰林森川江湖山石铭润泽宝玉彩艺菲雅琪蓝青绿紫红橙"
    "晨曦阔远畅捷迅驰骏奥迪赛特威尔斯普雷蒙拓展领航易网讯酷米果壳贝壳锐力升启欣悦众合同仁至尚品道"
)
CN_INDUSTRIES = _words(
    "科技 信息技术 网络科技 电子科技 软件 贸易 实业 电子 咨询 商贸 生物科技 医药 新能源 建筑工程 餐饮管理 "
    "物流 食品 机械设备 环保科技 文化传媒 投资管理 企业管理咨询 供应链管理 智能科技 电气 化工 材料 汽车服务 "
    "教育科技 数据科技 服饰 家居 农业发展 房地产开发 广告 印刷 包装 物业管理 酒店管理 健康管理 光电 精密机械"
)
CN_LEGAL = ("有限公司",) * 7 + ("股份有限公司", "有限责任公司", "集团有限公司")

EN_SURNAMES = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson "
    "Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker "
    "Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris "
    "Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson "
    "Brooks Bennett Gray Hughes Price Sanders Myers Long Foster Powell Jenkins Perry Russell Sullivan Fisher"
)
EN_NOUNS = _words(
    "Apex Summit Harbor Pioneer Beacon Falcon Eagle Cedar Oak Maple River Stone Bridge Crown Liberty Atlas "
    "Orion Phoenix Titan Vertex Zenith Horizon Meridian Granite Silver Golden Blue Red Green North South East "
    "West Pacific Atlantic Coastal Prairie Mountain Valley Lake Ocean Sky Star Sun Moon Iron Copper Crystal "
    "Diamond Emerald Sapphire Union United Premier Prime First Central Metro Urban Royal Noble Bright Swift"
)
EN_SYLLABLES = _words(
    "ze no va lu tri gen cor dex max ion tek syn ora ply qua rix vo lia mer cas tor bel fin gra hex "
    "kin lum nex opt pix rho sol tav umb vel wix xan yor zul bra cle dri ent fla glo hal ivo jet kor"
)
EN_INDUSTRIES = _words(
    "Pharmaceuticals Logistics Foods Motors Energy Capital Partners Technologies Solutions Systems Consulting "
    "Software Industries Holdings Group Labs Media Networks Robotics Analytics Biotech Semiconductors "
    "Materials Retail Apparel Hospitality Realty Construction Engineering Airlines Insurance Bank Studios "
    "Trading Manufacturing Health Dynamics Devices Instruments Outdoor Brewing Foods Textiles Chemicals"
)
EN_LEGAL = ("Inc.", "Inc", "Ltd", "Ltd.", "LLC", "Corp.", "Corporation", "Co., Ltd.", "GmbH", "PLC", "Limited",
            "Company", "", "", "")


def chinese_name(rng: random.Random) -> str:
    brand = "".join(rng.choice(CN_BRAND_CHARS) for _ in range(rng.choice((2, 2, 2, 3, 3, 4))))
    industry = rng.choice(CN_INDUSTRIES)
    legal = rng.choice(CN_LEGAL)
    region = rng.choice(CN_REGIONS)
    shape = rng.random()
    if shape < 0.55:
        return f"{region}{rng.choice(('', '市'))}{brand}{industry}{legal}"
    if shape < 0.65:
        return f"{brand}{industry}（{region}）{legal}"
    return f"{brand}{industry}{legal}"


def coined_word(rng: random.Random) -> str:
    return "".join(rng.choice(EN_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def english_name(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        brand = coined_word(rng)
    elif kind < 0.6:
        brand = f"{rng.choice(EN_NOUNS)} {rng.choice(EN_NOUNS)}"
    elif kind < 0.8:
        brand = f"{rng.choice(EN_SURNAMES)} {rng.choice(('&', 'and'))} {rng.choice(EN_SURNAMES)}"
    else:
        brand = f"{rng.choice(EN_NOUNS)} {coined_word(rng)}"
    parts = [brand]
    if rng.random() < 0.7:
        parts.append(rng.choice(EN_INDUSTRIES))
    legal = rng.choice(EN_LEGAL)
    if legal:
        parts.append(legal)
    return " ".join(parts)


def company_names(seed: int = 0) -> Iterator[str]:
    """An endless stream of names (duplicates possible: callers dedupe on the name key)."""
    rng = random.Random(seed)
    while True:
        yield chinese_name(rng) if rng.random() < 0.5 else english_name(rng)


def typo(name: str, rng: random.Random) -> str:
    """One character inserted, deleted or replaced inside the first half of the name (the brand)."""
    if len(name) < 2:
        return name + name
    i = rng.randrange(max(1, len(name) // 2))
    op = rng.choice(("insert", "delete", "replace"))
    ch = name[rng.randrange(len(name))]
    if op == "insert":
        return name[:i] + ch + name[i:]
    if op == "delete":
        return name[:i] + name[i + 1 :]
    return name[:i] + ch + name[i + 1 :]
