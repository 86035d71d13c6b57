"""Leads that arrive by themselves (PRODUCT 3.6, docs/decisions/0019): a source's field names mapped to
ours, the fields checked (a bad one is named), the accept deadline counted in working hours, and the
`/lead` command's text. Pure: no clock reads, no I/O."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rules import text
from bot.rules.identifiers import InvalidIdentifier, company_domain, normalize_phone, normalize_uscc

FIELDS = ("name", "uscc", "domain", "phone", "email", "region", "industry", "tier", "contact", "note",
          "external_id")
TIERS = ("A", "B", "C")
MAX_CHARS = {"region": 100, "industry": 100, "contact": 100, "email": 254, "note": text.MAX_NOTE_CHARS,
             "external_id": 200, "uscc": 64, "domain": 253, "phone": 40}
SOURCE = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")


@dataclass(frozen=True)
class FieldError:
    """Invalid input, with the field it is about: ``code`` is missing | not_text | too_long | invalid."""

    field: str
    code: str
    value: str = ""


@dataclass(frozen=True)
class LeadInput:
    """A lead's fields, checked and normalised (identifiers as the dedupe keys need them)."""

    name: str
    uscc: str | None = None
    domain: str | None = None
    phone: str | None = None
    email: str | None = None
    region: str | None = None
    industry: str | None = None
    tier: str | None = None
    contact: str | None = None
    note: str | None = None
    external_id: str | None = None

    def shown(self) -> dict[str, str]:
        """The fields a person reads (the owner's enquiry DM, the offer): those given, in a fixed order."""
        return {f: v for f in FIELDS if f != "external_id" and (v := getattr(self, f))}


def source_of(env_name: str, prefix: str) -> str | None:
    """``CLAIMBOT_LEAD_TOKEN_WEBSITE`` → ``website``; None for a name that is not a source's."""
    if not env_name.startswith(prefix):
        return None
    name = env_name[len(prefix):].lower()
    return name if SOURCE.match(name) else None


def map_fields(raw: Mapping[str, object], mapping: Mapping[str, str]) -> dict[str, object]:
    """Our field names for what a source sent: a mapped name first (``name = "company"``), else our own."""
    out: dict[str, object] = {}
    for ours in FIELDS:
        theirs = mapping.get(ours)
        if theirs is not None and theirs in raw:
            out[ours] = raw[theirs]
        elif ours in raw:
            out[ours] = raw[ours]
    return out


def _as_text(field_name: str, value: object) -> str | FieldError:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return FieldError(field_name, "not_text")
    return " ".join(text.clean(str(value)).split()) if field_name != "note" else text.clean(str(value)).strip()


def validate(fields: Mapping[str, object]) -> LeadInput | FieldError:
    """The lead's fields, or the first one that is wrong (nothing is written for a wrong one)."""
    values: dict[str, str] = {}
    for f in FIELDS:
        value = _as_text(f, fields.get(f))
        if isinstance(value, FieldError):
            return value
        values[f] = value
    name = values["name"]
    if not name:
        return FieldError("name", "missing")
    if len(name) > text.MAX_NAME_CHARS:
        return FieldError("name", "too_long", name[:40])
    if not text.has_word_character(name):
        return FieldError("name", "invalid", name)
    for f, limit in MAX_CHARS.items():
        if len(values[f]) > limit:
            return FieldError(f, "too_long", values[f][:40])
    tier = values["tier"].upper() or None
    if tier is not None and tier not in TIERS:
        return FieldError("tier", "invalid", values["tier"])
    email = values["email"] or None
    if email is not None and not _EMAIL.match(email):
        return FieldError("email", "invalid", email)
    try:
        uscc = normalize_uscc(values["uscc"]) if values["uscc"] else None
        domain = company_domain(values["domain"]) if values["domain"] else None
        phone = normalize_phone(values["phone"]) if values["phone"] else None
    except InvalidIdentifier as bad:
        return FieldError(bad.kind, "invalid", bad.value[:40])
    if domain is None and email is not None:
        try:
            domain = company_domain(email.rsplit("@", 1)[1])  # a free-mail domain names no company: None
        except InvalidIdentifier:
            domain = None
    return LeadInput(name=name, uscc=uscc, domain=domain, phone=phone, email=email,
                     region=values["region"] or None, industry=values["industry"] or None, tier=tier,
                     contact=values["contact"] or None, note=values["note"] or None,
                     external_id=values["external_id"] or None)


def parse_command(command_text: str) -> dict[str, str] | None:
    """``/lead name | region | industry | tier | source``: the fields given (empty parts are left out);
    None without a name."""
    parts = [p.strip() for p in text.SEPARATORS.split(text.clean(command_text))]
    names = ("name", "region", "industry", "tier", "source")
    fields = {k: v for k, v in zip(names, parts, strict=False) if v}
    return fields if fields.get("name") else None


# --- the accept window, in working hours


def working_hours(hours: str) -> tuple[time, time]:
    """``"09:00-18:00"`` → (09:00, 18:00); ``24:00`` is the end of the day."""
    start, end = (part.strip() for part in hours.split("-"))

    def parse(value: str) -> time:
        h, m = (int(x) for x in value.split(":"))
        return time.max if h == 24 else time(h, m)

    return parse(start), parse(end)


def offer_deadline(start: datetime, minutes: int, hours: str, tz: str,
                   is_workday: Callable[[date], bool] | None = None) -> datetime:
    """``minutes`` of working time after ``start``: only between the day's working hours in ``tz``, and only
    on working days when ``is_workday`` is given (the clocks count working days). A lead arriving at night
    waits for the morning; one at 17:30 with 60 minutes is due at 09:30 on the next working day."""
    zone = ZoneInfo(tz)
    open_at, close_at = working_hours(hours)
    local = start.astimezone(zone)
    left = timedelta(minutes=minutes)
    day = local.date()
    for _ in range(800):  # a bounded walk over days: a calendar with no working day would loop forever
        if is_workday is None or is_workday(day):
            day_open = datetime.combine(day, open_at, zone)
            day_close = datetime.combine(day, close_at, zone) if close_at != time.max else \
                datetime.combine(day + timedelta(days=1), time(0), zone)
            begin = max(local, day_open)
            if begin < day_close:
                if begin + left <= day_close:
                    return (begin + left).astimezone(start.tzinfo)
                left -= day_close - begin
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), zone)
    raise ValueError("no working time within 800 days: check the working days calendar")


def median_minutes(spans: Iterable[timedelta]) -> float | None:
    values = [s.total_seconds() / 60 for s in spans]
    return round(statistics.median(values), 1) if values else None


PERIOD_WORDS = {"week": 7, "周": 7, "本周": 7, "month": 30, "月": 30, "本月": 30}


def period(word: str, now: datetime) -> tuple[datetime, datetime] | None:
    """``week`` (the default): the last 7 days up to ``now``; ``month``: the last 30. None for anything else."""
    days = PERIOD_WORDS.get(word.strip().casefold() or "week")
    return (now - timedelta(days=days), now) if days else None
