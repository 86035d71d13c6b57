"""Reading the cells of an imported customer list (``claimbot import``). Pure: text in, values out.

Old CRMs export headers in either language and in many spellings, so headers are matched through
aliases after NFKC, casefolding and dropping spaces, underscores and hyphens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.rules.activity import parse_stage

COLUMNS = ("name", "owner", "tier", "region", "industry", "uscc", "domain", "phone", "stage",
           "last_followup", "last_activity", "stage_changed")
IMPORT_GRACE_CLOCK = "import_grace"  # the deadline is the end of an import's grace ([import] grace_days)
DATE_COLUMNS = ("last_followup", "last_activity", "stage_changed")

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
    "last_followup": ("lastfollowup", "lastfollowupat", "lastfollowupdate", "lastcontacted", "最后跟进时间",
                      "最近跟进时间", "最后跟进日期", "上次跟进时间"),
    "last_activity": ("lastactivity", "lastactivityat", "lastactivitydate", "lastactivitytime", "最后活动时间",
                      "最近活动时间"),
    "stage_changed": ("stagechanged", "stagechangedat", "laststagechange", "阶段变更时间", "阶段变更日期"),
}
_BY_ALIAS = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_HEADER_NOISE = re.compile(r"[\s_\-.:：()（）*/]+")
_OWNER = re.compile(r"^(?:<@)?@?([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>?$")
_TIER = re.compile(r"^([ABC])\s*(?:类|级|级别)?(?:客户)?\s*(?:[(（].*[)）])?$")


@dataclass(frozen=True)
class Preset:
    """The export of one CRM: recognised when every ``signature`` header is in the header row."""

    name: str
    signature: tuple[str, ...]
    columns: dict[str, str]  # header (as the CRM writes it) → our column


# The column names each CRM writes in its own export (docs/decisions/0020). Only columns whose values we
# understand are mapped: a CRM's stage or rating words are not our stages or tiers, and are left unread.
PRESETS = (
    Preset("Zoho CRM (Accounts)", ("Record Id", "Account Name", "Account Owner"), {
        "Account Name": "name", "Account Owner": "owner", "Phone": "phone", "Website": "domain",
        "Industry": "industry", "Billing City": "region", "Last Activity Time": "last_activity"}),
    Preset("HubSpot (Companies)", ("Record ID", "Company name", "Company owner"), {
        "Company name": "name", "Company owner": "owner", "Company Domain Name": "domain",
        "Phone Number": "phone", "Industry": "industry", "City": "region", "Last Activity Date": "last_activity",
        "Last Contacted": "last_followup"}),
    Preset("Salesforce (Accounts)", ("Account Name", "Account Owner"), {
        "Account Name": "name", "Account Owner": "owner", "Phone": "phone", "Website": "domain",
        "Industry": "industry", "Billing City": "region", "Last Activity": "last_activity"}),
    Preset("纷享销客（客户）", ("客户名称", "负责人", "最后跟进时间"), {
        "客户名称": "name", "负责人": "owner", "客户级别": "tier", "统一社会信用代码": "uscc", "网址": "domain",
        "电话": "phone", "行业": "industry", "地区": "region", "最后跟进时间": "last_followup"}),
)


def header_key(header: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", header).casefold())


def find_preset(headers: list[str]) -> Preset | None:
    """The first preset whose signature headers are all in the header row."""
    present = {header_key(h) for h in headers}
    for preset in PRESETS:
        if all(header_key(h) in present for h in preset.signature):
            return preset
    return None


class BadMapping(ValueError):
    pass


def parse_mapping(text: str, columns: Collection[str] = COLUMNS) -> dict[str, str]:
    """``--map name=公司名称,owner=负责人邮箱`` → {column: header}, each column one of ``columns``. Raises
    BadMapping."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        column, sep, header = part.partition("=")
        column, header = column.strip().lower(), header.strip()
        if not sep or column not in columns or not header:
            raise BadMapping(part.strip())
        mapping[column] = header
    return mapping


