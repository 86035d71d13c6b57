"""The composition root: settings, the engine and the service context, built in one place for every entry
point (the CLI, the server, the console, the benchmarks)."""

from __future__ import annotations

from bot.config import Settings
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import get_engine


def context(settings: Settings | None = None) -> ServiceContext:
    settings = settings or Settings()
    return ServiceContext(engine=get_engine(settings.database_url), settings=settings)


def ensure_schema(ctx: ServiceContext) -> None:
    """SQLite (one machine) migrates itself; a shared server database is migrated on purpose, once."""
    if migrate.is_current(ctx.engine, ctx.settings.database_url):
        return
    if ctx.engine.dialect.name == "sqlite":
        migrate.upgrade(ctx.settings.database_url)
        return
    raise SystemExit(
        f"The database at {ctx.engine.url.render_as_string(hide_password=True)} is not at the current schema "
        f"({migrate.current_revision(ctx.engine)} ≠ {migrate.head_revision(ctx.settings.database_url)}). "
        "Run `claimbot db upgrade` first."
    )


def start_up(ctx: ServiceContext) -> None:
    """Before serving: the schema is current and the clock rules in force are on record (a change
    starts its grace period now, not at the next sweep)."""
    from datetime import UTC, datetime

    from bot.services import rule_versions

    ensure_schema(ctx)
    rule_versions.record(ctx, datetime.now(UTC))


def load_name_index(ctx: ServiceContext) -> None:
    """A long-running server holds the name index in memory unless ``[lookup]`` says not to, and pypinyin's
    dictionaries (loaded here, ~1 s, so that the first Chinese name is not the request that waits for them)."""
    from bot.rules.names import load_pinyin

    load_pinyin()
    if ctx.settings.lookup.in_memory_index:
        from storage import fuzzy_index

        fuzzy_index.load_in_background(ctx.engine)
