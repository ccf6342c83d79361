"""`backup create` / `backup restore`.

SQLite: a backup taken while another thread keeps writing holds every row committed before it
started, nothing that was not in the source, passes integrity and foreign-key checks, restores
into a fresh file row for row, and the app works on the restored database; restoring over the
live database needs --yes; files that are not a database of this schema are refused.
PostgreSQL: the command prints the pg_dump / pg_restore commands without the password."""

import os
import shutil
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from proposals import create_app
from proposals.accounts.models import ApiToken, User
from proposals.committee.calendar import utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.notifications.models import Notification
from proposals.reminders.sweep import run_sweep
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from ..conftest import FAST_HASH, LONG
from .test_cli import ok, refused

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="backup create/restore copies SQLite files; on PostgreSQL the command only prints "
    "the pg_dump/pg_restore commands (test_postgresql_prints_pg_dump_commands)",
)

WRITER_TITLE = "关于后台持续写入第{}号的建议"


# --- helpers ------------------------------------------------------------------------------


def live_path(app):
    return os.path.abspath(db.engine.url.database)


def snapshot(path):
    """{table: set of rows} of a SQLite file, read in one read transaction."""
    conn = sqlite3.connect("file:" + path + "?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("BEGIN")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        data = {t: set(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
        conn.execute("COMMIT")
        return data
    finally:
        conn.close()


def pragma(path, name):
    conn = sqlite3.connect("file:" + path + "?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(f"PRAGMA {name}")]
    finally:
        conn.close()


def invoke(app, *args):
    """Run a command of ``app`` in its own app context (the CLI would otherwise reuse the
    test's context, which may belong to another app)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def fresh_app(tmp_path, name):
    """A second app on a database file that does not exist yet."""
    return create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / name),
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "WTF_CSRF_ENABLED": False,
            "BACKUP_DIR": str(tmp_path / "backups"),
        }
    )


def fill(world):
    """Proposals in different states, with co-signers, assignments (lead + co), a reply, a
    rating, history and reminder notifications, all through the operations."""
    w = world
    flows.draft(w, title="关于草稿阶段的建议")
    flows.submitted(w, cosigners=[w.member2], title="关于联名提案的建议")
    refused_p = flows.submitted(w, title="关于不予立案的建议")
    ops.review_proposal(
        w.secretariat,
        refused_p,
        {"decision": "not_file", "reason_code": "other", "disposition": "letter"},
    )
    db.session.commit()
    co = flows.assigned(w, plan=[(w.unit_a, "lead"), (w.unit_b, "co")], title="关于主办会办的建议")
    p, reply = flows.replied(w, title="关于已答复的建议")
    hops.rate_reply(w.member, reply, {"rating": "satisfied"})
    db.session.commit()
    run_sweep(now=utcnow() + timedelta(days=40), dispatch=lambda ids: 0)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)) > 0
    return co, p


class Writer(threading.Thread):
    """Keeps creating drafts through the operations, each in its own transaction."""

    def __init__(self, app, member_id):
        super().__init__(daemon=True)
        self.app, self.member_id = app, member_id
        self.stop, self.written, self.error = threading.Event(), 0, None

    def run(self):
        try:
            with self.app.app_context():
                member = db.session.get(User, self.member_id)
                while not self.stop.is_set():
                    content = {
                        "title": WRITER_TITLE.format(self.written),
                        "category": "society",
                        "analysis": "情况分析：" + "持续写入。" * 10,
                        "suggestions": LONG,
                    }
                    ops.create_proposal(member, content)
                    db.session.commit()
                    self.written += 1
                    time.sleep(0.002)
                db.session.remove()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while self.written < n:
            assert self.error is None, repr(self.error)
            assert time.monotonic() < deadline, f"writer stuck at {self.written}"
            time.sleep(0.01)


def writer_rows(snap):
    """How many of the writer's proposals a snapshot holds."""
    return sum(
        1
        for row in snap["proposals"]
        if any(isinstance(v, str) and v.startswith("关于后台持续写入") for v in row)
    )


# --- tests --------------------------------------------------------------------------------


@sqlite_only
def test_backup_of_a_live_database_restores_every_record(world, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    co, rated = fill(world)
    co_id, rated_id, rated_state = co.id, rated.id, rated.state
    member_id = world.member2.id
    db.session.commit()
    db.session.close()
    live = live_path(app)
    before = snapshot(live)

    writer = Writer(app, member_id)
    writer.start()
    try:
        writer.wait_for(5)
        backup_file = str(tmp_path / "copy.db")
        out = ok(invoke(app, "backup", "create", "--output", backup_file))
        at_backup = writer.written
        writer.wait_for(at_backup + 5)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, repr(writer.error)
    after = snapshot(live)

    # what the command says
    assert backup_file in out and "bytes" in out
    copy = snapshot(backup_file)
    for table, rows in copy.items():
        assert any(line.split() == [table, str(len(rows))] for line in out.splitlines()), (
            table,
            len(rows),
            out,
        )

    # a point-in-time copy: everything committed before it started, nothing invented
    assert set(copy) == set(before) == set(after)
    for table in before:
        missing = before[table] - copy[table]
        assert not missing, f"{table}: {len(missing)} rows committed before the backup are lost"
        extra = copy[table] - after[table]
        assert not extra, f"{table}: {len(extra)} rows in the backup were never in the source"
    # taken while the writer was writing: some of its rows are in, later ones are not
    assert 5 <= writer_rows(copy) < writer_rows(after)
    assert pragma(backup_file, "integrity_check") == [("ok",)]
    assert pragma(backup_file, "foreign_key_check") == []
    assert pragma(backup_file, "journal_mode") == [("delete",)]
    assert not os.path.exists(backup_file + "-wal")

    # restore into a fresh database file: the same rows, sound, and the app works on it
    app2 = fresh_app(tmp_path, "restored.db")
    out = ok(invoke(app2, "backup", "restore", backup_file))
    restored_path = str(tmp_path / "restored.db")
    assert restored_path in out
    assert snapshot(restored_path) == copy
    assert pragma(restored_path, "integrity_check") == [("ok",)]
    with app2.app_context():
        secretariat = db.session.scalar(select(User).where(User.username == "sec"))
        member = db.session.scalar(select(User).where(User.username == "m1"))
        tokens = {u.username: ApiToken.issue(u) for u in (secretariat, member)}
        db.session.commit()
        client = app2.test_client()

        def call(user, method, path, json=None):
            return client.open(
                "/api/v1" + path,
                method=method,
                json=json,
                headers={"Authorization": f"Bearer {tokens[user]}"},
            )

        resp = call("m1", "GET", f"/proposals/{rated_id}")
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["title"] == "关于已答复的建议" and body["state"] == rated_state
        resp = call("sec", "GET", f"/proposals/{co_id}")
        assert resp.status_code == 200 and len(resp.get_json()["assignments"]) == 2
        # a write on the restored database: a new proposal, submitted
        resp = call(
            "m1",
            "POST",
            "/proposals",
            {
                "title": "关于恢复后新建的建议",
                "category": "society",
                "analysis": "情况分析：" + "恢复后。" * 10,
                "suggestions": LONG,
            },
        )
        assert resp.status_code == 201, resp.get_json()
        new_id = resp.get_json()["id"]
        resp = call("m1", "POST", f"/proposals/{new_id}/submit")
        assert resp.status_code == 200, resp.get_json()
        assert db.session.get(Proposal, new_id).state == "submitted"
        db.session.remove()


@sqlite_only
def test_restore_over_the_live_database_needs_yes(world, app, tmp_path, monkeypatch):
    backups = tmp_path / "backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(backups))
    flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_c, "co")])
    cli_app = app
    # default name: a timestamped file under the backups folder
    out = ok(invoke(cli_app, "backup", "create"))
    made = [f for f in os.listdir(backups) if f.startswith("proposals-") and f.endswith(".db")]
    assert len(made) == 1 and str(backups / made[0]) in out
    backup_file = str(backups / made[0])
    copy = snapshot(backup_file)

    # the live database moves on after the backup
    later = flows.draft(world, title="关于备份之后才写入的建议")
    later_id = later.id
    db.session.commit()
    db.session.close()
    live = live_path(app)
    moved_on = snapshot(live)
    assert moved_on != copy

    refused(invoke(cli_app, "backup", "restore", backup_file), "--yes")
    assert snapshot(live) == moved_on  # nothing changed

    out = ok(invoke(cli_app, "backup", "restore", backup_file, "--yes"))
    assert snapshot(live) == copy
    assert pragma(live, "integrity_check") == [("ok",)]
    assert pragma(live, "journal_mode") == [("wal",)]
    # the live data before the restore was kept aside
    safety = [f for f in os.listdir(backups) if f.startswith("pre-restore-")]
    assert len(safety) == 1 and str(backups / safety[0]) in out
    assert snapshot(str(backups / safety[0])) == moved_on
    # the app in this process works on the restored data
    db.session.expire_all()
    assert db.session.get(Proposal, later_id) is None
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == len(copy["proposals"])
    member = db.session.scalar(select(User).where(User.username == "m1"))
    ops.create_proposal(member, world.content(title="关于恢复之后写入的建议"))
    db.session.commit()
    assert (
        db.session.scalar(select(func.count()).select_from(Proposal)) == len(copy["proposals"]) + 1
    )


