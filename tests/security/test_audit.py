"""The audit log records logins (ok and failed, web and API), logouts,
password changes, every state-changing request with its outcome and every refusal, with actor,
time and address, in its own transaction (a rolled-back action keeps its row); no password or
token ever reaches the audit table or the logs."""

import logging

from sqlalchemy import select

from proposals import create_app
from proposals.extensions import db
from proposals.security.models import AuditEvent
from proposals.workflow.models import Proposal

from .. import flows
from ..conftest import FAST_HASH, WebClient
from .helpers import PASSWORD, form_login, token_login, with_password


def events(**where):
    query = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(query).all()


def client(app):
    return WebClient(app, app.response_class, use_cookies=True)


def test_logins_and_logouts_are_recorded_web_and_api(world, app):
    with_password(world.member)
    browser = client(app)
    form_login(browser, "m1", "wrong-password")
    form_login(browser, "nobody", "whatever-1")
    form_login(browser, "m1")
    browser.post("/logout")
    api = app.test_client()
    token_login(api, "m1", "wrong-password", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    token = token_login(api, "m1").get_json()["token"]
    api.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})

    rows = [(e.kind, e.actor_username, e.method, e.path, e.status) for e in events()]
    assert rows == [
        ("login_failed", "m1", "POST", "/login", 200),
        ("login_failed", None, "POST", "/login", 200),  # an unknown name is not stored
        ("login_ok", "m1", "POST", "/login", 302),
        ("logout", "m1", "POST", "/logout", 302),
        ("login_failed", "m1", "POST", "/api/v1/auth/token", 401),
        ("login_ok", "m1", "POST", "/api/v1/auth/token", 200),
        ("logout", "m1", "DELETE", "/api/v1/auth/token", 204),
    ]
    first = events()[0]
    assert first.address == "127.0.0.1" and first.actor_id == world.member.id
    assert first.created_at is not None
    assert events(kind="login_failed")[-1].address == "10.0.0.7"


def test_actions_and_refusals_are_recorded_with_target_even_when_rolled_back(world, api, web):
    p = flows.submitted(world)
    stranger = api(world.member2)
    assert stranger.post(f"/proposals/{p.id}/withdraw", json={}).status_code == 404
    assert web(world.member2).get(f"/proposals/{p.id}").status_code == 404
    assert web(world.member).get("/admin/users").status_code == 403
    assert api().get("/me").status_code == 401
    # a refused state change (409): the action is rolled back, its audit row stays
    sec = api(world.secretariat)
    version = p.version
    assert sec.post(f"/proposals/{p.id}/submit", json={}).status_code in (403, 409)
    assert db.session.get(Proposal, p.id).version == version
    # a successful action
    resp = sec.post(f"/proposals/{p.id}/review", json={"decision": "file"})
    assert resp.status_code == 200, resp.get_json()

    rows = [(e.kind, e.actor_username, e.method, e.status, e.target) for e in events()]
    assert ("refused", "m2", "POST", 404, f"proposal:{p.id}") in rows
    assert ("refused", "m2", "GET", 404, f"proposal:{p.id}") in rows
    assert ("refused", "m1", "GET", 403, None) in rows
    assert ("refused", None, "GET", 401, None) in rows
    assert any(
        r[0] == "refused" and r[1] == "sec" and r[2] == "POST" and r[4] == f"proposal:{p.id}"
        for r in rows
    )
    assert ("action", "sec", "POST", 200, f"proposal:{p.id}") in rows
    # plain reads that succeed are not recorded
    assert not [e for e in events() if e.method == "GET" and e.status == 200]


def test_password_change_is_recorded(world, app):
    with_password(world.member)
    browser = client(app)
    form_login(browser, "m1")
    browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Other-pass-99",
            "confirm": "Other-pass-99",
        },
    )
    assert [e.kind for e in events(actor_username="m1")] == ["login_ok", "password_changed"]


def test_no_password_or_token_reaches_the_audit_table_or_the_logs(world, app, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Sekrit-Horse-4711"
    with_password(world.member, secret)
    browser = client(app)
    form_login(browser, "m1", secret + "x")  # failed, with a near-miss password
    form_login(browser, secret, secret)  # the password typed as the username
    form_login(browser, "m1", secret)
    api = app.test_client()
    token = token_login(api, "m1", secret).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    api.get("/api/v1/me", headers=auth)
    api.get(f"/api/v1/proposals/999999?token={token}", headers=auth)  # 404, token in the URL
    api.post("/api/v1/proposals", headers=auth, json={"title": secret})  # 400
    api.post("/api/v1/auth/token", json={"username": "m1", "password": token})
    browser.post(
        "/account/password",
        data={"current_password": secret, "new_password": "password", "confirm": "password"},
    )
    api.delete("/api/v1/auth/token", headers=auth)
    api.get("/api/v1/me", headers=auth)  # 401 with the revoked token

    rows = events()
    assert len(rows) >= 9
    dump = "\n".join(
        repr({c.name: getattr(e, c.name) for c in AuditEvent.__table__.columns}) for e in rows
    )
    assert "audit login_ok" in caplog.text  # the audit lines are logged …
    for needle in (secret, token, token[:16]):
        assert needle not in dump, needle  # … but never a password or a token
        assert needle not in caplog.text, needle


def test_x_forwarded_for_is_honoured_only_behind_a_configured_proxy(world, app):
    headers = {"X-Forwarded-For": "203.0.113.9"}
    app.test_client().get("/no/such/page", headers=headers)
    assert events()[-1].address == "127.0.0.1"
    db.session.close()
    behind = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "TRUSTED_PROXY_COUNT": 1,
        }
    )
    behind.test_client().get("/no/such/page", headers=headers)
    with behind.app_context():
        db.session.remove()
        db.engine.dispose()
    assert events()[-1].address == "203.0.113.9"


def test_the_admin_audit_page(world, web):
    with_password(world.member)
    form_login(web(), "m1", "bad-password")
    admin = web(world.admin)
    page = admin.get("/account/audit?kind=login_failed").get_data(as_text=True)
    assert "login_failed" in page and "/login" in page
    page = admin.get("/account/audit?user=nobody-at-all").get_data(as_text=True)
    assert "/login" not in page
    assert web(world.member).get("/account/audit").status_code == 403
