"""Passwords (length and common-password list wherever one is set), login rate
limits (per account and per address, web and API, memory and Redis storage), server-side
sessions (logout, password change and disabling revoke sessions and tokens; idle and absolute
timeouts; token lifetime) and cookie flags."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from proposals import create_app
from proposals.accounts.models import ApiToken, User
from proposals.extensions import db
from proposals.security.models import AuditEvent, LoginSession
from proposals.security.passwords import common_passwords, password_problem

from ..conftest import FAST_HASH, WebClient
from .helpers import (
    PASSWORD,
    cookie_header,
    form_login,
    token_login,
    with_password,
)


def now():
    return datetime.now(UTC)


def new_client(app):
    return WebClient(app, app.response_class, use_cookies=True)


def replay(app, cookie, path="/"):
    """A request from somewhere else carrying a captured Cookie header."""
    return WebClient(app, app.response_class, use_cookies=False).get(
        path, headers={"Cookie": cookie}
    )


def logged_in(client):
    """True when the client's session is logged in (the home page answers, not a redirect)."""
    resp = client.get("/")
    return resp.status_code == 200 and b'data-testid="current-user"' in resp.data


# --- passwords ---------------------------------------------------------------------------------


def test_the_common_password_list_has_the_usual_suspects_and_not_the_demo_password(ctx):
    common = common_passwords()
    assert len(common) >= 1000
    for pw in (
        "123456",
        "5201314",
        "woaini1314",
        "qq123456",
        "a123456",
        "password",
        "12345678",
        "qwerty123",
        "1qaz2wsx",
    ):
        assert pw in common
    assert "demo12345" not in common
    assert password_problem("demo12345") is None
    assert password_problem("woaini1314") and password_problem("QQ123456")  # any case
    assert password_problem("short7!") and password_problem("x" * 257)
    assert password_problem("m1-secret", username="M1-SECRET")
    assert password_problem(PASSWORD) is None


def test_users_create_refuses_a_common_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "zs",
            "--password",
            "woaini1314",
            "--role",
            "member",
            "--name",
            "张三",
        ]
    )
    assert result.exit_code != 0 and "常见" in result.output
    assert db.session.scalar(select(User).where(User.username == "zs")) is None
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "zs",
            "--password",
            "demo12345",
            "--role",
            "member",
            "--name",
            "张三",
        ]
    )
    assert result.exit_code == 0, result.output


def test_users_import_names_the_line_with_a_common_password_and_imports_nothing(runner, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        "username,name,role,password\nu1,甲,member,Good-pass-1\n"
        "u2,乙,member,qq123456\nu3,丙,member,Good-pass-3\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0
    assert "第 3 行" in result.output and "常见" in result.output
    assert "第 2 行" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_admin_pages_refuse_a_common_password(world, web):
    admin = web(world.admin)
    resp = admin.post(
        "/admin/users/new",
        data={"username": "newbie", "name": "新人", "role": "member", "password": "5201314520"},
    )
    assert resp.status_code == 400 and "常见".encode() in resp.data
    assert db.session.scalar(select(User).where(User.username == "newbie")) is None
    before = db.session.get(User, world.member.id).password_hash
    resp = admin.post(f"/admin/users/{world.member.id}/password", data={"password": "a12345678"})
    assert resp.status_code == 400
    assert db.session.get(User, world.member.id).password_hash == before
    resp = admin.post(f"/admin/users/{world.member.id}/password", data={"password": "Fine-pass-77"})
    assert resp.status_code == 302
    assert db.session.get(User, world.member.id).check_password("Fine-pass-77")


def test_password_change_page(world, app):
    with_password(world.member)
    client = new_client(app)
    assert form_login(client, "m1").status_code == 302
    assert client.get("/account/password").status_code == 200
    for current, new, field_text in (
        ("wrong-password", "New-pass-2026", "当前密码不正确"),
        (PASSWORD, "password123", "常见"),
        (PASSWORD, "short", "至少 8 位"),
    ):
        resp = client.post(
            "/account/password",
            data={"current_password": current, "new_password": new, "confirm": new},
        )
        assert resp.status_code == 400 and field_text.encode() in resp.data
        assert db.session.get(User, world.member.id).check_password(PASSWORD)
    resp = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "New-pass-2026",
            "confirm": "New-pass-2026",
        },
    )
    assert resp.status_code == 302
    assert db.session.get(User, world.member.id).check_password("New-pass-2026")
    assert logged_in(client), "the browser that changed the password stays logged in"


