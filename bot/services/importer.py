"""Importing the customer list of the old CRM: `claimbot import FILE.csv` (PRODUCT 5, issue 4 item 6).

Rows are read from the file, validated (pure), then decided and written in batches: one transaction
per batch, so a row is written whole or not at all, and a bad row is skipped with its reason without
stopping the rest. Each row is one of

- **created**: no customer matches; a new one, owned by the ``owner`` column's rep if given;
- **flagged**: only a probable match (same core key, or a fuzzy one ≥ 90): created all the same and
  flagged ``needs_review``, the candidates named in the report (``probable="skip"`` skips it instead);
- **merged**: an exact match (same USCC, company domain, phone or name key, as /claim decides):
  empty fields are filled and an unowned customer gets the row's owner; nothing is overwritten;
- **unchanged**: an exact match with nothing new; a second import of the same file only has these
  (and the same skipped rows);
- **skipped**: invalid (no name, a bad USCC, phone, domain, tier, stage or owner, …).

The owner column brings a rep's book over as it is, even beyond the holding cap (a cap never takes
customers away); each row that takes its owner over the cap is noted (``over_holding_cap``).

Lookups follow ``storage.lookup.find_matches`` (exact, then strong, then fuzzy) but are made for a
whole batch at once: one ``IN (…)`` query per identifier, the batch's own new customers kept in
memory (so duplicates inside the file are found before they are written), and only rows with no
exact or strong match pay for the fuzzy search: ``storage.lookup_memory``, find_fuzzy's filter over
keys held in memory, read once and then followed batch by batch.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col, select

from bot.results.allocation import AllocationResult
from bot.results.importer import ImportReport, Note, RowOutcome
from bot.rules import caps
from bot.rules.legal_entities import entity_match
from bot.rules.names import NameKeys
from bot.services import allocation, outbox
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.import_file import CsvSource, ImportFileError, OwnerResolver, Row, open_csv, validate_row
from bot.services.limits import holding_of
from bot.services.reps import ensure_rep
from bot.services.snapshots import refresh_protection
from storage.engine import is_sqlite, write_session
from storage.lookup import KEY_COLUMNS, gram_rows, stored_keys
from storage.lookup_memory import MemoryFuzzyIndex
from storage.models import SHORT_ID_OFFSET, Customer, CustomerAlias, NameGram, Ownership
from storage.tables import table_of

__all__ = ["CsvSource", "ImportFileError", "ImportOptions", "import_csv", "open_csv", "validate_row"]

BATCH_SIZE = 500
MAX_BATCH_ATTEMPTS = 3
CANDIDATES = 3
IDENTIFIERS = ("uscc", "domain", "phone")
FILLABLE = ("uscc", "domain", "phone", "region", "industry")
COMPARED = (*FILLABLE, "tier", "stage")
IN_CHUNK = 900  # values per IN (…) list
UNRESOLVED_OWNER = ("owner_not_found", "owner_deactivated", "owner_ambiguous", "owner_invalid", "owner_lookup_failed")

_gram = table_of(NameGram)
_customer = table_of(Customer)

Allocator = Callable[[Session, ServiceContext, Customer, datetime, str], AllocationResult]
Progress = Callable[[int, int, dict[str, int]], None]


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    assign_auto: bool = False  # new customers without an owner go through the allocation rules
    probable: str = "flag"  # flag: create and flag for review | skip: leave the row out
    batch_size: int = BATCH_SIZE
    actor: str = "import"  # recorded as the actor of every ownership the import starts
    source: str = ""  # the file's name, recorded in the audit trail
    unmatched: str = "pool"  # an owner cell that resolves to nobody: pool (import the row unowned) | skip


# --- One batch: decide every row, then write ------------------------------------------------------


@dataclass(eq=False)
class _NewCustomer:
    """A customer a row of this batch creates: inserted in bulk when the batch is written (a Core
    insert; building ORM objects cost more than everything else an import does)."""

    name: str
    name_key: str
    core_key: str
    stem_key: str
    pinyin_key: str
    region_tag: str
    form_tag: str
    uscc: str | None
    domain: str | None
    phone: str | None
    region: str | None
    industry: str | None
    tier: str
    stage: str
    needs_review: bool
    created_at: datetime
    created_by: str
    amount: float | None = None
    id: int | None = None

    @property
    def short_id(self) -> str:
        return f"C-{(self.id or 0) + SHORT_ID_OFFSET}"

    def row(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in _NEW_COLUMNS}


_NEW_COLUMNS = ("name", *KEY_COLUMNS, "uscc", "domain", "phone", "region", "industry", "tier",
                "stage", "needs_review", "created_at", "created_by", "amount")


@dataclass(eq=False)
class _Known:
    """A stored customer named only as a fuzzy candidate: its name is read when the batch is written."""

    id: int
    name: str = ""

    @property
    def short_id(self) -> str:
        return f"C-{self.id + SHORT_ID_OFFSET}"


@dataclass(eq=False)
class _Rec:
    """A customer as the batch sees it: stored already, or created by a row of this batch."""

    customer: Customer | _NewCustomer
    keys: NameKeys
    owner: str | None
    created_row: int | None = None  # the row of this file that created it, if one did


@dataclass
class _Pending:
    """An outcome whose customer may get its id only when the batch is written."""

    row: Row
    status: str
    reason: str
    rec: _Rec | None = None
    params: dict[str, object] = field(default_factory=dict)
    candidates: list[tuple[_Rec | _Known, str, float]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


class _Batch:
    def __init__(self, session: Session, ctx: ServiceContext, now: datetime, options: ImportOptions,
                 created_rows: dict[int, int], allocator: Allocator | None, fuzzy: MemoryFuzzyIndex):
        self.session, self.ctx, self.now, self.options = session, ctx, now, options
        self.created_rows = created_rows
        self.fuzzy, self.fuzzy_fresh = fuzzy, False
        self.allocator = allocator
        self.by_value: dict[tuple[str, str], _Rec] = {}
        self.by_name: dict[str, list[_Rec]] = {}  # every legal entity of a name key, oldest first
        self.by_core: dict[str, list[_Rec]] = {}
        self.by_pinyin: dict[str, list[_Rec]] = {}
        self.new: list[_Rec] = []
        self.new_customers: list[_NewCustomer] = []  # the customers of self.new, in the same order
        self.new_fuzzy = MemoryFuzzyIndex()  # self.new's keys, by their index in self.new
        self.starts: list[tuple[_Rec, str, int]] = []  # (customer, owner, row): ownerships to start
        self.outcomes: list[_Pending | RowOutcome] = []
        self.owners_assigned = 0
        self.auto_assigned = 0
        self.moments: dict[int, dict[str, datetime]] = {}  # row → the export's clock dates
        self.holdings: dict[str, int] = {}
        self.due = [0, 0]  # ownerships started whose protection ends within 7 / 30 days
        self.graced: dict[str, list[tuple[str, str, str]]] = {}  # owner → (short id, name, grace end)

    # Reading what exists, for the whole batch at once

    def prefetch(self, rows: list[Row]) -> None:
        wanted: dict[str, set[str]] = {"name_key": set(), "core_key": set(), "pinyin_key": set(),
                                       **{f: set() for f in IDENTIFIERS}}
        for r in rows:
            wanted["name_key"].add(r.keys.name_key)
            wanted["core_key"].add(r.keys.core_key)
            if r.keys.pinyin_key:
                wanted["pinyin_key"].add(r.keys.pinyin_key)
            for f in IDENTIFIERS:
                if r.values[f]:
                    wanted[f].add(str(r.values[f]))
        found: dict[int, Customer] = {}
        aliases: dict[str, int] = {}  # alias name key → customer id: the same customer, as for /claim
        alias_cores: list[tuple[str, int]] = []  # (alias core key, customer id): the strong tier
        names, cores = sorted(wanted["name_key"]), sorted(wanted["core_key"])
        for start in range(0, len(names), IN_CHUNK):
            aliases.update(self.session.exec(select(CustomerAlias.name_key, CustomerAlias.customer_id).where(
                col(CustomerAlias.name_key).in_(names[start:start + IN_CHUNK]))).all())
        for start in range(0, len(cores), IN_CHUNK):
            alias_cores += self.session.exec(select(CustomerAlias.core_key, CustomerAlias.customer_id).where(
                col(CustomerAlias.core_key).in_(cores[start:start + IN_CHUNK]))).all()
        aliased = sorted(set(aliases.values()) | {cid for _, cid in alias_cores})
        for start in range(0, len(aliased), IN_CHUNK):
            for c in self.session.exec(select(Customer).where(col(Customer.id).in_(aliased[start:start + IN_CHUNK]))):
                assert c.id is not None
                found[c.id] = c
        for column, values in wanted.items():
            ordered = sorted(values)
            for start in range(0, len(ordered), IN_CHUNK):
                attr = getattr(Customer, column)
                for c in self.session.exec(select(Customer).where(attr.in_(ordered[start:start + IN_CHUNK]))):
                    assert c.id is not None
                    found[c.id] = c
        owners: dict[int, str] = {}
        ids = sorted(found)
        for start in range(0, len(ids), IN_CHUNK):
            owners.update(self.session.exec(
                select(Ownership.customer_id, Ownership.rep_id).where(
                    col(Ownership.customer_id).in_(ids[start:start + IN_CHUNK]),
                    col(Ownership.ended_at).is_(None))
            ).all())
        recs: dict[int, _Rec] = {}
        for cid in ids:  # oldest first, as find_matches picks the oldest of several
            c = found[cid]
            recs[cid] = _Rec(c, stored_keys(c), owners.get(cid))
            self._index(recs[cid])
        for key, cid in aliases.items():
            self.by_value.setdefault(("alias", key), recs[cid])
        for core, cid in sorted(alias_cores, key=lambda a: a[1]):
            if recs[cid] not in self.by_core.get(core, []):
                self.by_core.setdefault(core, []).append(recs[cid])

    def _index(self, rec: _Rec) -> None:
        c = rec.customer
        self.by_name.setdefault(c.name_key, []).append(rec)
        for f in IDENTIFIERS:
            value = getattr(c, f)
            if value:
                self.by_value.setdefault((f, value), rec)
        self.by_core.setdefault(c.core_key, []).append(rec)
        if c.pinyin_key:
            self.by_pinyin.setdefault(c.pinyin_key, []).append(rec)

    # Deciding, row by row, in file order

    def decide(self, r: Row) -> None:
        hit = self._exact(r)
        if hit is not None:
            self._merge(r, *hit)
            return
        candidates = self._probable(r)
        if candidates and self.options.probable == "skip":
            self.outcomes.append(_Pending(r, "skipped", "probable_duplicate", candidates=candidates,
                                          notes=list(r.notes)))
            return
        self._create(r, candidates)

    def _exact(self, r: Row) -> tuple[_Rec, str] | None:
        for why in IDENTIFIERS:
            value = r.values[why]
            if value and (rec := self.by_value.get((why, str(value)))) is not None:
                return rec, why
        same_name = self.by_name.get(r.keys.name_key, [])
        index = entity_match(r.keys, [rec.keys for rec in same_name])
        if index is not None:
            return same_name[index], "name"
        aliased = self.by_value.get(("alias", r.keys.name_key)) if not same_name else None
        return (aliased, "alias") if aliased is not None else None

    def _probable(self, r: Row) -> list[tuple[_Rec | _Known, str, float]]:
        """As storage.lookup.near_matches: another legal entity of the name key, the same core key, the
        same pinyin; else fuzzy."""
        strong: list[tuple[_Rec | _Known, str, float]] = []
        for why, recs in (("entity", self.by_name.get(r.keys.name_key, [])),
                          ("core", self.by_core.get(r.keys.core_key, [])),
                          ("pinyin", self.by_pinyin.get(r.keys.pinyin_key, []) if r.keys.pinyin_key else [])):
            for rec in recs:
                if len(strong) < CANDIDATES and all(rec is not other for other, _, _ in strong):
                    strong.append((rec, why, 100.0))
        if strong:
            return strong
        scored: list[tuple[float, int, _Rec | _Known]] = []
        if not self.fuzzy_fresh:  # what was stored since the last batch (this import's earlier batches, claims)
            self.fuzzy.refresh(self.session)
            self.fuzzy_fresh = True
        stored = self.fuzzy.find(r.keys)
        for cid, score in sorted(stored.items(), key=lambda item: (-item[1], item[0]))[:CANDIDATES]:
            scored.append((score, 0, _Known(cid)))
        for index, score in self.new_fuzzy.find(r.keys).items():
            scored.append((score, 1, self.new[index]))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [(rec, "fuzzy", score) for score, _, rec in scored[:CANDIDATES]]

    def _create(self, r: Row, candidates: list[tuple[_Rec | _Known, str, float]]) -> None:
        v = r.values
        customer = _NewCustomer(
            name=r.name, name_key=r.keys.name_key, core_key=r.keys.core_key, stem_key=r.keys.stem_key,
            pinyin_key=r.keys.pinyin_key, region_tag=r.keys.region_tag, form_tag=r.keys.form_tag, uscc=v["uscc"], domain=v["domain"], phone=v["phone"], region=v["region"], industry=v["industry"],
            tier=v["tier"] or self.ctx.settings.claims.default_tier, stage=v["stage"] or "lead",
            needs_review=bool(candidates), created_at=self.now, created_by=self.options.actor,
        )
        rec = _Rec(customer, r.keys, r.owner, created_row=r.row)
        self._index(rec)
        self.new_fuzzy.add(len(self.new), r.keys.core_key, r.keys.stem_key)
        self.new.append(rec)
        self.new_customers.append(customer)
        if r.owner:
            self.starts.append((rec, r.owner, r.row))
            self.moments[r.row] = r.moments
        status, reason = ("flagged", "probable_duplicate") if candidates else ("created", "new")
        self.outcomes.append(_Pending(r, status, reason, rec=rec, candidates=candidates, notes=list(r.notes)))

    def _merge(self, r: Row, rec: _Rec, why: str) -> None:
        c = rec.customer
        notes = list(r.notes)
        filled = [f for f in FILLABLE if r.values[f] and not getattr(c, f)]
        for f in filled:
            setattr(c, f, r.values[f])
            if f in IDENTIFIERS:
                self.by_value.setdefault((f, str(r.values[f])), rec)
        if filled:
            notes.append(Note("filled", {"fields": filled}))
        for f in COMPARED:
            stored, given = getattr(c, f), r.values[f]
            if given and stored and f not in filled and stored != given:
                notes.append(Note("conflict", {"field": f, "stored": stored, "file": given}))
        assigned = False
        if r.owner and rec.owner is None:
            if c.stage in ("won", "lost"):  # as a claim from the pool: a new owner starts a new funnel
                notes.append(Note("stage_reset", {"stage": c.stage}))
                c.stage, c.amount = "lead", None
            rec.owner, assigned = r.owner, True
            self.starts.append((rec, r.owner, r.row))
            self.moments[r.row] = r.moments
            notes.append(Note("owner_assigned", {"owner": r.owner}))
        elif r.owner and rec.owner != r.owner:
            notes.append(Note("owner_kept", {"owner": rec.owner, "file_owner": r.owner}))
        status = "merged" if filled or assigned else "unchanged"
        params: dict[str, object] = {}
        if rec.created_row is not None:
            params["row"] = rec.created_row
        self.outcomes.append(_Pending(r, status, f"same_{why}", rec=rec, params=params, notes=notes))

    # Writing the batch

    def write(self) -> None:
        session, ctx, now, options = self.session, self.ctx, self.now, self.options
        session.flush()  # the merged customers' new values
        known: dict[int, list[_Known]] = {}
        for p in self.outcomes:
            for rec, _, _ in p.candidates if isinstance(p, _Pending) else ():
                if isinstance(rec, _Known):
                    known.setdefault(rec.id, []).append(rec)
        ids = sorted(known)
        for start in range(0, len(ids), IN_CHUNK):
            for cid, name in session.execute(select(Customer.id, Customer.name).where(
                    col(Customer.id).in_(ids[start:start + IN_CHUNK]))):
                for candidate in known[cid]:
                    candidate.name = name
        if self.new:
            new_ids = session.execute(_customer.insert().returning(_customer.c.id, sort_by_parameter_order=True),
                                      [customer.row() for customer in self.new_customers]).scalars().all()
            for customer, cid in zip(self.new_customers, new_ids, strict=True):
                customer.id = cid
            grams = [{"gram": g, "key_len": n, "customer_id": rec.customer.id}
                     for rec in self.new for g, n in gram_rows(rec.keys)]
            if grams:
                session.execute(_gram.insert(), grams)
        # Ownerships start through bot.services.ownership (one audit record each), on ORM objects.
        wanted = [rec for rec, _, _ in self.starts] + ([rec for rec in self.new if rec.owner is None]
                                                      if self.allocator is not None else [])
        stored = self._orm_customers(wanted)
        for owner in sorted({owner for _, owner, _ in self.starts}):
            ensure_rep(session, ctx, owner, now)
        self._note_over_cap(stored)
        for rec, owner, row in self.starts:
            owned = stored[id(rec)]
            ownership, _ = ownership_changes.start(session, ctx, owned, owner, now, kind="import",
                                                   actor=options.actor, rule="import",
                                                   reason=_audit_reason(options.source, row))
            self._continue_clocks(owned, ownership, self.moments.get(row, {}))
            self.owners_assigned += 1
        self._tell_graced()
        if self.allocator is not None:
            for pending in self.outcomes:
                if isinstance(pending, _Pending) and pending.status in ("created", "flagged") \
                        and pending.rec is not None and pending.rec.owner is None:
                    result = self.allocator(session, ctx, stored[id(pending.rec)], now, options.actor)
                    if result.outcome == "assigned" and result.rep:
                        pending.rec.owner = result.rep
                        self.auto_assigned += 1
                        pending.notes.append(Note("auto_assigned", {"owner": result.rep}))
                    else:
                        pending.notes.append(Note("auto_unassigned", {"reason": result.reason,
                                                                      "rule": result.rule or ""}))
        session.flush()

    def _continue_clocks(self, customer: Customer, ownership: Ownership, moments: dict[str, datetime]) -> None:
        """The clocks go on from the export's dates (PRODUCT 5, docs/decisions/0020): the follow-up clock
        from the last follow-up (else the last activity), the progress clock from the last stage change.
        An ownership already past its deadline is protected ``[import] grace_days`` more, and its owner told."""
        followup = moments.get("last_followup") or moments.get("last_activity")
        progress = moments.get("stage_changed")
        if followup is not None:
            ownership.last_followup_at = min(followup, self.now)
        if progress is not None:
            ownership.last_progress_at = min(progress, self.now)
        p = refresh_protection(self.ctx, customer, ownership)
        today = self.ctx.today(self.now)
        if p.until is not None and p.until <= today:
            ownership.grace_until = today + timedelta(days=self.ctx.settings.imports.grace_days)
            p = refresh_protection(self.ctx, customer, ownership)
            self.graced.setdefault(ownership.rep_id, []).append(
                (customer.short_id, customer.name, ownership.grace_until.isoformat()))
        self.session.add(ownership)
        if p.until is not None:
            self.due[0] += p.until < today + timedelta(days=7)
            self.due[1] += p.until < today + timedelta(days=30)

    def _tell_graced(self) -> None:
        """One DM per owner and batch, in the batch's transaction, listing the customers in grace."""
        for owner, customers in sorted(self.graced.items()):
            outbox.enqueue(self.session, key=f"import_grace:{self.options.source}:{owner}:{customers[0][0]}",
                           channel=owner, kind="import_grace", now=self.now,
                           data={"grace_days": self.ctx.settings.imports.grace_days, "source": self.options.source,
                                 "customers": [{"sid": sid, "name": name, "until": until}
                                               for sid, name, until in customers]})

    def _note_over_cap(self, stored: dict[int, Customer]) -> None:
        """The file's owners keep their book (PRODUCT 3.9: it comes over as it is), but a row that takes its
        owner beyond the holding cap says so, as the cap would refuse a claim or an assignment."""
        held = {owner: holding_of(self.session, self.ctx, owner) for owner in sorted({o for _, o, _ in self.starts})}
        notes = {p.row.row: p.notes for p in self.outcomes if isinstance(p, _Pending)}
        for rec, owner, row in self.starts:
            if stored[id(rec)].stage == "won":  # won customers don't count toward the cap
                continue
            holding, cap = held[owner]
            if not caps.check_holding(holding, cap).allowed:
                notes[row].append(Note("over_holding_cap", {"owner": owner, "holding": holding + 1, "cap": cap}))
            held[owner] = (holding + 1, cap)
        self.holdings = {owner: holding for owner, (holding, _) in held.items()}

    def _orm_customers(self, recs: list[_Rec]) -> dict[int, Customer]:
        """The ORM objects of these customers (by id() of their _Rec), loaded in one query."""
        missing = sorted({c.id for rec in recs if not isinstance(c := rec.customer, Customer) and c.id is not None})
        loaded: dict[int | None, Customer] = {}
        for start in range(0, len(missing), IN_CHUNK):
            loaded.update((c.id, c) for c in self.session.exec(
                select(Customer).where(col(Customer.id).in_(missing[start:start + IN_CHUNK]))))
        return {id(rec): rec.customer if isinstance(rec.customer, Customer) else loaded[rec.customer.id]
                for rec in recs}

    def results(self) -> list[RowOutcome]:
        """The outcomes, with the short ids that the write gave the new customers."""
        done: list[RowOutcome] = []
        for p in self.outcomes:
            if isinstance(p, RowOutcome):
                done.append(p)
                continue
            params = dict(p.params)
            if p.candidates:
                params["candidates"] = [_candidate(rec, why, score, self.created_rows) for rec, why, score in
                                        p.candidates]
            if "row" not in params and p.rec is not None and p.rec.created_row is None \
                    and p.rec.customer.id in self.created_rows:
                params["row"] = self.created_rows[p.rec.customer.id]
            sid = p.rec.customer.short_id if p.rec is not None else None
            done.append(RowOutcome(p.row.row, p.status, p.reason, p.row.name, sid, params, tuple(p.notes)))
        return done


