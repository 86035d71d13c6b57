"""`claimbot backup FILE` / `claimbot restore FILE` (docs/decisions/0021) on real SQLite files and the test
PostgreSQL: a month of claims, follow-ups, disputes, handovers and notices plus a row in every other
table, backed up, restored into an empty database, and everything compared: the restored database's own
backup is the same, table by table, and so are `claimbot export`'s JSON and CSV."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlmodel import select as sm_select

from bot import cli
from bot.services import claims
from bot.services.claims import ClaimRequest
from storage import backup
from storage.engine import make_engine, write_session
from storage.models import (
    AllocationEntry,
    AllocationTurn,
    ChannelRate,
    Complaint,
    Customer,
    CustomerAlias,
    Erasure,
    JobRun,
    Lead,
    LeadOffer,
    NotSamePair,
    Refusal,
    RoleChange,
    SettingChange,
    SlackEvent,
)
from tests.test_scoreboard import ALICE, BOB, make_ctx, script_the_month

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def populate(url: str) -> None:
    ctx = make_ctx(url)
    script_the_month(ctx)
    with write_session(ctx.engine) as s:
        customer, other = s.exec(sm_select(Customer).order_by(Customer.id)).all()[:2]
        s.add_all([
            CustomerAlias(customer_id=customer.id, name="腾讯", name_key="腾讯", core_key="腾讯", created_by="U0MGR1",
                          created_at=NOW),
            NotSamePair(customer_a=customer.id, customer_b=other.id, decided_by="U0MGR1", decided_at=NOW),
            Lead(id=1, source="website", idempotency_key="zoho-1", customer_id=other.id, status="offered",
                 fields='{"name": "官网线索"}', arrived_at=NOW),
            AllocationTurn(rule="华东", last_rep=ALICE, last_index=0, cycle=2, assigned=5, state='{"U0ALICE": 3}',
                           updated_at=NOW),
            AllocationEntry(customer_id=customer.id, rep_id=ALICE, outcome="assigned", rule="华东",
                            strategy="round_robin", reason="rule", why='{"skipped": []}', cycle=2, actor="leads", at=NOW),
            ChannelRate(channel="C0SALES", next_allowed_at=NOW),
            Complaint(customer_id=customer.id, owner_id=ALICE, raised_by=BOB, text="发票抬头错了 & <b>", raised_at=NOW,
                      due_on=date(2026, 12, 11)),
            JobRun(job="digest", slot="2026-12-08", started_at=NOW, finished_at=NOW, summary="decided"),
            Refusal(actor=BOB, action="decide_case", subject="case:1", reason="not_manager", at=NOW),
            RoleChange(rep_id=BOB, old_role="rep", new_role="manager", actor="U0ADMIN", at=NOW),
            SettingChange(version=1, actor="U0MGR1", at=NOW, overrides='{"claims.holding_cap": 50}',
                          changed='{"claims.holding_cap": [100, 50]}'),
            SlackEvent(event_id="Ev0001", received_at=NOW),
            LeadOffer(lead_id=1, customer_id=other.id, rep_id=ALICE, rule="华东", attempt=1, offered_at=NOW,
                      deadline=NOW),
            Erasure(actor="U0ADMIN", reason="ticket 42", customer_id=customer.id, values_given=2,
                    fields='{"followup.note": 1}', at=NOW),
        ])
    ctx.engine.dispose()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return {t.name: c.execute(select(func.count()).select_from(t)).scalar_one() for t in backup.tables()}
    finally:
        engine.dispose()


def body(path) -> list[str]:
    """The backup without its header line (which says when it was made and on which database)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()[1:]


def claimbot(monkeypatch, url: str, *args: str) -> int:
    monkeypatch.setenv("DATABASE_URL", url)
    return cli.main(list(args))


def exports(monkeypatch, url: str, tmp_path, tag: str) -> list[str]:
    out = []
    for fmt in ("json", "csv"):
        path = tmp_path / f"{tag}.{fmt}"
        assert claimbot(monkeypatch, url, "export", "--format", fmt, "-o", str(path)) == 0
        out.append(path.read_text(encoding="utf-8"))
    return out


def second_database(url: str, tmp_path, request) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/restored.db"
    return request.getfixturevalue("pg_cluster").create_database(f"r_{uuid.uuid4().hex[:20]}")