# --- sessions: logout, replay, fixation, cookies -----------------------------------------------


def test_logout_revokes_the_session_and_a_replayed_cookie_is_refused(world, app):
    with_password(world.member)
    client = new_client(app)
    form_login(client, "m1")
    captured = cookie_header(client)
    assert replay(app, captured).status_code == 200  # works before the logout
    assert client.post("/logout").status_code == 302
    resp = replay(app, captured)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert db.session.scalar(select(LoginSession.revoked_at)) is not None


def test_login_issues_a_fresh_session_with_safe_cookie_flags(world, app):
    with_password(world.member)
    client = new_client(app)
    client.post("/lang/zh_CN", data={"next": "/login"})  # an anonymous session cookie
    before = cookie_header(client)
    resp = form_login(client, "m1")
    cookies = resp.headers.getlist("Set-Cookie")  # the session's and the device cookie
    assert any(c.startswith("session=") for c in cookies)
    for set_cookie in cookies:
        assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        assert "Secure" not in set_cookie  # only in production
    assert cookie_header(client) != before
    # the pre-login cookie is not a logged-in session
    resp = replay(app, before)
    assert resp.status_code == 302
    assert logged_in(client)


def test_production_cookies_are_secure(tmp_path):
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "p.db"),
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_password_change_revokes_every_other_session_and_token(world, app, api):
    with_password(world.member)
    other_browser = new_client(app)
    form_login(other_browser, "m1")
    old_cookie = cookie_header(other_browser)
    token = token_login(app.test_client(), "m1").get_json()["token"]
    assert (
        app.test_client()
        .get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    )
    changer = new_client(app)
    form_login(changer, "m1")
    resp = changer.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "New-pass-2026",
            "confirm": "New-pass-2026",
        },
    )
    assert resp.status_code == 302
    assert not logged_in(other_browser)
    assert replay(app, old_cookie).status_code == 302
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert logged_in(changer)


@pytest.mark.parametrize("how", ["disable", "edit", "reset"])
def test_disabling_or_resetting_an_account_revokes_its_sessions_and_tokens(world, app, web, how):
    with_password(world.member)
    browser = new_client(app)
    form_login(browser, "m1")
    token = token_login(app.test_client(), "m1").get_json()["token"]
    admin = web(world.admin)
    if how == "disable":
        assert (
            admin.post(f"/admin/users/{world.member.id}/active", data={"active": "0"}).status_code
            == 302
        )
        assert (
            admin.post(f"/admin/users/{world.member.id}/active", data={"active": "1"}).status_code
            == 302
        )
    elif how == "edit":
        resp = admin.post(
            f"/admin/users/{world.member.id}/edit",
            data={
                "name": "张委员",
                "role": "member",
                "department": "",
                "email": "",
                "phone": "",
                "org_type": "",
                "sector": "",
            },
        )  # the "active" box unticked
        assert resp.status_code == 302
        assert db.session.get(User, world.member.id).active is False
        db.session.get(User, world.member.id).active = True
        db.session.commit()
    else:
        assert (
            admin.post(
                f"/admin/users/{world.member.id}/password", data={"password": "Fresh-pass-2026"}
            ).status_code
            == 302
        )
    # even with the account enabled again, the old session and token stay dead
    assert not logged_in(browser)
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def test_idle_and_absolute_timeouts(world, app):
    with_password(world.member)
    client = new_client(app)
    form_login(client, "m1")
    record = db.session.scalar(select(LoginSession))
    assert logged_in(client)
    # used 29 minutes ago: still fine, and the use is recorded
    record.last_seen_at = now() - timedelta(minutes=29)
    db.session.commit()
    assert logged_in(client)
    db.session.refresh(record)
    assert now() - record.last_seen_at < timedelta(minutes=1)
    # idle for 31 minutes: out
    record.last_seen_at = now() - timedelta(minutes=31)
    db.session.commit()
    assert not logged_in(client)

    client = new_client(app)
    form_login(client, "m1")
    record = db.session.scalars(select(LoginSession).order_by(LoginSession.id.desc())).first()
    record.created_at = now() - timedelta(hours=11, minutes=50)
    db.session.commit()
    assert logged_in(client)
    record.created_at = now() - timedelta(hours=12, minutes=1)
    db.session.commit()
    assert not logged_in(client), "active all along, but past the absolute timeout"