def _candidate(rec: _Rec | _Known, why: str, score: float, created_rows: dict[int, int]) -> dict[str, object]:
    c = rec if isinstance(rec, _Known) else rec.customer
    created_row = None if isinstance(rec, _Known) else rec.created_row
    row = created_row if created_row is not None else created_rows.get(c.id or 0)
    found: dict[str, object] = {"customer": c.short_id, "name": c.name, "why": why, "score": round(score)}
    if row is not None:
        found["row"] = row
    return found


def _audit_reason(source: str, row: int) -> str:
    return f"{source}:{row}" if source else f"row {row}"


# --- The import ------------------------------------------------------------------------------------


def import_csv(ctx: ServiceContext, source: CsvSource, now: datetime, options: ImportOptions | None = None, *,
               progress: Progress | None = None, on_row: Callable[[RowOutcome], None] | None = None,
               allocator: Allocator | None = None, resolve_owner: OwnerResolver | None = None) -> ImportReport:
    """Import every row of ``source``; see the module's docstring. ``on_row`` sees every outcome but
    plain creations (created, nothing to note): the report file. ``progress`` is called after every batch.
    ``resolve_owner`` reads owner cells that are e-mails or names (bot/slack/directory.py); without it an
    owner must be a Slack user id."""
    options = options or ImportOptions(source=source.path.name)
    if options.assign_auto and allocator is None:
        # PRODUCT 3.6: existing owner of the company first, then the rules. Leads left in the pool are
        # counted in the import's report, not sent to each manager one DM at a time.
        allocator = functools.partial(allocation.allocate, notify=False)
    report = ImportReport(source=str(source.path), total=source.rows, dry_run=options.dry_run,
                          unknown_columns=source.unknown_columns, encoding=source.encoding, preset=source.preset,
                          mapped=source.mapped, readings=source.readings)
    started = time.monotonic()
    importer = _Importer(ctx, now, options, allocator, report, on_row, resolve_owner)
    with importer.transactions() as run_batch:
        for chunk in _chunks(source, options.batch_size):
            importer.run(run_batch, chunk)
            if progress is not None:
                progress(report.processed, report.total, dict(report.counts))
    report.seconds = time.monotonic() - started
    return report