@sqlite_only
def test_restore_refuses_files_that_are_not_a_database_of_this_schema(world, app, tmp_path):
    flows.submitted(world)
    db.session.commit()
    good = str(tmp_path / "good.db")
    ok(invoke(app, "backup", "create", "--output", good))
    target = fresh_app(tmp_path, "target.db")
    cli_app = target
    target_path = str(tmp_path / "target.db")

    text_file = tmp_path / "notes.txt"
    text_file.write_text("这不是数据库")
    refused(invoke(cli_app, "backup", "restore", str(text_file)), "不是 SQLite")
    refused(invoke(cli_app, "backup", "restore", str(tmp_path / "missing.db")), "找不到")

    other = str(tmp_path / "other.db")
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    refused(invoke(cli_app, "backup", "restore", other), "不是本系统的数据库")

    newer = str(tmp_path / "newer.db")
    ok(invoke(app, "backup", "create", "--output", newer))
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    refused(invoke(cli_app, "backup", "restore", newer), "ffffffffffff", "迁移链")
    assert not os.path.exists(target_path) or not snapshot(target_path)

    # an older schema revision restores, and the user is told to upgrade
    older = str(tmp_path / "older.db")
    ok(invoke(app, "backup", "create", "--output", older))
    conn = sqlite3.connect(older)
    conn.execute("UPDATE alembic_version SET version_num = '08536d4a7d4b'")
    conn.commit()
    conn.close()
    out = ok(invoke(cli_app, "backup", "restore", older))
    assert "db upgrade" in out
    assert snapshot(target_path)["alembic_version"] == {("08536d4a7d4b",)}
    # and the good one needs --yes now that the target has data
    refused(invoke(cli_app, "backup", "restore", good), "--yes")
    ok(invoke(cli_app, "backup", "restore", good, "--yes"))
    assert snapshot(target_path) == snapshot(good)


