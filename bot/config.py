"""Settings: defaults, then the TOML file named by CLAIMBOT_CONFIG, then environment variables.

Nested keys come from the environment as CLAIMBOT_<SECTION>__<KEY> (for example
CLAIMBOT_CLAIMS__HOLDING_CAP=50). Slack credentials and DATABASE_URL have their own plain names.
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Tier = Literal["A", "B", "C"]


def _per_tier(a: int, b: int, c: int) -> dict[Tier, int]:
    return {"A": a, "B": b, "C": c}


class TeamSettings(BaseModel):
    timezone: str = "Asia/Shanghai"

    language: Literal["zh", "en"] = "zh"
    # Channel posts (digest, leaderboard, decisions, the weekly chart's comment) in each of these, one
    # section per language in one message; empty: the team language only. DMs are in the reader's own.
    post_languages: list[Literal["zh", "en"]] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    managers: list[str] = Field(default_factory=list)
    digest_channel: str | None = None
    approvals_channel: str | None = None
    slack_team_id: str | None = None  # T…: `claimbot doctor` fails when the token is for another workspace

    def channel_languages(self) -> list[str]:
        """The languages a channel post is written in, the team language first."""
        rest = [lang for lang in dict.fromkeys(self.post_languages) if lang != self.language]
        return [self.language, *rest] if self.post_languages else [self.language]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class ClaimSettings(BaseModel):
    holding_cap: int = Field(100, ge=0)
    daily_claim_cap: int = Field(10, ge=0)
    reclaim_cooldown_days: int = Field(7, ge=0)
    first_followup_days: int = Field(3, ge=1)
    max_protection_days: int = Field(180, ge=1)
    default_tier: Tier = "B"
    followup_timeout_days: dict[Tier, int] = Field(default_factory=lambda: _per_tier(45, 30, 14))
    progress_timeout_days: dict[Tier, int] = Field(default_factory=lambda: _per_tier(180, 90, 60))
    min_followup_note_chars: int = Field(10, ge=1)
    # How the clocks count days (docs/decisions/0005): calendar days, or working days with a holiday
    # calendar (China's, 调休 make-up workdays included); the team's own days are in [calendar].
    count: Literal["calendar_days", "working_days"] = "calendar_days"
    holiday_calendar: Literal["CN"] = "CN"
    extra_holidays: list[date] = Field(default_factory=list)  # older spelling of [calendar] holidays, still read
    extra_workdays: list[date] = Field(default_factory=list)  # older spelling of [calendar] workdays, still read
    tightening_grace_days: int = Field(3, ge=0)  # a tightened rule recycles nothing before this has passed

    @field_validator("followup_timeout_days", "progress_timeout_days")
    @classmethod
    def _every_tier(cls, value: dict[str, int]) -> dict[str, int]:
        missing = {"A", "B", "C"} - set(value)
        if missing or any(days < 1 for days in value.values()):
            raise ValueError(f"needs A, B and C, each at least 1 day (missing: {', '.join(sorted(missing)) or 'none'})")
        return value


class CalendarSettings(BaseModel):
    """The team's own days for working-day counting (docs/decisions/0021); they win over the packages. Enter a
    year's State Council notice here before a package release carries it: listing any date of a year makes the
    lists that year's whole schedule."""

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)  # 调休: a Saturday or Sunday that is worked

    @model_validator(mode="after")
    def _not_both(self) -> CalendarSettings:
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"a day can't be both a holiday and a workday: {', '.join(d.isoformat() for d in both)}")
        return self


class ReminderSettings(BaseModel):
    days_before: list[int] = Field(default_factory=lambda: [7, 1])

    @field_validator("days_before")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(days < 0 for days in value):  # 0: on the last protected day
            raise ValueError("reminder days can't be negative")
        return value


class DisputeSettings(BaseModel):
    decision_hours: int = Field(48, ge=1)  # no decision by then: the owner keeps it
    appeal_days: int = Field(3, ge=0)
    default_claimant_share: int = Field(50, ge=1, le=99)  # co-own credit split


class HandoverSettings(BaseModel):
    decline_hours: int = Field(24, ge=1)  # the recipient may decline for this long


