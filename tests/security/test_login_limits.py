"""Login limits that every worker shares and that an attacker cannot turn into a lock-out.

Without Redis the failed logins are counted in the database, so two app instances on one
database (two gunicorn workers) see the same counts. A browser or API client that signed in to
an account holds a signed device cookie for it: its attempts are counted on that device alone,
so an attacker who spends the account's allowance for unknown clients does not lock the owner
out (OWASP, "Slow Down Online Guessing Attacks with Device Cookies")."""

import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import text

from proposals import create_app
from proposals.extensions import db

from ..conftest import FAST_HASH
from .helpers import PASSWORD, form_login, token_login, with_password

OFFICE = {"REMOTE_ADDR": "10.20.30.40"}  # an office behind one NAT address
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture()
def workers(app, world):
    """make(**config) -> two app instances on the suite's database (two gunicorn workers),
    limits on, no Redis; the people of ``world`` with passwords."""
    for user in (world.member, world.member2, world.admin):
        with_password(user)
    db.session.close()  # no transaction of the test's may hold SQLite's write lock
    made = []

    def make(**config):
        settings = {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": None,
            **config,
        }
        pair = create_app(settings), create_app(settings)
        made.extend(pair)
        return pair

    yield make
    for worker in made:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


def rows(sql, **params):
    """Rows of the suite's database, read without holding a transaction open."""
    try:
        return db.session.execute(text(sql), params).all()
    finally:
        db.session.close()


def signed_in(client):
    resp = client.get("/")
    return resp.status_code == 200 and b'data-testid="current-user"' in resp.data


def device_cookie(resp):
    """The Set-Cookie header of the device cookie in ``resp`` (the one that is not the
    session's)."""
    found = [c for c in resp.headers.getlist("Set-Cookie") if not c.startswith("session=")]
    assert len(found) == 1, resp.headers.getlist("Set-Cookie")
    return found[0]


def name_and_value(set_cookie):
    return set_cookie.split(";", 1)[0].split("=", 1)


def device_cookie_name(client):
    names = [c.key for c in client._cookies.values() if c.key != "session"]
    assert len(names) == 1, names
    return names[0]


def owner_browser(worker, username="m1"):
    """A browser that signed in to ``username`` before and logged out again: it keeps the
    device cookie, nothing else that logs it in."""
    browser = worker.test_client()
    assert form_login(browser, username).status_code == 302
    assert browser.post("/logout").status_code == 302
    assert not signed_in(browser)
    return browser


def attack(workers, username, times, environ=ELSEWHERE, password="nope-nope"):
    """``times`` wrong passwords for ``username``, each from a fresh client (no cookies), on
    the workers in turn."""
    for n in range(times):
        worker = workers[n % len(workers)]
        resp = token_login(worker.test_client(), username, password, environ_base=environ)
        assert resp.status_code == 401, resp.get_json()


# --- the limits hold across workers ------------------------------------------------------


