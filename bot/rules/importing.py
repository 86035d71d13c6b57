"""Reading the cells of an imported customer list (``claimbot import``). Pure: text in, values out.

Old CRMs export headers in either language and in many spellings, so headers are matched through
aliases after NFKC, casefolding and dropping spaces, underscores and hyphens.
"""

from __future__ import annotations

import re
import unicodedata

from bot.rules.activity import parse_stage

COLUMNS = ("name", "owner", "tier", "region", "industry", "uscc", "domain", "phone", "stage")

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "customer", "customername", "company", "companyname", "account", "accountname",
             "客户", "客户名", "客户名称", "名称", "公司", "公司名称", "企业名称", "单位名称"),
    "owner": ("owner", "rep", "salesrep", "owneruserid", "slackid", "slackuserid", "负责人", "归属", "归属人",
              "销售", "所属销售", "跟进人"),
    "tier": ("tier", "level", "grade", "等级", "级别", "客户等级", "客户级别", "分级"),
    "region": ("region", "area", "city", "province", "地区", "区域", "省市", "城市", "所在地"),
    "industry": ("industry", "sector", "行业", "所属行业"),
    "uscc": ("uscc", "creditcode", "socialcreditcode", "unifiedsocialcreditcode", "统一社会信用代码",
             "信用代码", "社会信用代码"),
    "domain": ("domain", "website", "web", "url", "site", "homepage", "email", "网址", "域名", "官网", "网站",
               "邮箱"),
    "phone": ("phone", "tel", "telephone", "mobile", "phonenumber", "电话", "手机", "联系电话", "电话号码"),
    "stage": ("stage", "status", "阶段", "销售阶段", "状态"),
}
_BY_ALIAS = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_HEADER_NOISE = re.compile(r"[\s_\-.:：()（）*]+")
_OWNER = re.compile(r"^(?:<@)?@?([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>?$")
_TIER = re.compile(r"^([ABC])\s*(?:类|级|级别)?$")


def column_for(header: str) -> str | None:
    """The column a header names (``客户名称`` → ``name``), or None when it is not one we import."""
    key = _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", header).casefold())
    return _BY_ALIAS.get(key)


def map_header(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """(column → cell index, headers that were not understood). The first header for a column wins."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        column = column_for(header)
        if column is None or column in found:
            if header.strip():
                unknown.append(header.strip())
            continue
        found[column] = index
    return found, unknown


def parse_owner(cell: str) -> str | None:
    """A Slack user id (``U0ABC``, ``<@U0ABC|alice>``); None when the cell is not one."""
    m = _OWNER.match(unicodedata.normalize("NFKC", cell).strip().upper())
    return m.group(1) if m else None


def parse_tier(cell: str) -> str | None:
    """``A``, ``b``, ``C类`` → the tier; None when the cell is not one."""
    m = _TIER.match(unicodedata.normalize("NFKC", cell).strip().upper())
    return m.group(1) if m else None


def parse_import_stage(cell: str) -> str | None:
    """A stage word as /stage accepts it (``proposal``, ``方案报价``, ``赢单``); None when it is not one."""
    words = unicodedata.normalize("NFKC", cell).strip().split()
    if len(words) != 1:
        return None
    stage, _, _ = parse_stage(words[0])
    return stage
