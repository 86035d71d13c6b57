"""Generic words of company names, as data for bot/rules/names.py. Pure.

A name made only of these (``银行``, ``农村商业银行``, ``燃气``, ``global services``) names no company: a
region in front of it is part of the name (北京农村商业银行 and 上海农村商业银行 are two banks, 重庆啤酒
and 青岛啤酒 two brewers), and it never matches fuzzily. The sector nouns follow the sector names of
China's industry classification (GB/T 4754-2017, 国民经济行业分类) where company names use them —
finance, utilities (power, grid, gas, water, heat), transport, brewing, tobacco, media, health,
education — and their English counterparts. tests/test_names.py checks each group on real pairs.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _longest_first(text: str) -> tuple[str, ...]:
    return tuple(sorted(text.split(), key=len, reverse=True))


# Industry words set aside for the stem key (and, alone, no company name).
LATIN_INDUSTRY_WORDS = _words(
    "technology technologies tech solution solutions system systems service services group holding "
    "holdings international intl global consulting consultancy software enterprise enterprises "
    "industries trading network networks digital worldwide ventures investment investments management "
    "engineering"
)
CJK_INDUSTRY_WORDS = _longest_first(
    "信息技术 科技 信息 技术 网络 互联网 贸易 商贸 实业 电子 电子商务 商务 软件 咨询 服务 发展 控股 "
    "国际 投资 管理 工程 智能 数码 文化传播 传播"
)
# Sector nouns: alone (or after industry words or modifiers) they name no company.
SECTOR_NOUNS = _words(
    # finance
    "银行 商业银行 农商银行 农商行 村镇银行 信用社 信用合作社 农村信用社 合作银行 保险 人寿保险 财产保险 证券 信托 "
    "基金 期货 租赁 融资租赁 担保 小额贷款 "
    # utilities and energy
    "电力 电网 供电 发电 能源 燃气 天然气 煤气 石油 石化 石油化工 水务 自来水 供水 排水 热力 供热 环保 "
    # transport
    "航空 机场 港口 港务 铁路 地铁 轨道交通 公交 公共交通 客运 高速公路 交通 物流 快递 "
    # food, drink, tobacco
    "啤酒 白酒 酒业 酿酒 乳业 食品 烟草 卷烟 "
    # industry and trade
    "钢铁 煤炭 矿业 水泥 化工 建材 工业 电器 电气 机械 设备 材料 汽车 制药 医药 "
    "地产 房地产 置业 城投 城建 建设 建筑 装饰 物业 广告 "
    # services, media, public bodies
    "医院 人民医院 中医院 诊所 大学 学院 学校 酒店 宾馆 饭店 餐厅 餐饮 超市 商场 百货 商店 药店 药房 "
    "传媒 日报 晚报 报业 出版 广播电视台 电视台 电信 移动 联通 文化 教育 旅游 "
    "研究院 研究所 中心 事务所 工作室 商行 店 厂 "
    # English
    "bank banking insurance securities capital fund trust leasing hospital clinic university college school "
    "hotel hotels restaurant logistics airlines airline airport port railway metro transit energy power grid "
    "electric gas water utilities petroleum petrochemical oil iron steel cement chemical chemicals mining coal "
    "beer brewery brewing tobacco pharma pharmaceutical pharmaceuticals motors media education foods "
    "industrial partners associates agency studio store shop telecom telecommunications communications broadband "
    "press daily"
)
# Words that only narrow a sector (农村 商业 银行, 城市 燃气): generic before a sector noun, never on their
# own part of the stem key's stripping.
GENERIC_MODIFIERS = _longest_first(
    "农村 城市 城乡 商业 农业 人民 市政 公用 公共 中心 第一 第二 第三 国有 地方 "
    "rural city commercial municipal public national"
)
