"""Fixtures: an app on a migrated database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is
set), a clean database per test, factories that go through the operations, and an API client."""

import os
import tempfile
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import count

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, event, insert, make_url, text

from proposals import create_app
from proposals.accounts.models import ApiToken, Department, User
from proposals.cli.committee import create_session
from proposals.extensions import db
from proposals.security.sessions import create_session_record

SEED_TABLES = ("categories", "not_filed_reasons", "alembic_version")
FAST_HASH = "pbkdf2:sha256:1000"  # tests only; production uses 600,000 iterations


def database_url(tmp_dir):
    """The SQLite file of this test process, or TEST_DATABASE_URL; under pytest-xdist each
    worker gets a PostgreSQL database of its own (the name with the worker's id), made here."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(tmp_dir, "test.db")
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and url.startswith("postgresql"):
        url = make_url(url)
        name = f"{url.database}_{worker}"
        server = create_engine(url, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            if (
                conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                is None
            ):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        server.dispose()
        url = url.set(database=name).render_as_string(hide_password=False)
    return url


@pytest.fixture(scope="session")
def app():
    tmp = tempfile.mkdtemp(prefix="proposals-test-")
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp),
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "WTF_CSRF_ENABLED": False,
            # files a test writes stay out of the checkout's instance/ folder
            "ATTACHMENTS_DIR": os.path.join(tmp, "attachments"),
            "BACKUP_DIR": os.path.join(tmp, "backups"),
            "EXPORTS_DIR": os.path.join(tmp, "exports"),
            "DEMO_PASSWORD_FILE": os.path.join(tmp, "demo_password"),
            # the login rate limits are tested in tests/security/test_authentication.py
            "LOGIN_RATE_LIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            downgrade(revision="base")  # a reused test database starts from nothing
        upgrade()
        db.session.remove()
    yield app


def wipe():
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in SEED_TABLES]
    # DELETE beats TRUNCATE on the few rows a test leaves (ids are never assumed); PostgreSQL
    # takes them all in one round trip (several statements without parameters), SQLite's
    # driver one at a time
    if db.engine.dialect.name == "postgresql":
        db.session.connection().exec_driver_sql(
            "; ".join(f'DELETE FROM "{table.name}"' for table in tables)
        )
    else:
        for table in tables:
            db.session.execute(table.delete())
    # reference rows a test added go; the migration's seeds stay, active
    db.session.execute(
        text(
            "DELETE FROM categories WHERE code NOT IN ('economy', 'politics', "
            "'culture', 'society', 'ecology')"
        )
    )
    db.session.execute(
        text(
            "DELETE FROM not_filed_reasons WHERE code NOT IN ('state_secret', 'prohibited', "
            "'party_internal', 'democratic_party_internal', 'litigation', 'academic', 'personal', "
            "'promotion', 'accusation', 'no_suggestion', 'out_of_remit', 'other')"
        )
    )
    db.session.execute(text("UPDATE categories SET active = TRUE"))
    db.session.execute(text("UPDATE not_filed_reasons SET active = TRUE"))
    db.session.commit()


@contextmanager
def database_at(tmp_path, revision, **config):
    """A SQLite database migrated up to ``revision`` only, in its app's context, holding a
    member (id 1) and the 2025 session (id 1): the connection and the tables as they were
    then, for a migration test to fill before it upgrades."""
    from flask_migrate import upgrade

    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
            "PASSWORD_HASH_METHOD": FAST_HASH,
            **config,
        }
    )
    with app.app_context():
        upgrade(revision=revision)
        conn = db.session.connection()
        then = MetaData()
        then.reflect(bind=conn)
        tables = then.tables
        conn.execute(
            insert(tables["users"]),
            {
                "id": 1,
                "username": "u",
                "name": "u",
                "role": "member",
                "password_hash": "!",
                "active": True,
                "created_at": datetime(2025, 1, 2, 2),
            },
        )
        conn.execute(
            insert(tables["committee_sessions"]),
            {
                "id": 1,
                "term": 1,
                "meeting": 1,
                "year": 2025,
                "plenary_start": date(2025, 1, 10),
                "plenary_end": date(2025, 1, 14),
                "is_current": True,
            },
        )
        try:
            yield conn, tables
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture()
def ctx(app):
    """An app context over an empty database (reference seeds kept)."""
    with app.app_context():
        wipe()
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def runner(app, ctx):
    return app.test_cli_runner()


def recorded(call):
    """``call()``'s result and the SQL statements it issued."""
    seen = []

    def before(conn, cursor, statement, *_args):
        # transaction control (SQLite's BEGIN IMMEDIATE) is not a query
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        return call(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


class Factory:
    def __init__(self):
        self.seq = count(1)

    def department(self, name=None, code=None):
        n = next(self.seq)
        d = Department(code=code or f"D{n:03d}", name=name or f"测试单位{n}")
        db.session.add(d)
        db.session.flush()
        return d

    def user(self, role="member", department=None, username=None, **kw):
        n = next(self.seq)
        u = User(
            username=username or f"{role}{n}",
            name=kw.pop("name", f"用户{n}"),
            role=role,
            department=department,
            **kw,
        )
        u.password_hash = "!"  # no password: tests authenticate with tokens
        db.session.add(u)
        db.session.flush()
        return u

    def session(self, year=None, current=True, term=10, meeting=None):
        year = year or datetime.now(UTC).year
        return create_session(
            term, meeting or next(self.seq), year, date(year, 1, 10), date(year, 1, 14), current
        )


@pytest.fixture()
def make(ctx):
    return Factory()


class ApiClient:
    """The Flask test client speaking JSON with a bearer token."""

    def __init__(self, client, user=None):
        self.client, self.token = client, None
        if user is not None:
            self.token = ApiToken.issue(user)
            db.session.commit()

    def call(self, method, path, json=None, headers=None, **kw):
        db.session.commit()  # a real request sees only committed data; the audit commits
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        resp = self.client.open("/api/v1" + path, method=method, json=json, headers=headers, **kw)
        db.session.expire_all()
        return resp

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json if json is not None else {}, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture()
def api(app, ctx):
    def as_(user=None):
        return ApiClient(app.test_client(), user)

    return as_


LONG = "具体建议：" + "加快老旧小区改造，完善配套设施，建立长效管理机制。" * 6


class World:
    """A small committee: a current session, two units with staff, members and the secretariat."""

    def __init__(self, make):
        self.make = make
        self.session = make.session()
        self.unit_a = make.department("市住房和城乡建设局", "ZJJ")
        self.unit_b = make.department("市财政局", "CZJ")
        self.unit_c = make.department("市教育局", "JYJ")
        self.secretariat = make.user("secretariat", username="sec")
        self.admin = make.user("admin", username="admin")
        self.member = make.user(
            "member", username="m1", name="张委员", phone="13800000001", email="m1@example.org"
        )
        self.member2 = make.user("member", username="m2", name="李委员")
        self.member3 = make.user("member", username="m3", name="王委员")
        self.org = make.user("member", username="org1", name="民盟市委", org_type="party")
        self.clerk_a = make.user("clerk", self.unit_a, username="clerk_a")
        self.head_a = make.user("department_head", self.unit_a, username="head_a")
        self.clerk_b = make.user("clerk", self.unit_b, username="clerk_b")
        self.head_b = make.user("department_head", self.unit_b, username="head_b")
        self.clerk_c = make.user("clerk", self.unit_c, username="clerk_c")
        db.session.commit()

    def content(self, **kw):
        data = {
            "title": "关于加快老旧小区改造的建议",
            "category": "society",
            "analysis": "情况分析：" + "我市老旧小区数量多、设施老化。" * 3,
            "suggestions": LONG,
        }
        data.update(kw)
        return data


@pytest.fixture()
def world(make):
    return World(make)


class WebClient(FlaskClient):
    """The tests hold an app context that requests reuse: forget the logged-in user that
    Flask-Login caches on ``g`` so that each client is its own person."""

    def open(self, *args, **kwargs):
        db.session.commit()  # a real request sees only committed data; the audit commits
        g.pop("_login_user", None)
        try:
            return super().open(*args, **kwargs)
        finally:
            g.pop("_login_user", None)
            db.session.expire_all()


@pytest.fixture()
def web(app, ctx):
    """A logged-in browser-like test client: web(user) (CSRF is off in these tests)."""

    def as_(user=None):
        client = WebClient(app, app.response_class, use_cookies=True)
        return log_in(client, user) if user is not None else client

    return as_


def log_in(client, user):
    """``client`` logged in as ``user`` through a server-side login session."""
    sid, _record = create_session_record(user)
    db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
        sess["sid"] = sid
    return client


# The slow kinds of test, left out of the fast lane (scripts/test.sh --fast): each starts a
# browser or another process, or waits for one.
MARKERS = {
    "browser": "drives headless Chromium against a live server",
    "services": "starts real services (Redis, Celery worker and beat, an SMTP server, gunicorn)",
    "crash": "kills a server process in the middle of an action",
    "benchmark": "runs the benchmark harness",
    "slow": "sweeps the whole application (every route for every person, the demo year, the "
    "API against its description, random action sequences)",
}


def pytest_terminal_summary(terminalreporter):
    from .chromium import screenshots_taken

    folder = screenshots_taken()
    if folder:
        count = len([f for f in os.listdir(folder) if f.endswith(".png")])
        terminalreporter.write_line(f"Screenshots ({count}) of the key pages: {folder}")


def pytest_configure(config):
    for name, what in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")
    config.addinivalue_line(
        "markers",
        "one_database(pass='sqlite'): what the test checks does not depend on the "
        "database (a harness, an evaluation, a page crawl, a browser): it runs in one pass of "
        "scripts/test.sh only, the SQLite one unless 'postgresql' is given, which keeps the two "
        "passes balanced and well inside the time budget",
    )


# The long tests (a browser, real services, a crawl of the whole app, a benchmark) start first:
# spread over the workers from the beginning, they do not leave one worker finishing a long
# test alone at the end of a pass.
LONG_FIRST = ("browser", "services", "benchmark", "slow", "crash")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in LONG_FIRST))
    current = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    for item in items:
        marker = item.get_closest_marker("one_database")
        if marker is None:
            continue
        wanted = marker.args[0] if marker.args else "sqlite"
        if wanted != current:
            item.add_marker(
                pytest.mark.skip(reason=f"database-independent: runs in the {wanted} pass")
            )
