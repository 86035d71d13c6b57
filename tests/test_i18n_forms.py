"""Both languages read right: plural forms, numbers, money and dates in the reader's locale (issue 16, item 1).

Every message key is rendered in zh and en with every placeholder given the counts 0, 1, 2 and 11, then
12,345: no "1 days", "1 follow-ups"; numbers grouped as the locale groups them. Every view of the
catalogue in tests/test_blockkit.py shows dates in the locale's form, never ISO.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime

import pytest

from bot.i18n import CATALOG, IDENTIFIERS, LANGUAGES, t
from bot.i18n import formatting as fmt
from tests import test_blockkit as catalogue

# The English count nouns of the catalog: a count of 1 before any of them in the plural is a bug.
PLURAL_NOUNS = ("days", "hours", "follow-ups", "customers", "characters", "leads", "cycles", "turns", "pts",
                "reminders", "rows", "claims", "wins", "advances", "points", "minutes", "weeks", "months",
                "complaints", "notices", "offers", "pages", "changes", "cases", "rules", "reps", "times",
                "requests", "members", "files", "entries", "lines", "skipped turns")
ONE_PLURAL = re.compile(r"(?<![\d.,])1\*?\s+(" + "|".join(re.escape(n) for n in PLURAL_NOUNS) + r")(?![\w-])")
ISO_DAY = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _render_all(value: object) -> dict[tuple[str, str], str]:
    """Every message with every count placeholder set to ``value`` (identifiers to 777)."""
    out = {}
    for key, entry in CATALOG.items():
        for lang in LANGUAGES:
            template = entry.get(lang) or entry["en"]
            params = {name: 777 if name in IDENTIFIERS else value for name in _fields(template)}
            out[(key, lang)] = t(key, lang, **params)
    return out


@pytest.mark.parametrize("count", [0, 1, 2, 11])
def test_every_message_reads_right_with_every_count(count: int) -> None:
    wrong = [(key, lang, text) for (key, lang), text in _render_all(count).items()
             if lang == "en" and ONE_PLURAL.search(text)]
    assert not wrong, f"{len(wrong)} messages say '1 <plural>': {wrong[:5]}"
    if count == 1:  # and the singular is really used: a sample that must read "1 day"
        assert "1 day left" in t("mine.row", "en", name="X", sid="C-1", stage="s", until="u", clock="c", days=1)
        assert "剩 1 天" in t("mine.row", "zh", name="X", sid="C-1", stage="s", until="u", clock="c", days=1)


def test_every_count_is_grouped_as_the_locale_groups_it() -> None:
    for (key, lang), text in _render_all(12345).items():
        template = CATALOG[key].get(lang) or CATALOG[key]["en"]
        counted = _fields(template) - IDENTIFIERS
        if counted:
            assert "12345" not in text.replace("12,345", ""), f"{key} [{lang}] shows a count ungrouped: {text!r}"
            assert "12,345" in text, f"{key} [{lang}]: {text!r}"


def test_identifiers_are_never_grouped() -> None:
    assert "#12345" in t("complaint.header.open", "en", id=12345, name="X", sid="C-1", raiser="<@U1>") \
        if "complaint.header.open" in CATALOG else True
    assert t("settings.digest.item", "en", version=12345, who="w", at="a", list="l").count("12345") == 1


def test_the_locale_forms() -> None:
    d = date(2026, 12, 11)
    assert fmt.day(d, "zh") == "2026年12月11日"
    assert fmt.day(d, "en") == "Dec 11, 2026"
    at = datetime(2026, 12, 11, 6, 30, tzinfo=UTC)
    assert fmt.moment(at, "Asia/Shanghai", "zh") == "2026年12月11日 14:30"
    assert fmt.moment(at, "Asia/Shanghai", "en") == "Dec 11, 2026, 2:30\u202fPM"
    assert fmt.money(125_000, "zh") == "12.5万"
    assert fmt.money(125_000, "en") == "125,000"
    assert fmt.money(1_234.5, "en") == "1,234.50"
    assert fmt.number(1_234.567, "en") == "1,234.57"
    assert fmt.number(2.0, "zh") == "2"


def test_a_time_to_act_on_names_its_zone_when_it_is_not_the_readers() -> None:
    at = datetime(2026, 12, 11, 6, 30, tzinfo=UTC)
    assert fmt.moment(at, "Asia/Shanghai", "en", reader_tz="Asia/Shanghai") == "Dec 11, 2026, 2:30\u202fPM"
    assert fmt.moment(at, "Asia/Shanghai", "en", reader_tz="Asia/Taipei") == "Dec 11, 2026, 2:30\u202fPM"
    assert fmt.moment(at, "Asia/Shanghai", "en", reader_tz="Europe/Berlin") == \
        "Dec 11, 2026, 2:30\u202fPM (China Time)"
    assert fmt.moment(at, "Asia/Shanghai", "zh", reader_tz="America/New_York") == "2026年12月11日 14:30 (中国时间)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_view_shows_an_iso_date(lang: str) -> None:
    shown = []
    for view, render in {**catalogue.MESSAGE_VIEWS, **catalogue.MODAL_VIEWS}.items():
        text = str(render(lang, "Acme"))
        if ISO_DAY.search(text.replace('"value"', "")):
            shown.append((view, ISO_DAY.search(text).group()))  # type: ignore[union-attr]
    from bot.views.home import home_view

    home = str(home_view(catalogue._home_data("Acme", manager=True), lang))
    if ISO_DAY.search(home):
        shown.append(("home", ISO_DAY.search(home).group()))  # type: ignore[union-attr]
    assert not shown, f"ISO dates shown in {lang}: {shown[:8]}"


# --- a DM names the team's zone when the reader lives in another one


@pytest.fixture
def slack_users(slack_users):  # Bob lives in Berlin; the team and Alice in Shanghai
    slack_users["U0BOB"]["tz"] = "Europe/Berlin"
    return slack_users


@pytest.fixture
def ctx(sqlite_url, standin):
    from bot.config import Settings, TeamSettings
    from bot.services.context import ServiceContext
    from storage import migrate
    from storage.engine import make_engine

    migrate.upgrade(sqlite_url)
    settings = Settings(database_url=sqlite_url, slack_bot_token="xoxb-test", slack_api_url=standin.api_url,
                        team=TeamSettings(managers=["U0MGR1"]))
    context = ServiceContext(make_engine(sqlite_url), settings)
    yield context
    context.engine.dispose()


def test_a_deadline_in_a_dm_names_the_teams_zone_for_a_reader_elsewhere(ctx, standin) -> None:
    from bot.services import claims, handovers
    from bot.slack.delivery import Dispatcher
    from tests.e2e import text_of

    now = datetime.now(UTC)
    for rep in ("U0ALICE", "U0BOB"):  # a manager hands Alice's customer to Bob: he may decline by a deadline
        assert claims.claim(ctx, rep, claims.ClaimRequest(name=f"Acme {rep}"), now).outcome == "created"
        moved = handovers.request(ctx, "U0MGR1", f"Acme {rep} <@{'U0BOB' if rep == 'U0ALICE' else 'U0ALICE'}> | 区域调整",
                                  now)
        assert moved.outcome == "transferred", moved
    Dispatcher(ctx).flush(max_seconds=10)
    to_bob = [text_of(c.params) for c in standin.calls_for("chat.postMessage", ok_only=True)
              if c.params["channel"] == "U0BOB"]
    to_alice = [text_of(c.params) for c in standin.calls_for("chat.postMessage", ok_only=True)
                if c.params["channel"] == "U0ALICE"]
    assert any("(China Time)" in text for text in to_bob), to_bob  # Bob reads en, lives in Berlin
    assert to_alice and not any("中国时间" in text or "China Time" in text for text in to_alice), to_alice
