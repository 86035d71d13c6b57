"""`claimbot import`: the importer service against real databases (SQLite and PostgreSQL), and its CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import func, select

from bot.config import AllocationRule, AllocationSettings, ClaimSettings, Settings, TeamSettings
from bot.rules.importing import column_for, map_header, parse_owner, parse_tier
from bot.rules.names import name_keys
from bot.services import claims, importer
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from bot.services.importer import ImportFileError, ImportOptions, import_csv, open_csv
from storage import migrate
from storage.engine import make_engine, read_session
from storage.lookup import find_matches
from storage.models import Customer, NameGram, Ownership, OwnershipEvent, Rep

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
HEADER = ["name", "owner", "tier", "region", "industry", "uscc", "domain", "phone", "stage"]
PAIRS = Path(__file__).parent / "data" / "dedupe_pairs.tsv"
ISSUE_PAIRS = Path(__file__).parent / "data" / "name_pairs.tsv"


def make_ctx(url: str, **settings) -> ServiceContext:
    migrate.upgrade(url)
    s = Settings(database_url=url, team=TeamSettings(managers=["U0MGR1"]), claims=ClaimSettings(), **settings)
    return ServiceContext(engine=make_engine(url), settings=s)


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url)
    yield context
    context.engine.dispose()


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER, **kw) -> Path:
    with path.open("w", encoding=kw.get("encoding", "utf-8"), newline="") as f:
        writer = csv.writer(f, delimiter=kw.get("delimiter", ","))
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def run(ctx, path, **options):
    outcomes = []
    report = import_csv(ctx, open_csv(path), NOW, ImportOptions(source=path.name, **options), on_row=outcomes.append)
    return report, {o.row: o for o in outcomes}


def state(ctx):
    """Everything an import may write, in a comparable form."""
    with read_session(ctx.engine) as s:
        customers = [(c.id, c.name, c.name_key, c.core_key, c.uscc, c.domain, c.phone, c.region, c.industry,
                      c.tier, c.stage, c.needs_review) for c in s.exec(select(Customer).order_by(Customer.id))]
        owners = [(o.customer_id, o.rep_id, o.ended_at) for o in s.exec(select(Ownership).order_by(Ownership.id))]
        events = [(e.customer_id, e.kind, e.to_rep, e.actor, e.rule, e.reason)
                  for e in s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id))]
        grams = s.exec(select(func.count()).select_from(NameGram)).one()
        reps = sorted(s.exec(select(Rep.id)).all())
    return customers, owners, events, grams, reps


MIXED = [
    {"name": "北京字节跳动科技有限公司", "owner": "U0ALICE", "tier": "A", "region": "北京", "stage": "proposal"},  # 2 created
    {"name": "字节跳动科技有限公司（北京）"},  # 3 strong → flagged
    {"name": "Acme Corporation", "uscc": "91350100M000100Y43"},  # 4 created
    {"name": "ACME Corp.", "phone": "010 6552 9988", "owner": "U0BOB"},  # 5 same name: merged (phone, owner)
    {"name": "Umbrella Pharmaceuticals"},  # 6 created
    {"name": "Umbrela Pharmaceuticals"},  # 7 fuzzy → flagged
    {"name": "Bad Tier Ltd", "tier": "Z"},  # 8 skipped
    {"name": "Bad Code Ltd", "uscc": "91350100M000100Y44"},  # 9 skipped
    {"name": "", "region": "北京"},  # 10 skipped: no name
    {"name": "Initech", "owner": "alice@example.com"},  # 11 skipped: not a Slack id; nothing half-written
    {"name": "Globex Ltd", "domain": "https://www.globex.com/about"},  # 12 created
    {"name": "Globex Trading House", "domain": "globex.com", "region": "上海"},  # 13 same domain: merged (region)
    {"name": "北京字节跳动科技有限公司", "owner": "U0CAROL", "tier": "B"},  # 14 same name: owner kept, tier conflict
    {"name": "Wonka Foods", "stage": "won"},  # 15 skipped: won needs an owner
    {"name": "Hooli", "stage": "nonsense"},  # 16 skipped
]


def test_rows_are_created_merged_flagged_and_skipped_with_reasons(ctx, tmp_path):
    path = write_csv(tmp_path / "crm.csv", MIXED)
    report, rows = run(ctx, path)
    assert report.total == 15
    assert report.counts == {"created": 4, "flagged": 2, "merged": 2, "unchanged": 1, "skipped": 6}
    assert 2 not in rows and 4 not in rows  # plain creations are not in the report
    assert (rows[3].status, rows[3].reason) == ("flagged", "probable_duplicate")
    [candidate] = rows[3].params["candidates"]
    assert candidate["why"] == "core" and candidate["row"] == 2 and candidate["customer"] == "C-1001"
    assert (rows[5].status, rows[5].reason, rows[5].params["row"]) == ("merged", "same_name", 4)
    assert {n.code for n in rows[5].notes} == {"filled", "owner_assigned"}
    assert rows[7].status == "flagged" and rows[7].params["candidates"][0]["why"] == "fuzzy"
    assert {r: rows[r].reason for r in (8, 9, 10, 11, 15, 16)} == {
        8: "invalid_tier", 9: "invalid_uscc", 10: "missing_name", 11: "invalid_owner", 15: "won_needs_owner",
        16: "invalid_stage"}
    assert rows[9].params == {"value": "91350100M000100Y44"}
    assert (rows[13].status, rows[13].reason) == ("merged", "same_domain")
    assert rows[14].status == "unchanged"
    assert {n.code: n.params for n in rows[14].notes} == {
        "owner_kept": {"owner": "U0ALICE", "file_owner": "U0CAROL"},
        "conflict": {"field": "tier", "stored": "A", "file": "B"}}

    with read_session(ctx.engine) as s:
        by_name = {c.name: c for c in s.exec(select(Customer))}
        assert set(by_name) == {"北京字节跳动科技有限公司", "字节跳动科技有限公司（北京）", "Acme Corporation",
                                "Umbrella Pharmaceuticals", "Umbrela Pharmaceuticals", "Globex Ltd"}
        acme = by_name["Acme Corporation"]
        assert (acme.uscc, acme.phone) == ("91350100M000100Y43", "+861065529988")
        assert (by_name["Globex Ltd"].domain, by_name["Globex Ltd"].region) == ("globex.com", "上海")
        bd = by_name["北京字节跳动科技有限公司"]
        assert (bd.tier, bd.stage, bd.region, bd.needs_review) == ("A", "proposal", "北京", False)
        assert by_name["字节跳动科技有限公司（北京）"].needs_review and by_name["Umbrela Pharmaceuticals"].needs_review
        # The fuzzy tier finds what the import created: the name_gram index is written with each batch.
        assert find_matches(s, name_keys("Umbrella Pharmaceutical Ltd"))[0].tier in ("exact", "strong", "fuzzy")


def test_a_second_import_of_the_same_file_changes_nothing(ctx, tmp_path):
    path = write_csv(tmp_path / "crm.csv", MIXED)
    first, _ = run(ctx, path)
    assert first.changed > 0
    before = state(ctx)
    second, rows = run(ctx, path)
    assert second.changed == 0
    assert second.counts["unchanged"] == first.counts["created"] + first.counts["flagged"] + first.counts["merged"] \
        + first.counts["unchanged"]
    assert second.counts["skipped"] == first.counts["skipped"]
    assert state(ctx) == before
    assert all(o.status in ("unchanged", "skipped") for o in rows.values())


def test_duplicates_inside_the_file_are_found_across_batches(ctx, tmp_path):
    names = ["Globex Ltd", "Initech LLC", "Globex Limited", "深圳市蓝海贸易有限公司", "GLOBEX", "蓝海贸易有限公司",
             "Initech"]
    path = write_csv(tmp_path / "dupes.csv", [{"name": n} for n in names])
    report, rows = run(ctx, path, batch_size=2)
    assert report.counts == {"created": 3, "flagged": 1, "merged": 0, "unchanged": 3, "skipped": 0}
    assert {r: (o.reason, o.params.get("row")) for r, o in rows.items() if o.status == "unchanged"} == {
        4: ("same_name", 2), 6: ("same_name", 2), 8: ("same_name", 3)}
    assert rows[7].params["candidates"][0]["row"] == 5  # 蓝海贸易 vs 深圳市蓝海贸易: same core key
    with read_session(ctx.engine) as s:
        assert s.exec(select(func.count()).select_from(Customer)).one() == 4


def test_dry_run_reports_the_same_and_writes_nothing(ctx, tmp_path, engine_url):
    path = write_csv(tmp_path / "crm.csv", MIXED)
    claims.claim(ctx, "U0BOB", ClaimRequest(name="Globex Ltd"), NOW)
    before = state(ctx)
    dry, dry_rows = run(ctx, path, dry_run=True, batch_size=3)
    assert dry.dry_run
    assert state(ctx) == before
    real, real_rows = run(ctx, path, batch_size=3)
    assert dry.counts == real.counts and dry.owners_assigned == real.owners_assigned
    # PostgreSQL sequences do not roll back, so new customers' ids may differ; everything else is equal.
    strip = lambda rows: {r: (o.status, o.reason, o.name, tuple(n.code for n in o.notes)) for r, o in rows.items()}  # noqa: E731
    assert strip(dry_rows) == strip(real_rows)
    # Bob's Globex Ltd gets its domain from row 12; row 13 then finds it by that domain, in the same run.
    assert (real_rows[12].status, real_rows[12].reason, real_rows[12].notes[0].params) == (
        "merged", "same_name", {"fields": ["domain"]})
    assert (real_rows[13].reason, real_rows[13].customer) == ("same_domain", real_rows[12].customer)


def test_the_owner_column_starts_audited_ownerships_and_respects_existing_owners(ctx, tmp_path):
    claims.claim(ctx, "U0BOB", ClaimRequest(name="Globex Ltd"), NOW)
    claims.claim(ctx, "U0BOB", ClaimRequest(name="Initech LLC"), NOW)
    from bot.services import activity

    activity.release(ctx, "U0BOB", "Initech LLC | not a fit", NOW)
    path = write_csv(tmp_path / "owners.csv", [
        {"name": "Globex Ltd", "owner": "U0ALICE"},  # owned by Bob: kept
        {"name": "Initech", "owner": "<@U0CAROL|carol>"},  # in the pool: Carol gets it, cooldowns aside
        {"name": "Hooli", "owner": "U0DAVE", "stage": "won"},  # new and won
    ])
    report, rows = run(ctx, path, actor="U0ADMIN")
    assert report.owners_assigned == 2
    assert rows[2].status == "unchanged" and rows[2].notes[0].code == "owner_kept"
    assert rows[3].status == "merged" and rows[3].notes[0].params == {"owner": "U0CAROL"}
    with read_session(ctx.engine) as s:
        active = {s.get(Customer, o.customer_id).name: o for o in s.exec(select(Ownership).where(Ownership.ended_at.is_(None)))}
        assert {n: o.rep_id for n, o in active.items()} == {"Globex Ltd": "U0BOB", "Initech LLC": "U0CAROL",
                                                            "Hooli": "U0DAVE"}
        assert active["Hooli"].protected_until is None  # won: never recycled
        imports = s.exec(select(OwnershipEvent).where(OwnershipEvent.kind == "import").order_by(OwnershipEvent.id)).all()
        assert [(e.to_rep, e.actor, e.rule, e.reason) for e in imports] == [
            ("U0CAROL", "U0ADMIN", "import", "owners.csv:3"), ("U0DAVE", "U0ADMIN", "import", "owners.csv:4")]
        assert {"U0CAROL", "U0DAVE"} <= set(s.exec(select(Rep.id)).all())
        # Every active ownership was started by exactly one audit record (the log replays to the owners).
        for customer_id, o in ((o.customer_id, o) for o in active.values()):
            starts = s.exec(select(OwnershipEvent).where(
                OwnershipEvent.customer_id == customer_id, OwnershipEvent.to_rep == o.rep_id,
                OwnershipEvent.at == o.started_at)).all()
            assert len(starts) == 1


def test_a_batch_the_database_refuses_is_split_and_only_the_bad_row_is_skipped(ctx, tmp_path, monkeypatch):
    real_write = importer._Batch.write

    def write(self):
        if any(rec.customer.name == "Poison Pill Ltd" for rec in self.new):
            raise DataError("INSERT", {}, Exception("value refused"))
        real_write(self)

    monkeypatch.setattr(importer._Batch, "write", write)
    path = write_csv(tmp_path / "crm.csv", [{"name": "Alpha Widgets", "owner": "U0ALICE"},
                                            {"name": "Poison Pill Ltd", "owner": "U0ALICE"},
                                            {"name": "Gamma Widgets"}])
    report, rows = run(ctx, path)
    assert report.counts["created"] == 2 and rows[3].reason == "db_error"
    with read_session(ctx.engine) as s:
        assert sorted(s.exec(select(Customer.name)).all()) == ["Alpha Widgets", "Gamma Widgets"]
        assert len(s.exec(select(Ownership)).all()) == len(s.exec(select(OwnershipEvent)).all()) == 1


def test_a_batch_that_collides_with_a_claim_is_decided_again(ctx, tmp_path, monkeypatch):
    real_write = importer._Batch.write
    calls = []

    def write(self):
        calls.append(1)
        if len(calls) == 1:  # as if a rep had created the same name meanwhile
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        real_write(self)

    monkeypatch.setattr(importer._Batch, "write", write)
    report, _ = run(ctx, write_csv(tmp_path / "crm.csv", [{"name": "Alpha Widgets"}, {"name": "Beta Widgets"}]))
    assert len(calls) == 2 and report.counts["created"] == 2


def test_probable_duplicates_can_be_skipped_instead(ctx, tmp_path):
    claims.claim(ctx, "U0BOB", ClaimRequest(name="深圳市腾讯计算机系统有限公司"), NOW)
    report, rows = run(ctx, write_csv(tmp_path / "crm.csv", [{"name": "腾讯计算机系统有限公司"}]), probable="skip")
    assert report.counts["skipped"] == 1 and rows[2].reason == "probable_duplicate"
    assert rows[2].params["candidates"][0]["customer"] == "C-1001"


def test_assign_auto_allocates_new_customers_without_an_owner(engine_url, tmp_path):
    rule = AllocationRule(name="north", regions=["北京"], reps=["U1", "U2"])
    ctx = make_ctx(engine_url, allocation=AllocationSettings(rules=[rule], seed=1))
    try:
        path = write_csv(tmp_path / "leads.csv", [
            {"name": "北京星河科技有限公司", "region": "北京"}, {"name": "北京云帆物流有限公司", "region": "北京"},
            {"name": "北京蓝海贸易有限公司", "region": "北京", "owner": "U0ALICE"},
            {"name": "上海浦江软件有限公司", "region": "上海"}])
        report, rows = run(ctx, path, assign_auto=True)
        assert (report.auto_assigned, report.owners_assigned) == (2, 1)
        assert rows[5].notes[-1].code == "auto_unassigned" and rows[5].notes[-1].params["reason"] == "no_rule"
        with read_session(ctx.engine) as s:
            owners = sorted(o.rep_id for o in s.exec(select(Ownership)))
        assert owners == ["U0ALICE", "U1", "U2"]
        again, _ = run(ctx, path, assign_auto=True)
        assert again.changed == 0 and again.auto_assigned == 0
    finally:
        ctx.engine.dispose()


def test_labelled_pairs_decide_as_a_claim_would(ctx, tmp_path):
    """Importing name_a then name_b (and b then a): b's outcome is find_matches' tier (PRODUCT 3.5's
    labelled pairs, and those of issue 15)."""
    expected_status = {"exact": "unchanged", "strong": "flagged", "fuzzy": "flagged", "different": "created"}
    rows_in = []
    lines = [line.split("\t") for path in (PAIRS, ISSUE_PAIRS) for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#") and line.count("\t") == 2]
    lines += [[b, a, tier] for a, b, tier in lines]
    for i, (a, b, tier) in enumerate(lines):
        path = write_csv(tmp_path / f"pair{i}.csv", [{"name": a}, {"name": b}])
        outcomes = []
        report = import_csv(ctx, open_csv(path), NOW, ImportOptions(dry_run=True), on_row=outcomes.append)
        status = outcomes[-1].status if outcomes and outcomes[-1].row == 3 else "created"
        rows_in.append((a, b, tier, status, report.counts))
    wrong = [(a, b, tier, status) for a, b, tier, status, _ in rows_in if expected_status[tier.strip()] != status]
    assert wrong == []


def test_another_legal_entity_of_a_name_is_flagged_not_merged(ctx, tmp_path):
    path = write_csv(tmp_path / "entities.csv", [
        {"name": "鸿富锦精密工业（深圳）有限公司", "owner": "U0ALICE"},  # 2 created
        {"name": "鸿富锦精密工业（武汉）有限公司", "owner": "U0BOB"},  # 3 another entity: flagged, Bob's
        {"name": "鸿富锦精密工业有限公司"},  # 4 which of the two? flagged
        {"name": "鸿富锦精密工业(武汉)有限公司"},  # 5 the Wuhan one: unchanged
        {"name": "腾迅科技"}, {"name": "腾讯科技"},  # 6 created, 7 same pinyin: flagged
    ])
    report, rows = run(ctx, path)
    assert report.counts == {"created": 2, "flagged": 3, "merged": 0, "unchanged": 1, "skipped": 0}
    assert [c["why"] for c in rows[3].params["candidates"]] == ["entity"]
    assert [c["row"] for c in rows[4].params["candidates"]] == [2, 3]
    assert (rows[5].status, rows[5].params["row"]) == ("unchanged", 3)
    assert [c["why"] for c in rows[7].params["candidates"]] == ["pinyin"]
    with read_session(ctx.engine) as s:
        owners = {o.rep_id for o in s.exec(select(Ownership))}
    assert owners == {"U0ALICE", "U0BOB"}


# --- The file, and the CLI (no database needed for the first ones)


def test_headers_in_either_language_and_cells_are_understood():
    assert [column_for(h) for h in ("客户名称", "Customer Name", "负责人", "统一社会信用代码", "Web Site", "电话", "阶段")] \
        == ["name", "name", "owner", "uscc", "domain", "phone", "stage"]
    assert map_header(["名称", "备注", "公司名称"]) == ({"name": 0}, ["备注", "公司名称"])
    assert [parse_owner(v) for v in ("U0ABC", "<@U0ABC|alice>", "u0abc", "alice", "@W123")] == \
        ["U0ABC", "U0ABC", "U0ABC", None, "W123"]
    assert [parse_tier(v) for v in ("a", "B类", "Ｃ", "D")] == ["A", "B", "C", None]


def test_gb18030_tab_separated_files_with_chinese_headers_are_read(tmp_path):
    path = write_csv(tmp_path / "old.csv", [{"客户名称": "北京星河科技有限公司", "等级": "A"}], header=["客户名称", "等级", "备注"],
                     encoding="gb18030", delimiter="\t")
    source = open_csv(path)
    assert (source.encoding, source.rows, source.unknown_columns) == ("gb18030", 1, ("备注",))
    assert list(source) == [(2, {"name": "北京星河科技有限公司", "tier": "A"})]
    with pytest.raises(ImportFileError) as missing:
        open_csv(write_csv(tmp_path / "x.csv", [], header=["foo", "bar"]))
    assert missing.value.problem.code == "import.file.no_name_column"


def test_cli_import_dry_run_report_and_second_run(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    path = write_csv(tmp_path / "crm.csv", MIXED)
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CLAIMBOT_TEAM__LANGUAGE": "en"}

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "bot.cli", "import", str(path), *args], capture_output=True,
                              text=True, env=env, cwd=Path(__file__).resolve().parents[1], timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    dry = cli("--dry-run", "--report", str(tmp_path / "dry.json"))
    assert "Dry run" in dry.stdout and "Created 6" in dry.stdout and dry.stderr == ""  # a pipe: no progress bar
    engine = make_engine(url)
    try:
        with read_session(engine) as s:
            assert s.exec(select(func.count()).select_from(Customer)).one() == 0
        first = cli("--report", str(tmp_path / "first.csv"))
        assert "Created 6 (of which 2 probable duplicates" in first.stdout
        second = cli("--report", str(tmp_path / "second.json"), "--quiet")
        assert "Created 0" in second.stdout and "merged 0" in second.stdout and second.stderr == ""
        with read_session(engine) as s:
            assert s.exec(select(func.count()).select_from(Customer)).one() == 6
    finally:
        engine.dispose()
    dry_report = json.loads((tmp_path / "dry.json").read_text(encoding="utf-8"))
    assert dry_report["dry_run"] is True and dry_report["counts"]["flagged"] == 2
    with (tmp_path / "first.csv").open(encoding="utf-8") as f:
        first_rows = list(csv.DictReader(f))
    assert [r["row"] for r in first_rows] == [str(r) for r in (3, 5, 7, 8, 9, 10, 11, 13, 14, 15, 16)]
    assert "probably the same as: C-1001 [row 2]" in first_rows[0]["detail"]
    second_report = json.loads((tmp_path / "second.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in second_report["rows"]} == {"unchanged", "skipped"}
