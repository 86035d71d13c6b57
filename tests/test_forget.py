"""`claimbot forget` (PIPL/GDPR, docs/decisions/0021) on real SQLite and PostgreSQL: a contact's name, phone,
e-mail and WeChat id are gone from every table — checked in a full backup of the database — while the
ownership audit trail, the follow-ups that count for scores and an audit record of the erasure remain."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import cli
from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import activity, claims, complaints
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from storage import backup, migrate
from storage.engine import make_engine
from storage.models import Erasure, FollowUp, Outbox, Ownership, OwnershipEvent

ALICE, BOB, MGR = "U0ALICE", "U0BOB", "U0MGR1"
NAME, PHONE, WECHAT, EMAIL = "王小明", "13800138000", "wxm_2026", "Wang.XM@acme.cn"
NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def seed(url: str) -> tuple[ServiceContext, str]:
    migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=[MGR]), claims=ClaimSettings(daily_claim_cap=50))
    ctx = ServiceContext(engine=make_engine(url), settings=settings)
    acme = claims.claim(ctx, ALICE, ClaimRequest(name="Acme 贸易", phone=PHONE), NOW)
    assert acme.outcome == "created", acme
    assert activity.log_followup(ctx, ALICE, f"Acme 贸易 | call: 打电话给{NAME} {PHONE}，微信 {WECHAT}，邮箱 "
                                 f"{EMAIL.lower()} 谈预算", NOW).outcome == "logged"
    assert complaints.log(ctx, BOB, f"Acme 贸易 | {NAME}说发票抬头错了，回电 {PHONE}", NOW).outcome == "logged"
    claims.claim(ctx, BOB, ClaimRequest(name="Globex 科技"), NOW)
    assert activity.log_followup(ctx, BOB, f"Globex 科技 | visit: {NAME}介绍了采购负责人，已加微信", NOW).outcome == "logged"
    assert activity.release(ctx, BOB, f"Globex 科技 | 联系人 {EMAIL} 离职了", NOW).outcome == "released"
    return ctx, acme.customer.short_id


def whole_database(url: str, tmp_path) -> str:
    path = tmp_path / f"all-{len(list(tmp_path.iterdir()))}.gz"
    backup.backup(make_engine(url), path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return "".join(f.readlines()[1:])  # without the header, which says when the backup was made


def count(ctx: ServiceContext, model) -> int:
    with ctx.engine.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()


def forget(monkeypatch, url: str, *args: str) -> int:
    monkeypatch.setenv("DATABASE_URL", url)
    return cli.main(["forget", "--by", "U0ADMIN", "--reason", "ticket 42: erasure request", *args])


def test_forget_erases_a_contact_everywhere_and_keeps_the_audit_trail(engine_url, tmp_path, monkeypatch, capsys):
    ctx, acme = seed(engine_url)
    before = whole_database(engine_url, tmp_path)
    assert all(v in before for v in (NAME, PHONE, WECHAT, EMAIL.lower(), EMAIL))
    with ctx.engine.connect() as c:  # the complaint's notice to the manager holds the name
        assert any(NAME in data for data in c.execute(select(Outbox.data)).scalars())
    trail = (count(ctx, OwnershipEvent), count(ctx, Ownership), count(ctx, FollowUp))

    assert forget(monkeypatch, engine_url, "--customer", acme, "--value", NAME, "--value", WECHAT, "--value", EMAIL,
                  "--dry-run") == 0
    assert "dry run, nothing changed; would erase:" in capsys.readouterr().out
    assert whole_database(engine_url, tmp_path) == before
    assert count(ctx, Erasure) == 0

    assert forget(monkeypatch, engine_url, "--customer", acme, "--value", NAME, "--value", WECHAT,
                  "--value", EMAIL) == 0
    out = capsys.readouterr().out
    assert out.startswith("erased: ") and "customer.phone 1" in out and "followup.note 2" in out
    assert "ownership_event.reason 1" in out and "complaint.text 1" in out and "outbox.data" in out
    after = whole_database(engine_url, tmp_path)
    for value in (NAME, PHONE, WECHAT, EMAIL, EMAIL.lower()):
        assert value not in after, value  # in no table, in no notice
    assert "[已删除 erased]" in after
    assert (count(ctx, OwnershipEvent), count(ctx, Ownership), count(ctx, FollowUp)) == trail  # who did what, when
    with ctx.engine.connect() as c:
        [erasure] = c.execute(select(Erasure)).all()
    assert (erasure.actor, erasure.reason, erasure.values_given) == ("U0ADMIN", "ticket 42: erasure request", 3)
    assert json.loads(erasure.fields)["customer.phone"] == 1 and erasure.customer_id is not None
    ctx.engine.dispose()


def test_forget_refuses_what_it_cannot_do_and_records_a_request_that_found_nothing(
        engine_url, tmp_path, monkeypatch, capsys):
    ctx, _ = seed(engine_url)
    assert forget(monkeypatch, engine_url) == 2
    assert "name a customer (--customer) or values (--value)" in capsys.readouterr().err
    assert forget(monkeypatch, engine_url, "--customer", "C-99999") == 2
    assert "no such customer: C-99999" in capsys.readouterr().err
    assert forget(monkeypatch, engine_url, "--value", "王") == 2  # one character would erase half the notes
    assert count(ctx, Erasure) == 0
    assert forget(monkeypatch, engine_url, "--value", "李四") == 0
    assert "erased: nothing matched; recorded as erasure #" in capsys.readouterr().out
    assert count(ctx, Erasure) == 1
    ctx.engine.dispose()