def test_the_account_limit_holds_across_two_workers(workers):
    w1, w2 = workers()
    assert w1.config["LOGIN_RATE_LIMIT_ACCOUNT"] == "10 per 15 minutes"  # the documented one
    for n in range(10):  # alternating workers and addresses: only the account is common
        worker = (w1, w2)[n % 2]
        resp = token_login(
            worker.test_client(), "m1", "nope-nope", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
        assert resp.status_code == 401
    for worker in (w1, w2):  # the 11th is refused on either, right password or not
        resp = token_login(worker.test_client(), "m1")
        assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "rate_limited"
        assert 0 < int(resp.headers["Retry-After"]) <= 15 * 60
        resp = form_login(worker.test_client(), "m1")
        assert resp.status_code == 429 and "登录尝试过于频繁".encode() in resp.data
        assert 0 < int(resp.headers["Retry-After"]) <= 15 * 60
    assert token_login(w2.test_client(), "m2").status_code == 200  # other accounts are not held


def test_the_address_limit_holds_across_two_workers(workers):
    w1, w2 = workers()
    assert w1.config["LOGIN_RATE_LIMIT_ADDRESS"] == "30 per 15 minutes"
    for n in range(30):  # thirty different usernames from one address
        worker = (w1, w2)[n % 2]
        resp = token_login(worker.test_client(), f"guess{n}", "nope-nope", environ_base=OFFICE)
        assert resp.status_code == 401
    for worker in (w1, w2):
        assert token_login(worker.test_client(), "m1", environ_base=OFFICE).status_code == 429
        assert form_login(worker.test_client(), "m2", environ_base=OFFICE).status_code == 429
    assert token_login(w1.test_client(), "m1", environ_base=ELSEWHERE).status_code == 200


def test_failures_are_stored_hashed_and_old_ones_are_pruned(workers):
    w1, w2 = workers()
    typed = "Tiger-lily-2026-typed-as-username"
    token_login(w1.test_client(), typed, "nope-nope", environ_base=OFFICE)
    token_login(w1.test_client(), "m1", "nope-nope", environ_base=OFFICE)
    found = rows("SELECT scope, key_hash FROM login_failures")
    assert sorted(scope for scope, _ in found) == ["account", "account", "address", "address"]
    for _scope, key in found:
        assert len(key) == 64 and typed.lower() not in key and key != "m1"
    # a failure older than every window goes when a failure is recorded (each process prunes
    # at most once a minute)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2)
    try:
        db.session.execute(
            text(
                "INSERT INTO login_failures (scope, key_hash, created_at) "
                "VALUES ('account', :k, :t)"
            ),
            {"k": "0" * 64, "t": old},
        )
        db.session.commit()
    finally:
        db.session.close()
    token_login(w1.test_client(), "m2", "nope-nope")  # w1 pruned at its first failure …
    assert len(rows("SELECT 1 FROM login_failures WHERE key_hash = :k", k="0" * 64)) == 1
    token_login(w2.test_client(), "m2", "nope-nope")  # … w2 has not yet: it does now
    assert rows("SELECT 1 FROM login_failures WHERE key_hash = :k", k="0" * 64) == []
    assert len(rows("SELECT 1 FROM login_failures")) == 8


# --- the owner's browser is not locked out --------------------------------------------------


def test_the_owners_browser_still_signs_in_after_an_attack_on_the_account(workers):
    w1, w2 = workers()
    owner = owner_browser(w1)
    attack((w1, w2), "m1", 10)
    stranger = w1.test_client()
    resp = form_login(stranger, "m1")  # the right password, from a client never seen
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert not signed_in(stranger)
    # the owner's browser, on either worker, from any address
    resp = form_login(owner, "m1", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert resp.status_code == 302 and signed_in(owner)


def test_the_admin_is_not_locked_out_either(workers):
    w1, w2 = workers()
    admin = owner_browser(w2, "admin")
    attack((w1, w2), "admin", 10)
    for worker in (w1, w2):
        assert token_login(worker.test_client(), "admin").status_code == 429
    assert form_login(admin, "admin").status_code == 302 and signed_in(admin)


def test_a_trusted_browser_is_not_held_by_the_limit_of_its_shared_address(workers):
    """An office NAT: thirty failures by others on the office's address refuse unknown
    clients there, not the browsers that signed in to their own account before."""
    w1, w2 = workers()
    owner = owner_browser(w1)
    for n in range(30):
        token_login(w2.test_client(), f"guess{n}", "nope-nope", environ_base=OFFICE)
    assert form_login(w1.test_client(), "m1", environ_base=OFFICE).status_code == 429
    assert form_login(owner, "m1", environ_base=OFFICE).status_code == 302


def test_the_device_cookie_is_signed_long_lived_and_safe(workers, app):
    w1, _w2 = workers()
    resp = form_login(w1.test_client(), "m1")
    cookie = device_cookie(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # only in production
    max_age = int(cookie.split("Max-Age=", 1)[1].split(";")[0])
    assert max_age == w1.config["DEVICE_COOKIE_MAX_AGE"] >= 365 * 86400 - 1
    name, value = name_and_value(cookie)
    # signed with the app's SECRET_KEY (itsdangerous): the username, lower-case, and a nonce
    assert PASSWORD not in value
    other = owner_browser(w1)
    other_value = other.get_cookie(name).value
    assert other_value != value  # a fresh nonce for each sign-in
    # the device cookie alone is not a login
    thief = w1.test_client()
    thief.set_cookie(name, value)
    assert not signed_in(thief)
    assert (
        w1.test_client().get("/api/v1/me", headers={"Cookie": f"{name}={value}"}).status_code == 401
    )


def test_the_device_cookie_is_secure_in_production(tmp_path):
    prod = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "p.db"),
        }
    )
    assert prod.config["DEVICE_COOKIE_SECURE"] is True
    assert prod.config["DEVICE_COOKIE_MAX_AGE"] >= 365 * 86400 - 1


# --- a device's own allowance; no extra allowance from a copied, forged or other cookie ------


def test_a_device_has_an_allowance_of_its_own_and_a_copy_shares_it(workers):
    w1, w2 = workers(LOGIN_RATE_LIMIT_DEVICE="3 per 15 minutes")
    owner = owner_browser(w1)
    name = device_cookie_name(owner)
    copy = w2.test_client()  # the cookie stolen and replayed elsewhere
    copy.set_cookie(name, owner.get_cookie(name).value)
    assert form_login(owner, "m1", "nope-nope").status_code == 200
    assert token_login(copy, "m1", "nope-nope", environ_base=ELSEWHERE).status_code == 401
    assert form_login(owner, "m1", "nope-nope").status_code == 200
    # the device is locked out until its failures leave the window, wherever the cookie is
    resp = form_login(owner, "m1")
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert token_login(copy, "m1").status_code == 429
    # the device's failures are its own: unknown clients still have the account's allowance
    assert token_login(w2.test_client(), "m1").status_code == 200