def test_postgresql_prints_pg_dump_commands_without_the_password(tmp_path):
    pg = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://bob:s3cr3t-pw@db.internal:5433/proposals_prod",
            "BACKUP_DIR": str(tmp_path / "backups"),
        }
    )
    cli_app = pg
    result = invoke(cli_app, "backup", "create")
    out = ok(result)
    assert "s3cr3t-pw" not in out
    dump = next(line for line in out.splitlines() if line.strip().startswith("pg_dump "))
    for part in (
        "--format=custom",
        "--host=db.internal",
        "--port=5433",
        "--username=bob",
        "--dbname=proposals_prod",
        "--file=" + str(tmp_path / "backups"),
    ):
        assert part in dump, (part, dump)
    restore = next(line for line in out.splitlines() if line.strip().startswith("pg_restore "))
    for part in ("--clean", "--if-exists", "--dbname=proposals_prod"):
        assert part in restore, (part, restore)
    assert "PGPASSWORD" in out or ".pgpass" in out
    # no copy was pretended
    assert not any(f.endswith(".dump") for f in os.listdir(tmp_path / "backups"))
    # restore prints the pg_restore command and changes nothing (exit non-zero)
    result = invoke(cli_app, "backup", "restore", str(tmp_path / "x.dump"))
    out = refused(result, "pg_restore")
    assert "s3cr3t-pw" not in out


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
@pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="pg_dump/pg_restore are not on PATH",
)
def test_postgresql_run_dumps_and_restores(world, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    kept = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    kept_id = kept.id
    dump = str(tmp_path / "pg.dump")
    out = ok(invoke(app, "backup", "create", "--run", "--output", dump))
    assert dump in out
    with open(dump, "rb") as fh:
        assert fh.read(5) == b"PGDMP"  # pg_dump's custom format
    later_id = flows.draft(world, title="关于备份之后才写入的建议").id
    db.session.commit()
    db.session.close()
    db.engine.dispose()  # pg_restore --clean must not wait for our connections
    refused(invoke(app, "backup", "restore", dump), "pg_restore")
    ok(invoke(app, "backup", "restore", dump, "--run", "--yes"))
    db.session.expire_all()
    assert db.session.get(Proposal, later_id) is None
    restored = db.session.get(Proposal, kept_id)
    assert restored.state == "assigned" and len(loaded(restored, "assignments").assignments) == 2
