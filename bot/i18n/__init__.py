"""The message catalog and language choice."""

from __future__ import annotations

from bot.i18n.catalog import CATALOG
from bot.i18n.catalog_allocation import ALLOCATION
from bot.i18n.catalog_card import CARD
from bot.i18n.catalog_clock_rules import CLOCK_RULES
from bot.i18n.catalog_complaints import COMPLAINTS
from bot.i18n.catalog_decisions import DECISIONS
from bot.i18n.catalog_digest import DIGEST
from bot.i18n.catalog_home import HOME
from bot.i18n.catalog_import_pool import IMPORT_POOL
from bot.i18n.catalog_leads import LEADS
from bot.i18n.catalog_notices import NOTICES
from bot.i18n.catalog_scorecard import SCORECARD
from bot.i18n.catalog_settings import SETTINGS
from bot.i18n.catalog_weekly import WEEKLY

CATALOG.update(DECISIONS)
CATALOG.update(ALLOCATION)
CATALOG.update(CARD)
CATALOG.update(CLOCK_RULES)
CATALOG.update(COMPLAINTS)
CATALOG.update(NOTICES)
CATALOG.update(DIGEST)
CATALOG.update(SETTINGS)
CATALOG.update(HOME)
CATALOG.update(IMPORT_POOL)
CATALOG.update(SCORECARD)
CATALOG.update(WEEKLY)
CATALOG.update(LEADS)

LANGUAGES = ("zh", "en")


def language_for(locale: str | None, team_language: str) -> str:
    """A user's own Slack locale wins where known (zh-CN, zh-TW → zh; en-US → en); else the team's."""
    if locale:
        prefix = locale.split("-")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return team_language if team_language in LANGUAGES else "zh"


def t(key: str, lang: str, **params: object) -> str:
    entry = CATALOG[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**params) if params else template