def read_header(headers: list[str], mapping: dict[str, str] | None = None
                ) -> tuple[dict[str, int], list[tuple[str, str | None]], str | None]:
    """(column → cell index, how every header was read: (header, column or None), the preset's name).

    ``mapping`` (column → header, from --map) comes first; then a recognised CRM preset; then the
    aliases. The first header for a column wins."""
    found: dict[str, int] = {}
    read: dict[int, str] = {}
    keys = [header_key(h) for h in headers]
    for column, header in (mapping or {}).items():
        if header_key(header) in keys:
            index = keys.index(header_key(header))
            found.setdefault(column, index)
            read.setdefault(index, column)
    preset = None if mapping else find_preset(headers)
    if preset is not None:
        by_key = {header_key(h): column for h, column in preset.columns.items()}
        for index, key in enumerate(keys):
            known = by_key.get(key)
            if known and known not in found and index not in read:
                found[known], read[index] = index, known
    for index, header in enumerate(headers):
        if index in read or preset is not None:
            continue
        guessed = column_for(header)
        if guessed is not None and guessed not in found:
            found[guessed], read[index] = index, guessed
    readings = [(h.strip(), read.get(i)) for i, h in enumerate(headers) if h.strip()]
    return found, readings, preset.name if preset else None


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


def parse_moment(cell: str, tz: str) -> datetime | None:
    """A date or date and time as CRMs export them (``2026-11-07``, ``2026/11/07 14:30``,
    ``11/07/2026 02:30 PM``, ``2026-11-07T14:30:00Z``), read in the team's zone when it has none.
    None when the cell is not one."""
    from zoneinfo import ZoneInfo

    text = unicodedata.normalize("NFKC", cell).strip()
    if not text:
        return None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("/", "-").replace("Z", "+00:00"))
    except ValueError:
        for pattern in ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y", "%Y年%m月%d日",
                        "%Y年%m月%d日 %H:%M", "%b %d, %Y", "%d-%b-%Y", "%Y-%m-%d %H:%M"):
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(UTC)


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


# --- claimbot import --followups: activities and notes of the old CRM

FOLLOWUP_COLUMNS = ("customer", "at", "note", "subject", "rep", "kind")
_FOLLOWUP_ALIASES: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customername", "company", "account", "accountname", "companyaccount", "relatedto",
                 "parentname", "客户", "客户名称", "公司名称", "关联客户"),
    "at": ("at", "date", "time", "createdtime", "createddate", "activitydate", "duedate", "notedate", "跟进时间",
           "创建时间", "日期", "时间"),
    "note": ("note", "notes", "notecontent", "comments", "description", "content", "跟进内容", "内容", "备注",
             "跟进记录"),
    "subject": ("subject", "notetitle", "title", "主题", "标题"),
    "rep": ("rep", "owner", "noteowner", "assigned", "assignedto", "createdby", "activityowner", "跟进人", "创建人",
            "负责人"),
    "kind": ("kind", "type", "activitytype", "tasktype", "跟进方式", "跟进类型", "类型"),
}
_FOLLOWUP_BY_ALIAS = {alias: column for column, aliases in _FOLLOWUP_ALIASES.items() for alias in aliases}
_KIND_WORDS = {"call": "call", "calls": "call", "phone": "call", "phonecall": "call", "visit": "visit",
               "meeting": "meeting", "meetings": "meeting", "event": "meeting", "email": "email", "e-mail": "email",
               "wechat": "wechat", "电话": "call", "拜访": "visit", "上门拜访": "visit", "会议": "meeting",
               "邮件": "email", "微信": "wechat"}


def read_followup_header(headers: list[str], mapping: dict[str, str] | None = None
                         ) -> tuple[dict[str, int], list[tuple[str, str | None]]]:
    """(column → cell index, how every header was read) for an activities/notes export."""
    found: dict[str, int] = {}
    read: dict[int, str] = {}
    keys = [header_key(h) for h in headers]
    for column, header in (mapping or {}).items():
        if header_key(header) in keys:
            index = keys.index(header_key(header))
            found.setdefault(column, index)
            read.setdefault(index, column)
    for index, key in enumerate(keys):
        guessed = _FOLLOWUP_BY_ALIAS.get(key)
        if index not in read and guessed is not None and guessed not in found:
            found[guessed], read[index] = index, guessed
    return found, [(h.strip(), read.get(i)) for i, h in enumerate(headers) if h.strip()]


def parse_followup_mapping(text: str) -> dict[str, str]:
    """``--map customer=客户,at=时间,...`` for --followups. Raises BadMapping."""
    return parse_mapping(text, FOLLOWUP_COLUMNS)


def followup_kind(cell: str) -> str:
    """A CRM's activity type as one of our kinds (``other`` when we have none like it)."""
    key = header_key(cell)
    return _KIND_WORDS.get(key) or _KIND_WORDS.get(cell.strip()) or "other"