class ComplaintSettings(BaseModel):
    """Customer complaints (PRODUCT 3.8). Due days count as ``[claims] count`` says: calendar days, or
    working days with the team's holiday calendar."""

    due_days: int = Field(3, ge=1, le=365)  # due on the n-th day after logging; overdue from the day after


class ImportSettings(BaseModel):
    """``[import]``: bringing the old CRM's book over (docs/decisions/0010, 0020)."""

    grace_days: int = Field(7, ge=1, le=90)  # a row already past its clocks is protected this many more days


class LookupSettings(BaseModel):
    """How a long-running server (``claimbot serve``, ``claimbot run``) finds near-duplicate names."""

    # Hold the name index in memory (~160 MiB and ~8 s to load per 1,000,000 customers): the fuzzy
    # lookup's slowest queries take ~5 ms instead of ~30 (docs/decisions/0015). Off: read the database.
    in_memory_index: bool = True


class ServerSettings(BaseModel):
    """What one HTTP request may cost ``claimbot serve`` (bot/http_limits.py, docs/decisions/0022)."""

    # Largest body per path, refused with 413 before it is read; a path not listed takes no body.
    # Slack's own requests are a few KiB.
    max_body_bytes: dict[str, int] = Field(default_factory=lambda: {"/slack/events": 1 << 20, "/leads": 64 << 10})
    read_timeout_seconds: int = Field(10, ge=1)  # a connection silent this long is closed
    request_timeout_seconds: float = Field(30, gt=0)  # a request must arrive whole this soon after its first byte

    @field_validator("max_body_bytes")
    @classmethod
    def _sizes(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [path for path, size in value.items() if size < 0 or not path.startswith("/")]
        if bad:
            raise ValueError(f"paths start with / and sizes are bytes >= 0 (not: {', '.join(bad)})")
        return value


_HH_MM = r"^([01]?\d|2[0-3]):[0-5]\d$"


class ScheduleSettings(BaseModel):
    """Times of day in the team's time zone."""

    recycle: str = Field("02:00", pattern=_HH_MM)
    reminders: str = Field("09:00", pattern=_HH_MM)
    digest: str = Field("09:00", pattern=_HH_MM)
    leaderboard: str = Field("18:00", pattern=_HH_MM)
    weekly: str = Field("09:30", pattern=_HH_MM)  # the weekly chart of the week that just ended
    weekly_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    deadlines_every_minutes: int = Field(15, ge=1)
    outbox_every_seconds: int = Field(2, ge=1)
    delivery_timeout_seconds: float = Field(10, gt=0)  # one Web API answer; later: try again (history first)
    # The least time one instance holds a notice it is sending; one that dies mid-send (a crash, SIGKILL)
    # keeps its notices from the others this long, then another instance sends them (history first).
    delivery_lease_seconds: int = Field(60, ge=1)


class LeaderboardWeights(BaseModel):
    """Points per event (PRODUCT 3.7); a co-owned win counts by each side's share of the credit."""

    claims: float = Field(1, ge=0)
    followups: float = Field(1, ge=0)  # qualifying follow-ups only
    advances: float = Field(3, ge=0)  # forward stage moves other than to won
    wins: float = Field(10, ge=0)


class LeaderboardSettings(BaseModel):
    weights: LeaderboardWeights = Field(default_factory=LeaderboardWeights)
    amount_per_point: float | None = Field(None, gt=0)  # unset: the won amount is shown, not scored


class AllocationRule(BaseModel):
    """One ``[[allocation.rules]]`` table. Empty filters match anything; an empty ``reps`` pool means
    every active rep whose own regions/industries (Rep table) fit the lead."""

    name: str = Field(min_length=1, max_length=64)
    regions: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    reps: list[str] = Field(default_factory=list)
    strategy: Literal["round_robin", "least_loaded", "weighted"] = "round_robin"
    weights: dict[str, int] = Field(default_factory=dict)  # weighted: a rep missing here weighs 1

    @model_validator(mode="after")
    def _positive_weights(self) -> AllocationRule:
        if any(w < 1 for w in self.weights.values()):
            raise ValueError(f"allocation rule {self.name!r}: weights must be at least 1")
        return self


class AllocationSettings(BaseModel):
    """Fair allocation of new leads (PRODUCT 3.6): ordered rules, first match wins."""

    rules: list[AllocationRule] = Field(default_factory=list)
    holding_caps: dict[str, int] = Field(default_factory=dict)  # a rep's own cap; the lowest cap wins
    seed: int | None = None  # fixed: random tie-breaks are reproducible per lead

    @model_validator(mode="after")
    def _unique_names(self) -> AllocationSettings:
        names = [rule.name for rule in self.rules]
        if len(names) != len(set(names)):
            raise ValueError("allocation rule names must be unique")
        return self


LEAD_FIELDS = ("name", "uscc", "domain", "phone", "email", "region", "industry", "tier", "contact", "note",
               "external_id")


class IntakeSource(BaseModel):
    """One ``[intake.sources.<name>]`` table: how this source names the lead's fields
    (``fields = { name = "company", phone = "mobile" }``: ours on the left, theirs on the right)."""

    fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(LEAD_FIELDS))
        if unknown:
            raise ValueError(f"unknown lead fields {', '.join(unknown)} (known: {', '.join(LEAD_FIELDS)})")
        return value