def test_backup_then_restore_into_an_empty_database_gives_equal_tables_and_exports(
        engine_url, tmp_path, monkeypatch, request, capsys):
    populate(engine_url)
    before = counts(engine_url)
    assert all(before.values()), f"every table has rows to back up: {before}"
    file = tmp_path / "claimbot.backup.gz"
    assert claimbot(monkeypatch, engine_url, "backup", str(file)) == 0
    assert f"backed up {sum(before.values())} rows of {len(before)} tables" in capsys.readouterr().out
    header = backup.read_header(file)
    assert header["revision"] == "0001" and header["dialect"] == engine_url.split(":")[0].split("+")[0]

    target = second_database(engine_url, tmp_path, request)
    assert claimbot(monkeypatch, target, "restore", str(file)) == 0
    assert counts(target) == before
    again = tmp_path / "restored.backup.gz"
    assert claimbot(monkeypatch, target, "backup", str(again)) == 0
    assert body(again) == body(file)  # every table, row by row, value by value
    assert exports(monkeypatch, target, tmp_path, "after") == exports(monkeypatch, engine_url, tmp_path, "before")

    # the restored database keeps working: new rows get new ids after the restored ones
    ctx = make_ctx(target)
    with ctx.engine.connect() as c:
        last_id = c.execute(select(func.max(Customer.id))).scalar_one()
    result = claims.claim(ctx, ALICE, ClaimRequest(name="Restored Robotics"), NOW)
    assert result.outcome == "created" and result.customer.id == last_id + 1
    ctx.engine.dispose()


def test_a_restore_refuses_a_database_with_data_and_a_cut_short_file_writing_nothing(
        engine_url, tmp_path, monkeypatch, request, capsys):
    populate(engine_url)
    file = tmp_path / "claimbot.backup.gz"
    assert claimbot(monkeypatch, engine_url, "backup", str(file)) == 0
    capsys.readouterr()
    assert claimbot(monkeypatch, engine_url, "restore", str(file)) == 2
    assert "nothing restored: the database is not empty" in capsys.readouterr().err

    lines = [json.dumps(backup.read_header(file)), *body(file)]
    cut = tmp_path / "cut.backup.gz"
    with gzip.open(cut, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines[: len(lines) // 2]) + "\n")
    target = second_database(engine_url, tmp_path, request)
    assert claimbot(monkeypatch, target, "restore", str(cut)) == 2
    assert "cut short" in capsys.readouterr().err
    assert not any(counts(target).values())  # one transaction: nothing half-restored

    not_a_backup = tmp_path / "customers.csv"
    not_a_backup.write_text("name\nAcme\n", encoding="utf-8")
    assert claimbot(monkeypatch, target, "restore", str(not_a_backup)) == 2
    assert "is not a complete ClaimBot backup" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_sqlite_backup_restores_into_postgresql(sqlite_url, postgres_url, tmp_path, monkeypatch):
    populate(sqlite_url)
    file = tmp_path / "from-sqlite.backup.gz"
    assert claimbot(monkeypatch, sqlite_url, "backup", str(file)) == 0
    assert claimbot(monkeypatch, postgres_url, "restore", str(file)) == 0
    assert counts(postgres_url) == counts(sqlite_url)
    assert exports(monkeypatch, postgres_url, tmp_path, "pg") == exports(monkeypatch, sqlite_url, tmp_path, "lite")
    assert json.loads(exports(monkeypatch, postgres_url, tmp_path, "pg")[0])["customers"]


def rewrite_customer_columns(src, dst, change) -> None:
    """The backup as another schema version would have written it: ``change(columns, row)`` per customer row."""
    table = None
    with gzip.open(src, "rt", encoding="utf-8") as f, gzip.open(dst, "wt", encoding="utf-8") as out:
        for line in f:
            record = json.loads(line)
            if isinstance(record, dict) and "table" in record:
                table, columns = record["table"], record["columns"]
                if table == "customer":
                    record["columns"] = change(list(columns), list(columns))
            elif isinstance(record, list) and table == "customer":
                record = change(list(columns), record)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def test_a_backup_of_another_schema_version_restores_by_column_or_is_refused_before_writing(
        sqlite_url, tmp_path, monkeypatch, capsys):
    populate(sqlite_url)
    file = tmp_path / "now.backup.gz"
    assert claimbot(monkeypatch, sqlite_url, "backup", str(file)) == 0
    # an older version without the (nullable) industry column: restored, industry empty
    older = tmp_path / "older.backup.gz"
    rewrite_customer_columns(file, older, lambda cols, row: [v for c, v in zip(cols, row, strict=True) if c != "industry"])
    target = f"sqlite:///{tmp_path}/older.db"
    assert claimbot(monkeypatch, target, "restore", str(older)) == 0
    assert counts(target) == counts(sqlite_url)
    # a newer version with a column this one does not know: refused, nothing written
    newer = tmp_path / "newer.backup.gz"
    rewrite_customer_columns(file, newer, lambda cols, row: [*row, "fax" if row == cols else "+86 21 5555 0000"])
    capsys.readouterr()
    target = f"sqlite:///{tmp_path}/newer.db"
    assert claimbot(monkeypatch, target, "restore", str(newer)) == 2
    assert "table customer: the backup's columns don't fit this schema (unknown in this version: fax" in \
        capsys.readouterr().err
    assert not any(counts(target).values())
