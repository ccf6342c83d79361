"""The audit keeps what matters and stays bounded: a crawler's anonymous refusals (no login, no
credential, a GET answered 401/403/404) leave one row per address and window and a log line
each; everything an account does, and any request carrying a credential, keeps its own row;
rows older than AUDIT_RETENTION_DAYS are pruned by the sweep."""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from proposals.extensions import db
from proposals.reminders.sweep import run_sweep
from proposals.security.models import AuditEvent

from ..conftest import WebClient


def rows(**where):
    query = select(func.count()).select_from(AuditEvent)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db.session.scalar(query)


class From:
    """Anonymous requests from ``address``."""

    def __init__(self, app, address):
        self.client = WebClient(app, app.response_class, use_cookies=True)
        self.address = address

    def get(self, path, **kw):
        return self.client.get(path, environ_base={"REMOTE_ADDR": self.address}, **kw)

    def post(self, path, **kw):
        return self.client.post(path, environ_base={"REMOTE_ADDR": self.address}, **kw)


def anonymous(app, address):
    return From(app, address)


def test_a_crawlers_404s_leave_one_row_per_address_and_a_log_line_each(world, app, caplog):
    crawler, other = anonymous(app, "203.0.113.9"), anonymous(app, "198.51.100.4")
    with caplog.at_level(logging.INFO, logger="proposals"):
        for n in range(40):
            assert crawler.get(f"/wp-admin/{n}.php").status_code == 404
            assert crawler.get("/api/v1/me").status_code == 401
        assert other.get("/.env").status_code == 404
    assert rows(address="203.0.113.9") == 1
    assert rows(address="198.51.100.4") == 1
    logged = [r for r in caplog.records if r.getMessage().startswith("audit refused")]
    assert len(logged) == 81


def test_what_an_account_does_and_any_credential_keep_a_row_each(world, web, api, app):
    member = web(world.member)
    for _ in range(5):
        assert member.get("/no/such/page").status_code == 404
    assert rows(actor_username="m1", status=404) == 5
    stale = anonymous(app, "192.0.2.1")
    for _ in range(3):
        resp = stale.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
        assert resp.status_code == 401
    assert rows(address="192.0.2.1") == 3  # a token that does not work: each try matters
    for _ in range(3):  # anonymous state changes are recorded whatever they answer
        stale.post("/api/v1/proposals", json={})
    assert rows(address="192.0.2.1") == 6


def test_the_sweep_prunes_rows_older_than_the_retention(world, app, monkeypatch):
    now = datetime.now(UTC)
    ages = (400, 366, 364, 10)
    for days in ages:
        db.session.execute(
            insert(AuditEvent).values(
                created_at=now - timedelta(days=days),
                method="GET",
                path=f"/{days}",
                kind="refused",
                status=404,
            )
        )
    db.session.commit()
    assert app.config["AUDIT_RETENTION_DAYS"] == 365
    counts = run_sweep(now=now)
    assert counts["audit_pruned"] == 2
    kept = db.session.scalars(select(AuditEvent.path).order_by(AuditEvent.path)).all()
    assert kept == ["/10", "/364"]
    monkeypatch.setitem(app.config, "AUDIT_RETENTION_DAYS", 0)  # 0: keep for ever
    assert run_sweep(now=now + timedelta(days=1000))["audit_pruned"] == 0
    assert rows() == 2
