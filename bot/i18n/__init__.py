"""The message catalog and language choice."""

from __future__ import annotations

from bot.i18n.catalog import CATALOG
from bot.i18n.catalog_allocation import ALLOCATION
from bot.i18n.catalog_card import CARD
from bot.i18n.catalog_clock_rules import CLOCK_RULES
from bot.i18n.catalog_complaints import COMPLAINTS
from bot.i18n.catalog_decisions import DECISIONS
from bot.i18n.catalog_digest import DIGEST
from bot.i18n.catalog_doctor import DOCTOR
from bot.i18n.catalog_home import HOME
from bot.i18n.catalog_import_pool import IMPORT_POOL
from bot.i18n.catalog_leads import LEADS
from bot.i18n.catalog_notices import NOTICES
from bot.i18n.catalog_scorecard import SCORECARD
from bot.i18n.catalog_settings import SETTINGS
from bot.i18n.catalog_weekly import WEEKLY
from bot.i18n.formatting import formatter

CATALOG.update(DECISIONS)
CATALOG.update(ALLOCATION)
CATALOG.update(CARD)
CATALOG.update(CLOCK_RULES)
CATALOG.update(COMPLAINTS)
CATALOG.update(NOTICES)
CATALOG.update(DIGEST)
CATALOG.update(DOCTOR)
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


# Integers that name rather than count: shown as they are, never grouped (complaint #10042, row 12034).
IDENTIFIERS = frozenset({"id", "parent", "row", "version", "page", "pages", "year"})


def t(key: str, lang: str, **params: object) -> str:
    """The message ``key`` in ``lang``; numbers as the locale writes them, plural forms by CLDR's rules."""
    entry = CATALOG[key]
    template = entry.get(lang) or entry["en"]
    if not params:
        return template
    for name in IDENTIFIERS.intersection(params):
        params[name] = str(params[name])
    return formatter(lang).vformat(template, (), params)