def test_api_tokens_expire_after_their_lifetime(world, app):
    with_password(world.member)
    token = token_login(app.test_client(), "m1").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    row = db.session.scalar(select(ApiToken))
    row.created_at = now() - timedelta(days=29)
    db.session.commit()
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    row.created_at = now() - timedelta(days=30, minutes=1)
    db.session.commit()
    resp = app.test_client().get("/api/v1/me", headers=headers)
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthenticated"


def test_api_logout_revokes_the_token(world, app):
    with_password(world.member)
    token = token_login(app.test_client(), "m1").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401


# --- login rate limits -------------------------------------------------------------------------


def test_web_login_is_limited_per_account(world, app, limits_on):
    with_password(world.member)
    client = new_client(app)
    for _ in range(3):
        resp = form_login(client, "m1", "wrong-password")
        assert resp.status_code == 200 and "用户名或密码错误".encode() in resp.data
    # the right password no longer helps: the account is locked for the window
    resp = form_login(client, "m1")
    assert resp.status_code == 429
    assert "登录尝试过于频繁".encode() in resp.data and int(resp.headers["Retry-After"]) > 0
    assert not logged_in(client)
    # from another address too (it is the account that is limited)
    resp = form_login(new_client(app), "m1", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert resp.status_code == 429
    # another account from the first address still logs in
    with_password(world.member2)
    assert form_login(client, "m2").status_code == 302


def test_api_login_is_limited_per_address_and_success_does_not_reset(world, app, limits_on):
    with_password(world.member)
    client = app.test_client()
    for name in ("x1", "x2"):
        assert token_login(client, name, "nope-nope").status_code == 401
    assert token_login(client, "m1").status_code == 200  # a success in between …
    for name in ("x3", "x4", "x5"):
        assert token_login(client, name, "nope-nope").status_code == 401
    # … did not reset the address's count of failures (a client without m1's device cookie)
    resp = token_login(app.test_client(), "m1")
    assert resp.status_code == 429
    error = resp.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"]
    assert "Retry-After" in resp.headers
    # the web form shares the counters
    assert form_login(new_client(app), "m1").status_code == 429
    # another address is not affected
    other = token_login(app.test_client(), "m1", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200
    # the client that signed in to m1 holds its device cookie: the address's limit does not
    # hold it back (security/limiter.py)
    assert token_login(client, "m1").status_code == 200
    kinds = db.session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("rate_limited") == 2 and kinds.count("login_failed") == 5


def test_the_limits_are_off_in_the_shared_test_app(world, app):
    client = app.test_client()
    for _ in range(12):
        assert token_login(client, "m1", "nope-nope").status_code == 401


@pytest.mark.services
def test_redis_storage_shares_the_counts_between_workers(world, app, tmp_path):
    """Two app instances (two gunicorn workers) on one Redis: failures counted by one are
    refused by the other."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (scripts/test.sh installs it)")
    from ..infra import Redis

    redis = Redis(str(tmp_path)).start()
    try:
        with_password(world.member)
        db.session.close()
        config = {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": redis.url,
            "LOGIN_RATE_LIMIT_ACCOUNT": "2 per 15 minutes",
            "LOGIN_RATE_LIMIT_ADDRESS": "50 per 15 minutes",
        }
        worker1, worker2 = create_app(config), create_app(config)
        assert worker1.config["RATELIMIT_STORAGE_URI"] == redis.url
        for _ in range(2):
            assert token_login(worker1.test_client(), "m1", "nope-nope").status_code == 401
        resp = token_login(worker2.test_client(), "m1")
        assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "rate_limited"
        assert int(redis.command("DBSIZE").lstrip(":")) > 0
        for worker in (worker1, worker2):
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()
    finally:
        redis.stop()


def test_logins_still_work_and_are_limited_when_redis_is_down(world, app, tmp_path):
    from ..infra import free_port

    with_password(world.member)
    db.session.close()
    worker = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nobody there
            "LOGIN_RATE_LIMIT_ACCOUNT": "2 per 15 minutes",
            # the client signs in first, so its failures count on its device cookie
            "LOGIN_RATE_LIMIT_DEVICE": "2 per 15 minutes",
        }
    )
    client = worker.test_client()
    assert token_login(client, "m1").status_code == 200
    for _ in range(2):
        assert token_login(client, "m1", "nope-nope").status_code == 401
    assert token_login(client, "m1").status_code == 429
    with worker.app_context():
        db.session.remove()
        db.engine.dispose()
