"""`claimbot import --followups FILE`: the old CRM's activities and notes, attached to the customers with
their own dates (issue 12, docs/decisions/0020).

Each row names a customer (found exactly, as /claim finds it: name key or alias), a date, a note (or a
subject) and optionally the rep and the kind. It is attached to the customer's active ownership, else
its latest one (a follow-up belongs to an ownership); a customer nobody ever owned has no history to
attach to and the row is skipped with that reason. A follow-up newer than the ownership's last one
moves the follow-up clock on to its date (the clocks continue, as with the customers file); an older one
is history only and restarts nothing. A row already attached (same customer, moment and note) is
unchanged: a second import of the same file changes nothing. One transaction per batch of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from bot.results.importer import ImportFileProblem, OwnerMatch
from bot.rules import clocks, text
from bot.rules.importing import followup_kind, parse_moment, read_followup_header
from bot.rules.names import name_keys
from bot.services.context import ServiceContext
from bot.services.import_file import CsvSource, ImportFileError, open_table
from bot.services.reps import ensure_rep
from bot.services.snapshots import refresh_protection
from storage.engine import write_session
from storage.lookup import find_matches
from storage.models import Customer, FollowUp, Ownership

BATCH = 500
MAX_NOTE = 4000
STATUSES = ("attached", "unchanged", "skipped")


@dataclass(frozen=True)
class FollowupOutcome:
    row: int
    status: str  # attached | unchanged | skipped
    reason: str  # attached | clock_moved | duplicate | no_customer | never_owned | bad_date | future | no_note
    customer: str | None = None
    detail: str = ""


@dataclass
class FollowupReport:
    source: str
    total: int
    dry_run: bool
    readings: tuple[tuple[str, str | None], ...] = ()
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    clocks_moved: int = 0  # attached follow-ups newer than their ownership's last one


def open_followups(path: str | Path, encoding: str | None = None,
                   mapping: dict[str, str] | None = None) -> CsvSource:
    path, enc, dialect, header, rows = open_table(path, encoding)
    columns, readings = read_followup_header(header, mapping)
    if "customer" not in columns or "at" not in columns or not {"note", "subject"} & set(columns):
        raise ImportFileError(ImportFileProblem("import.followups.columns",
                                                {"headers": ", ".join(h for h in header if h.strip())}))
    unknown = tuple(h for h, column in readings if column is None)
    return CsvSource(path, enc, dialect, columns, unknown, rows, tuple(readings), None, bool(mapping))


def import_followups(ctx: ServiceContext, source: CsvSource, now: datetime, *, dry_run: bool = False,
                     resolve_rep: Callable[[str], OwnerMatch] | None = None,
                     on_row: Callable[[FollowupOutcome], None] | None = None) -> FollowupReport:
    report = FollowupReport(str(source.path), source.rows, dry_run, source.readings)
    for chunk in _chunks(iter(source), BATCH):
        outcomes: list[FollowupOutcome] = []
        try:
            with write_session(ctx.engine) as session:
                outcomes = [_attach(session, ctx, now, number, cells, resolve_rep, report) for number, cells in chunk]
                if dry_run:
                    raise _RolledBack  # each batch on its own: a dry run's later rows do not see the earlier ones
        except _RolledBack:
            pass
        for outcome in outcomes:
            report.counts[outcome.status] += 1
            if on_row is not None:
                on_row(outcome)
    return report


def _attach(session: Session, ctx: ServiceContext, now: datetime, number: int, cells: dict[str, str],
            resolve_rep: Callable[[str], OwnerMatch] | None, report: FollowupReport) -> FollowupOutcome:
    named = " ".join(text.clean(cells.get("customer")).split())
    at = parse_moment(cells.get("at", ""), ctx.tz)
    subject, body = text.clean(cells.get("subject")), text.clean(cells.get("note"))
    note = f"{subject}: {body}" if subject and body and subject not in body else (body or subject)
    if at is None:
        return FollowupOutcome(number, "skipped", "bad_date", detail=cells.get("at", ""))
    if at > now + timedelta(minutes=5):
        return FollowupOutcome(number, "skipped", "future", detail=at.isoformat())
    if not note:
        return FollowupOutcome(number, "skipped", "no_note")
    matches = find_matches(session, name_keys(named), limit=1) if text.has_word_character(named) else []
    if not matches or matches[0].tier != "exact":
        return FollowupOutcome(number, "skipped", "no_customer", detail=named)
    customer = session.get(Customer, matches[0].customer_id)
    assert customer is not None and customer.id is not None
    ownership = session.exec(select(Ownership).where(Ownership.customer_id == customer.id)
                             .order_by(col(Ownership.ended_at).is_(None).desc(), col(Ownership.id).desc())).first()
    if ownership is None:
        return FollowupOutcome(number, "skipped", "never_owned", customer.short_id)
    note = note[:MAX_NOTE]
    if session.exec(select(FollowUp.id).where(FollowUp.customer_id == customer.id, FollowUp.at == at,
                                              FollowUp.note == note)).first() is not None:
        return FollowupOutcome(number, "unchanged", "duplicate", customer.short_id)
    rep = ownership.rep_id
    if cells.get("rep") and resolve_rep is not None:
        rep = resolve_rep(cells["rep"]).user or rep
    ensure_rep(session, ctx, rep, now)
    last = ownership.last_followup_at
    moves = ownership.ended_at is None and (last is None or at > clocks.as_utc(last))
    kind = followup_kind(cells["kind"]) if cells.get("kind") else "other"
    assert ownership.id is not None
    session.add(FollowUp(customer_id=customer.id, ownership_id=ownership.id, rep_id=rep, kind=kind, note=note,
                         at=at, local_day=clocks.local_day(at, ctx.tz), qualifying=moves))
    if moves:
        ownership.last_followup_at = at
        p = refresh_protection(ctx, customer, ownership)
        today = ctx.today(now)
        if p.until is not None and p.until <= today and ownership.grace_until is None:
            ownership.grace_until = today + timedelta(days=ctx.settings.imports.grace_days)
            refresh_protection(ctx, customer, ownership)
        session.add(ownership)
        report.clocks_moved += 1
    session.flush()
    return FollowupOutcome(number, "attached", "clock_moved" if moves else "attached", customer.short_id)


class _RolledBack(Exception):
    pass


def _chunks(rows: Iterator[tuple[int, dict[str, str]]], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
