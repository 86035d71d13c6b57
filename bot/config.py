"""Settings: defaults, then the TOML file named by CLAIMBOT_CONFIG, then environment variables.

Nested keys come from the environment as CLAIMBOT_<SECTION>__<KEY> (for example
CLAIMBOT_CLAIMS__HOLDING_CAP=50). Slack credentials and DATABASE_URL have their own plain names.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Tier = Literal["A", "B", "C"]


class TeamSettings(BaseModel):
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    admins: list[str] = Field(default_factory=list)
    managers: list[str] = Field(default_factory=list)
    digest_channel: str | None = None
    approvals_channel: str | None = None


class ClaimSettings(BaseModel):
    holding_cap: int = Field(100, ge=0)
    daily_claim_cap: int = Field(10, ge=0)
    reclaim_cooldown_days: int = Field(7, ge=0)
    first_followup_days: int = Field(3, ge=1)
    max_protection_days: int = Field(180, ge=1)
    default_tier: Tier = "B"
    followup_timeout_days: dict[Tier, int] = Field(default_factory=lambda: {"A": 45, "B": 30, "C": 14})
    progress_timeout_days: dict[Tier, int] = Field(default_factory=lambda: {"A": 180, "B": 90, "C": 60})
    min_followup_note_chars: int = Field(10, ge=1)


class ReminderSettings(BaseModel):
    days_before: list[int] = Field(default_factory=lambda: [7, 1])


class DisputeSettings(BaseModel):
    decision_hours: int = Field(48, ge=1)  # no decision by then: the owner keeps it
    appeal_days: int = Field(3, ge=0)
    default_claimant_share: int = Field(50, ge=1, le=99)  # co-own credit split


class HandoverSettings(BaseModel):
    decline_hours: int = Field(24, ge=1)  # the recipient may decline for this long


def default_database_url() -> str:
    return f"sqlite:///{Path('claimbot.db').resolve()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLAIMBOT_", env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    team: TeamSettings = Field(default_factory=TeamSettings)
    claims: ClaimSettings = Field(default_factory=ClaimSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    disputes: DisputeSettings = Field(default_factory=DisputeSettings)
    handovers: HandoverSettings = Field(default_factory=HandoverSettings)

    database_url: str = Field(
        default_factory=default_database_url, validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    slack_bot_token: str | None = Field(None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL"))

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
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