def test_forged_expired_and_other_account_cookies_give_no_extra_allowance(workers, monkeypatch):
    w1, w2 = workers()
    owner = owner_browser(w1)
    name = device_cookie_name(owner)
    genuine = owner.get_cookie(name).value

    # signed by someone who does not know the SECRET_KEY
    forged = URLSafeTimedSerializer("not-the-key").dumps({"username": "m1", "nonce": "x"})
    # the genuine cookie with its payload changed
    payload, rest = genuine.split(".", 1)
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    # a cookie of this server, older than DEVICE_COOKIE_MAX_AGE
    with monkeypatch.context() as patch:
        year_ago = int(time.time()) - w1.config["DEVICE_COOKIE_MAX_AGE"] - 3600
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: year_ago)
        expired_browser = owner_browser(w2)
    expired = expired_browser.get_cookie(name).value
    # a genuine cookie of another account
    other_account = owner_browser(w2, "m2").get_cookie(name).value

    attack((w1, w2), "m1", 10)
    for value in (forged, tampered, expired, other_account, "garbage"):
        client = w1.test_client()
        client.set_cookie(name, value)
        resp = token_login(client, "m1")
        assert resp.status_code == 429, value
        resp = form_login(client, "m1")
        assert resp.status_code == 429, value
    assert form_login(owner, "m1").status_code == 302  # the genuine one still works


# --- the API's token endpoint ---------------------------------------------------------------


def test_the_api_token_endpoint_sets_and_honours_the_device_cookie(workers):
    w1, w2 = workers()
    phone = w1.test_client()  # the mobile app's HTTP client keeps cookies
    resp = token_login(phone, "m1")
    assert resp.status_code == 200 and resp.get_json()["token"]
    cookie = device_cookie(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    attack((w1, w2), "m1", 10)
    resp = token_login(w2.test_client(), "m1")
    assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "rate_limited"
    assert int(resp.headers["Retry-After"]) > 0
    resp = token_login(phone, "m1")
    assert resp.status_code == 200 and resp.get_json()["token"]
    # one cookie for the web and the API: the phone's cookie serves the login form as well
    assert form_login(phone, "m1").status_code == 302


def test_the_api_device_allowance_is_limited_too(workers):
    w1, w2 = workers(LOGIN_RATE_LIMIT_DEVICE="2 per 15 minutes")
    phone = w1.test_client()
    assert token_login(phone, "m1").status_code == 200
    for _ in range(2):
        assert token_login(phone, "m1", "nope-nope").status_code == 401
    resp = token_login(phone, "m1")
    assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "rate_limited"


# --- Redis, when configured, holds the counts -----------------------------------------------


@pytest.mark.services
def test_with_redis_the_counts_and_the_devices_go_to_redis(workers, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (scripts/test.sh installs it)")
    from ..infra import Redis

    redis = Redis(str(tmp_path)).start()
    try:
        w1, w2 = workers(REDIS_URL=redis.url, LOGIN_RATE_LIMIT_DEVICE="2 per 15 minutes")
        owner = owner_browser(w1)
        attack((w1, w2), "m1", 10)
        assert token_login(w1.test_client(), "m1").status_code == 429
        assert int(redis.command("DBSIZE").lstrip(":")) > 0
        assert rows("SELECT 1 FROM login_failures") == []  # nothing in the database
        assert form_login(owner, "m1", "nope-nope").status_code == 200
        assert form_login(owner, "m1", "nope-nope").status_code == 200
        assert form_login(owner, "m1").status_code == 429  # the device's own, in Redis
        assert rows("SELECT 1 FROM login_failures") == []
    finally:
        redis.stop()


# --- two real gunicorn workers on one SQLite file -----------------------------------------------


@pytest.mark.slow
@pytest.mark.one_database("sqlite")
def test_two_gunicorn_workers_on_sqlite_share_the_account_limit(tmp_path):
    """An unknown username is limited like an account (it might be one)."""
    import json
    import urllib.error
    import urllib.request

    from flask_migrate import upgrade

    from ..infra import ROOT, Service, child_env, free_port, wait_until

    url = f"sqlite:///{tmp_path / 'workers.db'}"
    setup = create_app({"ENV": "testing", "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": url})
    with setup.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()

    def login(password):
        req = urllib.request.Request(
            base + "/api/v1/auth/token",
            data=json.dumps({"username": "nobody", "password": password}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (loopback)
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Service(
        "gunicorn",
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        str(tmp_path),
        env=child_env(DATABASE_URL=url, SECRET_KEY="s"),
        cwd=ROOT,
    ).start()
    try:
        wait_until(lambda: _healthy(base), 60, 0.2, "gunicorn to answer", server.diagnostics)
        # several at a time, each busy with the full password hash (an unknown username costs
        # as much as a wrong password: 600,000 iterations), so that both workers take some
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(login, [f"nope-{n}" for n in range(10)])) == [401] * 10
            assert list(pool.map(login, [f"nope-{n}" for n in range(20)])) == [429] * 20
    finally:
        server.stop()


def _healthy(base):
    import urllib.request

    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:  # noqa: S310
            return resp.status == 200
    except OSError:
        return False