class IntakeSettings(BaseModel):
    """``POST /leads`` (docs/decisions/0019). A source exists when ``CLAIMBOT_LEAD_TOKEN_<SOURCE>`` is set;
    its table here only maps field names."""

    per_minute: int = Field(120, ge=1)  # per source and server process; more: 429
    sources: dict[str, IntakeSource] = Field(default_factory=dict)


class LeadSettings(BaseModel):
    """Offering new leads: how long a rep has to accept, counted in working hours, and how many reps are
    offered one lead before it goes to the pool."""

    accept_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    hours: str = Field("09:00-18:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-4]):[0-5]\d$")
    max_offers: int = Field(3, ge=1, le=50)

    @field_validator("hours")
    @classmethod
    def _start_before_end(cls, value: str) -> str:
        start, end = (int(h) * 60 + int(m) for h, m in (part.split(":") for part in value.split("-")))
        if start >= end:
            raise ValueError(f"working hours {value!r}: the start must be before the end")
        return value


def default_database_url() -> str:
    return f"sqlite:///{Path('claimbot.db').resolve()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLAIMBOT_", env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    team: TeamSettings = Field(default_factory=TeamSettings)
    claims: ClaimSettings = Field(default_factory=ClaimSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    disputes: DisputeSettings = Field(default_factory=DisputeSettings)
    handovers: HandoverSettings = Field(default_factory=HandoverSettings)
    complaints: ComplaintSettings = Field(default_factory=ComplaintSettings)
    allocation: AllocationSettings = Field(default_factory=AllocationSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    leaderboard: LeaderboardSettings = Field(default_factory=LeaderboardSettings)
    lookup: LookupSettings = Field(default_factory=LookupSettings)
    imports: ImportSettings = Field(default_factory=ImportSettings, validation_alias=AliasChoices("import", "imports"))
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    leads: LeadSettings = Field(default_factory=LeadSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    database_url: str = Field(
        default_factory=default_database_url, validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    slack_bot_token: str | None = Field(None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL"))

    @model_validator(mode="after")
    def _one_calendar(self) -> Settings:
        """``[claims] extra_holidays`` / ``extra_workdays`` (the older spelling) join ``[calendar]``."""
        c, cal = self.claims, self.calendar
        if c.extra_holidays or c.extra_workdays:
            self.calendar = CalendarSettings(holidays=sorted({*cal.holidays, *c.extra_holidays}),
                                             workdays=sorted({*cal.workdays, *c.extra_workdays}))
            self.claims = c.model_copy(update={"extra_holidays": [], "extra_workdays": []})
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("CLAIMBOT_CONFIG")
        if config_file:
            sources.append(_TomlWithoutCredentials(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


CREDENTIALS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "SLACK_BOT_TOKEN",
               "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


class _TomlWithoutCredentials(TomlConfigSettingsSource):
    """Slack credentials come only from the environment, never from the (often shared) config file."""

    def __call__(self) -> dict[str, object]:
        data = super().__call__()
        return {key: value for key, value in data.items() if key not in CREDENTIALS}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