class _Importer:
    def __init__(self, ctx: ServiceContext, now: datetime, options: ImportOptions, allocator: Allocator | None,
                 report: ImportReport, on_row: Callable[[RowOutcome], None] | None,
                 resolve_owner: OwnerResolver | None = None):
        self.ctx, self.now, self.options, self.allocator = ctx, now, options, allocator
        self.resolve_owner = resolve_owner
        self.report, self.on_row = report, on_row
        self.created_rows: dict[int, int] = {}  # customer id → the row of this file that created it
        self.fuzzy = MemoryFuzzyIndex()  # read once when first needed, then followed batch by batch

    @contextmanager
    def transactions(self) -> Iterator[Callable[[Callable[[Session], None]], None]]:
        """How a batch runs: its own committed transaction; in a dry run, a savepoint of one
        transaction for the whole file that is rolled back at the end (later batches still see what
        earlier ones would have written, so the report is the one a real run gives)."""
        if not self.options.dry_run:
            def committed(work: Callable[[Session], None]) -> None:
                with write_session(self.ctx.engine) as session:
                    work(session)
            yield committed
            return
        with _rolled_back_session(self.ctx.engine) as outer:
            def savepoint(work: Callable[[Session], None]) -> None:
                with outer.begin_nested():
                    work(outer)
                outer.expunge_all()  # written (until the rollback): keep memory flat
            yield savepoint

    def run(self, run_batch: Callable[[Callable[[Session], None]], None],
            chunk: list[tuple[int, dict[str, str]]]) -> None:
        rows: list[Row] = []
        skipped: list[RowOutcome] = []
        for number, cells in chunk:
            checked = validate_row(number, cells, tz=self.ctx.tz, resolve_owner=self.resolve_owner,
                                   unmatched=self.options.unmatched)
            if isinstance(checked, RowOutcome):
                skipped.append(checked)
                self._note_owner(checked.reason, checked.params.get("value"))
            else:
                rows.append(checked)
                for n in checked.notes:
                    self._note_owner(n.code, n.params.get("value"))
        outcomes = self._decide_and_write(run_batch, rows) if rows else []
        self._record(sorted(skipped + outcomes, key=lambda o: o.row))

    def _decide_and_write(self, run_batch: Callable[[Callable[[Session], None]], None],
                          rows: list[Row]) -> list[RowOutcome]:
        for _ in range(MAX_BATCH_ATTEMPTS):
            try:
                return self._attempt(run_batch, rows)
            except IntegrityError:
                continue  # a rep claimed or created one of these meanwhile: decide the batch again
            except DataError:
                break  # a value the database refuses: find the row
        if len(rows) == 1:  # a row the database keeps refusing: skip it and say so
            r = rows[0]
            return [RowOutcome(r.row, "skipped", "db_error", r.name)]
        return [o for r in rows for o in self._decide_and_write(run_batch, [r])]

    def _attempt(self, run_batch: Callable[[Callable[[Session], None]], None], rows: list[Row]) -> list[RowOutcome]:
        written: list[_Batch] = []

        def work(session: Session) -> None:
            batch = _Batch(session, self.ctx, self.now, self.options, self.created_rows, self.allocator,
                           self.fuzzy)
            batch.prefetch(rows)
            for r in rows:
                batch.decide(r)
            batch.write()
            written.append(batch)

        run_batch(work)  # committed (or, in a dry run, kept until the end) from here on
        batch = written[-1]
        self.created_rows.update({rec.customer.id: rec.created_row for rec in batch.new
                                  if rec.customer.id is not None and rec.created_row is not None})
        self.report.owners_assigned += batch.owners_assigned
        self.report.auto_assigned += batch.auto_assigned
        self.report.holdings.update(batch.holdings)
        self.report.due_7 += batch.due[0]
        self.report.due_30 += batch.due[1]
        for owner, customers in batch.graced.items():
            self.report.graced.setdefault(owner, []).extend(sid for sid, _, _ in customers)
        return batch.results()

    def _note_owner(self, code: str, value: object) -> None:
        self.report.invalid_owners += code == "invalid_owner"
        if code in UNRESOLVED_OWNER and isinstance(value, str):
            self.report.unresolved_owners[value] = code.removeprefix("owner_")

    def _record(self, outcomes: Iterable[RowOutcome]) -> None:
        for outcome in outcomes:
            self.report.counts[outcome.status] += 1
            if self.on_row is not None and (outcome.status != "created" or outcome.notes):
                self.on_row(outcome)


def _chunks(source: Iterable[tuple[int, dict[str, str]]], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for item in source:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _rolled_back_session(engine: Engine) -> Iterator[Session]:
    """One write transaction that is always rolled back (a dry run)."""
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session:
        session.begin()
        try:
            yield session
        finally:
            session.rollback()
