"""The web process is killed (SIGKILL) in the middle of a multi-step action: the record is then
either fully changed or not at all, never half, and the action succeeds when retried.

The app runs in its own process (tests/robustness/crash_server.py) on the test database (the
SQLite file, or PostgreSQL with TEST_DATABASE_URL); a listener installed by that test-only
script stops the chosen request inside its transaction, after part or all of its writes reached
the database, writes a marker, and waits for the kill."""

import json
import os
import sqlite3
import sys
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from proposals.accounts.models import ApiToken
from proposals.committee.models import Counter
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.workflow.models import HistoryEntry, Proposal

from .. import flows
from ..infra import ROOT, Service, child_env, free_port, wait_until

SERVER = os.path.join(ROOT, "tests", "robustness", "crash_server.py")


class CrashServer(Service):
    def __init__(self, log_dir, url, name="web", hang_path=None, hang_at=None, marker=None):
        self.port = free_port()
        argv = [sys.executable, SERVER, str(self.port)]
        if hang_path:
            argv += ["--hang-path", hang_path, "--hang-at", hang_at, "--marker", marker]
        super().__init__(name, argv, str(log_dir), env=child_env(CRASH_DATABASE_URL=url))

    def start(self):
        super().start()
        self.wait_for_log("READY", 60)
        return self

    def post(self, path, token, body, timeout=60):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}",
            method="POST",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (loopback)
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


def record(pid):
    """Everything the action may write for the proposal, as committed."""
    db.session.expire_all()
    p = db.session.get(Proposal, pid)
    return {
        "state": p.state,
        "number": p.number,
        "version": p.version,
        "assignments": db.session.scalars(
            select(Assignment.department_id)
            .where(Assignment.proposal_id == pid)
            .order_by(Assignment.department_id)
        ).all(),
        "history": db.session.scalars(
            select(HistoryEntry.action)
            .where(HistoryEntry.proposal_id == pid)
            .order_by(HistoryEntry.id)
        ).all(),
        "counters": sorted((c.kind, c.last_value) for c in db.session.scalars(select(Counter))),
        "all_assignments": db.session.scalar(select(func.count()).select_from(Assignment)),
        "all_history": db.session.scalar(select(func.count()).select_from(HistoryEntry)),
    }


def sqlite_integrity(app):
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return
    conn = sqlite3.connect(os.path.abspath(url.database))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def assign_action(world):
    p = flows.filed(world)
    body = {
        "departments": [
            {"code": "ZJJ", "role": "lead"},
            {"code": "CZJ", "role": "co"},
            {"code": "JYJ", "role": "co"},
        ]
    }
    return p, f"/proposals/{p.id}/assign", body


def file_action(world):
    flows.filed(world, title="关于先立案的一件建议")  # number 1 is taken: the next is 2
    p = flows.submitted(world)
    return p, f"/proposals/{p.id}/review", {"decision": "file"}


@pytest.mark.parametrize(
    "action, hang_at",
    [
        ("assign", "flush:1"),  # the state and its history row written, no assignment yet
        ("assign", "commit"),  # state, three assignments and history written, not committed
        ("file", "commit"),  # state, number taken from the counter, history: not committed
    ],
)
@pytest.mark.crash
def test_killed_mid_action_leaves_all_or_nothing_and_the_retry_succeeds(
    world, app, tmp_path, action, hang_at
):
    units = {d.code: d.id for d in (world.unit_a, world.unit_b, world.unit_c)}
    p, path, body = (assign_action if action == "assign" else file_action)(world)
    pid = p.id
    token = ApiToken.issue(world.secretariat)
    db.session.commit()
    before = record(pid)
    db.session.commit()
    db.session.close()  # hold no lock while the server works
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    marker = str(tmp_path / "marker.json")

    server = CrashServer(
        tmp_path, url, "web-hang", hang_path=f"/api/v1{path}", hang_at=hang_at, marker=marker
    ).start()
    outcome = {}

    def request():
        try:
            outcome["answer"] = server.post(path, token, body, timeout=120)
        except Exception as exc:  # the connection dies with the server
            outcome["error"] = exc

    thread = threading.Thread(target=request, daemon=True)
    thread.start()
    try:
        wait_until(
            lambda: os.path.exists(marker),
            60,
            0.05,
            "the server to reach the hang",
            server.diagnostics,
        )
        with open(marker) as fh:
            inside = json.load(fh)["seen"]
    finally:
        server.kill()
    thread.join(30)
    assert "answer" not in outcome, outcome  # the client never got an answer

    # the transaction really was half-way: it saw its own uncommitted writes
    if action == "assign" and hang_at == "commit":
        # the state, the 交办 row, three assignments and a row for each: all written
        assert inside["state"] == "assigned" and inside["assignments"] == 3
        assert inside["history"] == len(before["history"]) + 4
    elif action == "assign":
        # the state and some of the rows written, not all the assignments yet
        assert inside["state"] == "assigned" and inside["assignments"] < 3
        assert inside["history"] > len(before["history"])
    else:
        assert inside["state"] == "filed" and inside["number"] == 2
        assert inside["history"] == len(before["history"]) + 1

    # after the kill: nothing of it is left, the database is sound
    after_kill = record(pid)
    assert after_kill == before
    sqlite_integrity(app)
    db.session.close()

    # restart without the hook: the same request succeeds, once
    server = CrashServer(tmp_path, url, "web-retry").start()
    try:
        status, answer = server.post(path, token, body)
    finally:
        server.stop()
    assert status == 200, answer
    after = record(pid)
    if action == "assign":
        assert after["state"] == "assigned"
        assert after["assignments"] == sorted(units.values())
        assert after["history"] == before["history"] + ["assign"] + ["assign_unit"] * 3
        assert after["all_assignments"] == before["all_assignments"] + 3
    else:
        assert after["state"] == "filed" and after["number"] == 2 == answer["number"]
        assert after["history"] == before["history"] + ["file"]
        changed = set(after["counters"]) - set(before["counters"])
        assert [value for _kind, value in changed] == [2], (before["counters"], after["counters"])
    assert after["all_history"] == before["all_history"] + len(after["history"]) - len(
        before["history"]
    )
    sqlite_integrity(app)
