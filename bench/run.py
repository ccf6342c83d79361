"""The benchmark: generate a committee of a chosen size, measure it on each database, check
the targets, print a table and, as the last line, one JSON object with every figure.

    python bench/run.py --size national --db both [--quick]    (bench/run.sh sets things up)

docs/performance.md describes the sizes, the targets and how to read the results. PostgreSQL
comes from BENCH_PG_URL (a server where the benchmark may create its database).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
VENV_BIN = os.path.dirname(sys.executable)
PASSWORD = "bench-password"
BENCH_SECRET = "bench-secret"  # the app's SECRET_KEY under the benchmark
LOCAL = timezone(timedelta(hours=8))

from bench.generate import SIZES  # noqa: E402

# figure: (comparison, limit), "<" under, "≤" at most, "=" exactly; checked at every size
TARGETS = {
    "stats_agree": ("=", True),
    "bare_same_sql": ("=", True),
    "list_page_p99_ms": ("<", 150),
    "list_api_p99_ms": ("<", 150),
    "max_queries": ("≤", 10),
    "queries_constant": ("=", True),
    "sweep_s": ("<", 1.0),
    "web_worker_rss_mb": ("<", 150),
    "celery_worker_rss_mb": ("<", 150),
    "xlsx_rss_ratio": ("≤", 1.2),
    "search_ms": ("<", 50),
    "burst_deliver_s": ("<", 300),  # a plenary day's 1,000 assignments told within minutes
}
# the annual statistics, computed directly, from a national committee's decade on: at most 1.5×
# the hand-written statement and under a ceiling (ms) that grows with the size; below, a
# county's figures are printed without a target
STATS_CEILINGS = ((SIZES["stress"], 1500), (SIZES["national"], 250))


def targets(size):
    """The targets a run at ``size`` proposals is held to."""
    out = dict(TARGETS)
    for at_least, ceiling_ms in STATS_CEILINGS:
        if size >= at_least:
            out.update(stats_ratio=("≤", 1.5), stats_api_ms=("<", ceiling_ms))
            break
    return out


def met(value, target):
    how, limit = target
    return value < limit if how == "<" else value <= limit if how == "≤" else value == limit


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def read(path):
    with open(path) as f:
        return f.read()


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


# ------------------------------------------------------------------ databases


def prepare_database(kind, workdir, pg_url, size, reuse=False):
    """The database's URL, and whether it already holds a generated committee of ``size``
    (with ``reuse``: kept from an earlier run with the same --workdir; not regenerated)."""
    if kind == "sqlite":
        path = os.path.join(workdir, f"bench-{size}.db")
        if reuse and os.path.exists(path) and has_data(path, "sqlite:///" + path):
            return "sqlite:///" + path, True
        if os.path.exists(path):
            os.unlink(path)
        return "sqlite:///" + path, False
    import psycopg

    base = pg_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"proposals_bench_{size}"
    url = "postgresql+psycopg://" + base.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if reuse and exists and has_data(name, url):
            return url, True
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url, False


def settle(url):
    """VACUUM ANALYZE once more, as autovacuum does on a live server: the generator's own
    VACUUM can leave the proposals' visibility map unset (relallvisible 0), which rules out
    index-only scans for the list's count, for the app and the bare baseline alike."""
    import psycopg

    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute("VACUUM ANALYZE")


def has_data(_label, url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (conn.execute(text("SELECT COUNT(*) FROM proposals")).scalar() or 0) > 0
    except Exception:  # no table yet: an interrupted generation
        return False
    finally:
        engine.dispose()


def hand_statement(dialect, year, today, which="full"):
    """The hand-written statement for ``dialect`` and its parameters, for ``year`` as of the
    end of ``today``: "full" is bench/sql/annual.sql (every figure the API takes from the
    database; bench/reference.py), "core" bench/sql/annual_core.sql (17 core figures, one row)."""
    from sqlalchemy import text

    if which == "full":
        from bench.reference import statement

        return statement(dialect, year=year, as_of=today)
    with open(os.path.join(HERE, "sql", "annual_core.sql")) as f:
        sql = f.read()
    sql = sql.replace(
        "{due_end}",
        "datetime(r.due_on, '+16 hours')"
        if dialect == "sqlite"
        else "(r.due_on + INTERVAL '16 hours')",
    )
    start, end = year_bounds(year)
    as_of_end = (
        datetime.combine(today + timedelta(days=1), dtime(), tzinfo=LOCAL)
        .astimezone(UTC)
        .replace(tzinfo=None)
    )
    params = {"year_start": start, "year_end": end, "as_of_end": as_of_end}
    if dialect == "sqlite":
        params = {k: v.strftime("%Y-%m-%d %H:%M:%S.%f") for k, v in params.items()}
    return text(sql), params


CORE_KEYS = (
    "received",
    "filed",
    "merged",
    "not_filed",
    "withdrawn",
    "pending_review",
    "assignment_items",
    "replied_items",
    "replies_delivered",
    "replies_on_time",
    "replied_proposals",
)


def core_differences(api, row):
    """The figures of bench/sql/annual_core.sql's row that the API answers differently."""
    mine = {k: api[k] for k in CORE_KEYS}
    mine.update({f"result_{c.lower()}": api["results"][c] for c in "ABC"})
    mine.update(
        {k: api["satisfaction"][k] for k in ("satisfied", "basically_satisfied", "unsatisfied")}
    )
    return {k: (v, int(row[k] or 0)) for k, v in mine.items() if v != int(row[k] or 0)}


def time_stats(engine, api_call, runs, year, today):
    """The API, the full statement and the core one, alternated run by run so that all three
    see the same load: their medians (ms), and the full statement's figures and the core row.
    """
    from bench.reference import result_codes, to_figures

    dialect = engine.dialect.name
    full, full_params = hand_statement(dialect, year, today)
    core, core_params = hand_statement(dialect, year, today, "core")

    def run_full():
        with engine.connect() as conn:
            return conn.execute(full, full_params).all()

    def run_core():
        with engine.connect() as conn:
            return conn.execute(core, core_params).mappings().one()

    with engine.connect() as conn:
        codes = result_codes(conn)
    ref = to_figures(run_full(), codes, year)  # also the warm-up
    core_row = dict(run_core())
    times = {"api": [], "full": [], "core": []}
    for _ in range(runs):
        for name, fn in (("api", api_call), ("full", run_full), ("core", run_core)):
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    medians = {k: round(statistics.median(v), 1) for k, v in times.items()}
    return medians, ref, core_row


def year_bounds(year):
    start = datetime(year, 1, 1, tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)
    return start, end


# ------------------------------------------------------------------ in-process measurements


def make_app(url):
    """The application on ``url``, as the web workers run it (CSRF aside: the test clients
    post forms without tokens)."""
    os.environ["DATABASE_URL"] = url
    from proposals import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})


def in_process(app, quick, out, notes):
    """The annual statistics against the hand-written statement, the SQL statements per page
    and the search. Requests are made outside any application context, as under gunicorn:
    each has its own (an outer one would keep the database session and the logged-in user
    from one request to the next, and hide statements)."""
    from sqlalchemy import event, text

    from bench.reference import differences
    from proposals.extensions import db

    with app.app_context():
        engine = db.engine
        sample = db.session.execute(
            text(
                "SELECT p.id, a.id FROM proposals p JOIN assignments a ON a.proposal_id = p.id "
                "WHERE p.state = 'closed' AND a.department_id = 1 ORDER BY p.id DESC LIMIT 1"
            )
        ).one()
        db.session.remove()
    dialect = engine.dialect.name
    runs = 3 if quick else 5
    today = datetime.now(LOCAL).date()
    year = today.year - 1

    # --- annual statistics: the API against the hand-written statement computing every figure
    # it takes from the database (bench/sql/annual.sql), alternated run by run
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"username": "bench_sec", "password": PASSWORD}
    ).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/stats/annual?year={year}"
    api = client.get(path, headers=auth).get_json()  # warm-up, and the figures
    medians, ref, core_row = time_stats(
        engine, lambda: client.get(path, headers=auth), runs, year, today
    )
    out["stats_api_ms"] = medians["api"]
    out["stats_sql_ms"] = medians["full"]
    out["stats_ratio"] = round(medians["api"] / max(medians["full"], 0.1), 2)
    out["stats_core_sql_ms"] = medians["core"]
    out["stats_core_ratio"] = round(medians["api"] / max(medians["core"], 0.1), 2)
    differ = differences(api, ref)
    out["stats_agree"] = not differ
    out["stats_received"] = api["received"]
    if differ:
        notes.append(
            f"{dialect}: API and SQL differ on {len(differ)} figure(s), e.g. "
            + "; ".join(f"{k}: API {a!r}, SQL {b!r}" for k, a, b in differ[:5])
        )
    core_differ = core_differences(api, core_row)
    if core_differ:
        notes.append(f"{dialect}: API and the core SQL differ: {core_differ}")

    # --- SQL statements per page, with 1 and 50 rows
    counter = {"n": 0}

    def count(conn, cursor, statement, *_a):
        # transaction control (SQLite's BEGIN) is not a query
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            counter["n"] += 1

    ids = {"p": sample[0], "a": sample[1]}
    pages = {
        "bench_sec": [
            "/proposals?per_page={n}",
            "/assignments?per_page={n}",
            "/",
            "/notifications?page=1",
            "/stats",
            "/proposals/{p}",
            "api:/api/v1/proposals?per_page={n}",
            "api:/api/v1/proposals/{p}",
            "api:/api/v1/assignments?per_page={n}",
        ],
        "bench_member": [
            "/proposals?per_page={n}",
            "/",
            "/notifications?page=1",
            "api:/api/v1/proposals?per_page={n}",
        ],
        "bench_clerk": [
            "/proposals?per_page={n}",
            "/assignments?per_page={n}",
            "/",
            "/assignments/{a}",
            "/proposals/{p}",
            "api:/api/v1/assignments?per_page={n}",
        ],
    }
    counts = {}
    for username, paths in pages.items():
        web = app.test_client()
        web.post("/login", data={"username": username, "password": PASSWORD})
        api_client = app.test_client()
        tok = api_client.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        ).get_json()["token"]
        clients = {False: (web, {}), True: (api_client, {"Authorization": f"Bearer {tok}"})}
        for spec in paths:
            is_api = spec.startswith("api:")
            target = spec[4:] if is_api else spec
            caller, headers = clients[is_api]
            # not counted: the counts are those of a later request, as under load
            caller.get(target.format(n=1, **ids), headers=headers)
            per = []
            for n in (1, 50):
                counter["n"] = 0
                event.listen(engine, "before_cursor_execute", count)
                try:
                    r = caller.get(target.format(n=n, **ids), headers=headers)
                finally:
                    event.remove(engine, "before_cursor_execute", count)
                if r.status_code != 200:
                    notes.append(
                        f"{dialect}: {username} {target.format(n=n, **ids)} -> {r.status_code}"
                    )
                per.append(counter["n"])
                if "{n}" not in target:
                    break
            # keyed by the path with {p} and {a} for the sample's ids, which differ between
            # the databases' generated data
            counts[f"{username} {target.replace('?per_page={n}', '')}"] = per
    out["queries"] = counts
    out["max_queries"] = max(max(v) for v in counts.values())
    out["queries_constant"] = all(len(v) == 1 or v[0] == v[1] for v in counts.values())

    # --- search: the list API with q=, per word
    words = ["养老服务", "乡村振兴", "公共交通"]

    def search():
        for w in words:
            client.get(f"/api/v1/proposals?q={w}&per_page=20", headers=auth)

    search()
    out["search_ms"] = round(median_ms(search, runs) / len(words), 1)


# ------------------------------------------------------------------ the bare app's SQL


def normal(statement, parameters):
    """A statement as sent to the driver, made comparable between the app and the bare app:
    its text without runs of whitespace or the placeholders' names (PostgreSQL's %(name)s;
    their casts are kept), and its parameters' values in order, an enum as its value and a
    moment (now minus the token lifetime) left out."""
    names = re.findall(r"%\((\w+)\)s", statement)
    values = [parameters[n] for n in names] if names else list(parameters or ())
    values = [
        "<moment>"
        if isinstance(v, datetime) or re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+", str(v))
        else getattr(v, "value", v)
        for v in values
    ]  # an enum: its value
    sql = re.sub(r"%\(\w+\)s", "?", statement)
    sql = re.sub(r"\s+", " ", sql).replace("( ", "(").replace(" )", ")").strip()
    return sql, values


def statements_of(request):
    """The statements (normal()) that ``request()`` runs on any engine, and its status."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen = []

    def note(_conn, _cursor, statement, parameters, _context, _many):
        seen.append(normal(statement, parameters))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        status = request().status_code
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return seen, status


def bare_sql_differences(app, url):
    """Where the bare app's SQL (bench/bare_app.py) differs from the app's, for the
    secretariat's list page and list API: [] when both run the same statements, in the same
    order, with the same columns and parameters."""
    from bench.bare_app import make_app as make_bare_app

    bare = make_bare_app(url).test_client()
    web = app.test_client()
    web.post("/login", data={"username": "bench_sec", "password": PASSWORD})
    sid = app.session_interface.get_signing_serializer(app).loads(web.get_cookie("session").value)[
        "sid"
    ]
    bare.set_cookie("bare_sid", sid)
    api = app.test_client()
    token = api.post(
        "/api/v1/auth/token", json={"username": "bench_sec", "password": PASSWORD}
    ).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    pairs = {
        "page": (lambda: web.get("/proposals"), lambda: bare.get("/bare/proposals")),
        "API": (
            lambda: api.get("/api/v1/proposals", headers=auth),
            lambda: bare.get("/bare/api/proposals", headers=auth),
        ),
    }
    out = []
    for name, (mine, baseline) in pairs.items():
        mine()  # compared: a request after the first, as under load
        baseline()
        app_sql, app_status = statements_of(mine)
        bare_sql, bare_status = statements_of(baseline)
        if (app_status, bare_status) != (200, 200):
            out.append(f"{name}: answered {app_status} (app) and {bare_status} (bare)")
        if len(app_sql) != len(bare_sql):
            out.append(f"{name}: {len(app_sql)} statements (app), {len(bare_sql)} (bare)")
        for n, (a, b) in enumerate(zip(app_sql, bare_sql, strict=False), start=1):
            if a != b:
                out.append(f"{name}, statement {n}: app {a}; bare {b}")
    return out


def measure_sweep(app, out):
    from proposals.extensions import db
    from proposals.reminders.sweep import run_sweep

    with app.app_context():
        started = time.perf_counter()
        first = run_sweep(dispatch=lambda ids: len(ids))
        out["sweep_first_s"] = round(time.perf_counter() - started, 3)
        out["sweep_first_created"] = first["notifications_created"]
        db.session.remove()
        started = time.perf_counter()
        run_sweep(dispatch=lambda ids: len(ids))
        out["sweep_s"] = round(time.perf_counter() - started, 3)
        db.session.remove()


def measure_burst(app, quick, out):
    """A plenary day's burst: N filed proposals assigned one by one (each assignment a
    transaction of its own, as a request is, writing its events and their deliveries), then
    every delivery handed out and sent by the dispatcher, inline as the embedded loop does,
    to a real SMTP server on loopback (aiosmtpd)."""
    from aiosmtpd.controller import Controller
    from sqlalchemy import func, insert, select

    from proposals.accounts.models import Department, User
    from proposals.committee.models import Category, CommitteeSession
    from proposals.extensions import db
    from proposals.notifications.dispatch import dispatch_due
    from proposals.notifications.models import Delivery
    from proposals.workflow import operations as ops
    from proposals.workflow.models import Proposal

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 OK"

    n = 100 if quick else 1000
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        with app.app_context():
            session = db.session.scalar(
                select(CommitteeSession).order_by(CommitteeSession.year.desc()).limit(1)
            )
            sec = db.session.scalar(select(User).where(User.username == "bench_sec"))
            proposer = db.session.scalar(select(User).where(User.username == "bench_member"))
            category = db.session.scalar(select(Category.id).order_by(Category.id))
            top = db.session.execute(
                select(func.max(Proposal.number), func.max(Proposal.receipt_serial)).where(
                    Proposal.session_id == session.id
                )
            ).one()
            now = datetime.now(LOCAL)
            ids = db.session.scalars(
                insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True),
                [
                    dict(
                        session_id=session.id,
                        proposer_id=proposer.id,
                        kind="individual",
                        state="filed",
                        category_id=category,
                        title=f"关于交办高峰测试的建议（{i}）",
                        analysis="情况分析",
                        suggestions="具体建议",
                        number=(top[0] or 0) + 1 + i,
                        receipt_serial=(top[1] or 0) + 1 + i,
                        submitted_at=now,
                        filed_at=now,
                        created_at=now,
                    )
                    for i in range(n)
                ],
            ).all()
            units = db.session.scalars(
                select(Department.code).where(Department.active).order_by(Department.id)
            ).all()
            first_delivery = db.session.scalar(select(func.max(Delivery.id))) or 0
            db.session.commit()
            times = []
            started = time.perf_counter()
            for i, pid in enumerate(ids):
                t = time.perf_counter()
                proposal = db.session.get(Proposal, pid)
                ops.assign_proposal(
                    sec, proposal, [{"code": units[i % len(units)], "role": "lead"}]
                )
                db.session.commit()
                times.append((time.perf_counter() - t) * 1000)
                db.session.remove()
            out["burst_items"] = n
            out["burst_assign_s"] = round(time.perf_counter() - started, 1)
            out["burst_assign_p50_ms"] = round(statistics.median(times), 1)
            out["burst_deliveries"] = db.session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.id > first_delivery)
            )
            db.session.remove()
            started = time.perf_counter()
            while dispatch_due():
                db.session.remove()
            out["burst_deliver_s"] = round(time.perf_counter() - started, 1)
            out["burst_emails"] = Sink.received
            db.session.remove()
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


# ------------------------------------------------------------------ load (gunicorn + wrk)


def start_gunicorn(target, url, port, logdir, name):
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=BENCH_SECRET,
        RATELIMIT_ENABLED="0",
        PYTHONPATH=ROOT,
    )
    log = os.path.join(logdir, f"gunicorn-{name}.log")
    with open(log, "w") as out:  # the server keeps writing to its own copy
        proc = subprocess.Popen(
            [
                os.path.join(VENV_BIN, "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                target,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise RuntimeError(f"gunicorn {name} did not start; see {log}")
    return proc


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wrk(url, seconds, header=None, warm=True):
    env = dict(
        os.environ,
        BENCH_HEADER_NAME=header[0] if header else "",
        BENCH_HEADER_VALUE=header[1] if header else "",
    )
    if warm:  # warm up both workers first
        subprocess.run(
            ["wrk", "-t2", "-c4", "-d1s", "-s", os.path.join(HERE, "auth.lua"), url],
            env=env,
            capture_output=True,
        )
    res = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            os.path.join(HERE, "auth.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    m = re.search(r"BENCH_JSON (\{.*\})", res.stdout)
    if not m:
        raise RuntimeError("wrk failed: " + res.stdout + res.stderr)
    data = json.loads(m.group(1))
    return {
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "errors": data["errors"] + data["non_2xx"],
    }


def login_cookie(port):
    """The settled session cookie and an API token of the secretariat's bench login, and the
    raw login-session id inside the cookie (the bare app reads who asks with it)."""
    import requests
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    s = requests.Session()
    page = s.get(f"http://127.0.0.1:{port}/login").text
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    s.post(
        f"http://127.0.0.1:{port}/login",
        data={"csrf_token": m.group(1) if m else "", "username": "bench_sec", "password": PASSWORD},
        allow_redirects=False,
    )
    token = s.post(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        json={"username": "bench_sec", "password": PASSWORD},
    ).json()["token"]
    # the first page after a login adds the session's CSRF secret to the cookie: a browser
    # keeps the new cookie, wrk sends the same one every time, so take the settled cookie
    # (otherwise every request of the run would write a new session cookie)
    s.get(f"http://127.0.0.1:{port}/proposals")
    signer = Flask("bench")
    signer.secret_key = BENCH_SECRET
    sid = (
        SecureCookieSessionInterface()
        .get_signing_serializer(signer)
        .loads(s.cookies["session"])["sid"]
    )
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items()), token, sid


LOAD_ROUNDS = 3


def measure_load(url, seconds, logdir, out, notes):
    port, bare_port = free_port(), free_port()
    app_proc = start_gunicorn("wsgi:app", url, port, logdir, "app")
    bare_proc = start_gunicorn("bench.bare_app:make_app()", url, bare_port, logdir, "bare")
    try:
        cookie, token, sid = login_cookie(port)
        # the bare app reads who asks with the app's statements: the same login session (its
        # raw id, without the signed cookie around it) and the same token
        targets = {
            "list_page": (f"http://127.0.0.1:{port}/proposals", ("Cookie", cookie)),
            "bare_page": (
                f"http://127.0.0.1:{bare_port}/bare/proposals",
                ("Cookie", f"bare_sid={sid}"),
            ),
            "list_api": (
                f"http://127.0.0.1:{port}/api/v1/proposals",
                ("Authorization", f"Bearer {token}"),
            ),
            "bare_api": (
                f"http://127.0.0.1:{bare_port}/bare/api/proposals",
                ("Authorization", f"Bearer {token}"),
            ),
        }
        # LOAD_ROUNDS rounds of the four runs in turn, each a third of the time: two cores
        # shared by wrk and the workers give figures that drift by a quarter from one run to
        # the next; each figure is the median of its rounds, each ratio the median of the
        # rounds' ratios (an app run against the bare run next to it)
        n = LOAD_ROUNDS if seconds >= 2 * LOAD_ROUNDS else 1  # a quick run: one round
        rounds = [
            {
                name: wrk(url, seconds // n, header, warm=not i)
                for name, (url, header) in targets.items()
            }
            for i in range(n)
        ]
        for name in targets:
            for k in ("rps", "p50_ms", "p99_ms"):
                out[f"{name}_{k}"] = statistics.median(r[name][k] for r in rounds)
            out[f"{name}_errors"] = errors = sum(r[name]["errors"] for r in rounds)
            if errors:
                notes.append(f"load {name}: {errors} errors or non-2xx answers")
        for kind in ("page", "api"):
            out[f"list_{kind}_vs_bare"] = round(
                statistics.median(
                    r[f"list_{kind}"]["rps"] / r[f"bare_{kind}"]["rps"] for r in rounds
                ),
                2,
            )
        workers = children(app_proc.pid)
        out["web_worker_rss_mb"] = (
            round(max(peak_rss_mb(p) or 0 for p in workers), 1) if workers else None
        )
    finally:
        stop(app_proc)
        stop(bare_proc)


def measure_celery(url, logdir, out, notes):
    """Peak RSS of a Celery worker (solo pool) that ran one sweep; without redis-server, of
    the embedded `reminders loop` process."""
    redis = shutil.which("redis-server")
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=BENCH_SECRET, PYTHONPATH=ROOT)
    procs = []
    try:
        if redis:
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [
                        redis,
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            log = os.path.join(logdir, "celery.log")
            with open(log, "w") as log_file:  # the worker keeps writing to its own copy
                worker = subprocess.Popen(
                    [
                        os.path.join(VENV_BIN, "celery"),
                        "-A",
                        "celery_worker",
                        "worker",
                        "--pool=solo",
                        "--loglevel=INFO",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            procs.append(worker)
            for _ in range(300):
                time.sleep(0.2)
                if "ready" in read(log):
                    break
            from celery import Celery

            Celery(broker=env["REDIS_URL"]).send_task("proposals.reminders.sweep")
            for _ in range(600):
                time.sleep(0.2)
                text = read(log)
                if "succeeded" in text or "raised" in text:
                    break
            out["celery_worker_rss_mb"] = round(peak_rss_mb(worker.pid), 1)
            out["celery_mode"] = "celery worker --pool=solo"
        else:
            proc = subprocess.Popen(
                [os.path.join(VENV_BIN, "flask"), "--app", "wsgi", "reminders", "loop"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(proc)
            time.sleep(8)
            out["celery_worker_rss_mb"] = round(peak_rss_mb(proc.pid), 1)
            out["celery_mode"] = "embedded reminders loop (no redis-server)"
            notes.append("no redis-server: measured the embedded `reminders loop` process")
    finally:
        for p in reversed(procs):
            stop(p)


def measure_xlsx(url, year, out):
    def run(query):
        res = subprocess.run(
            [sys.executable, os.path.join(HERE, "export_rss.py"), url, query],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        line = [x for x in res.stdout.splitlines() if x.startswith("{")]
        if not line:
            raise RuntimeError("export failed: " + res.stdout + res.stderr[-2000:])
        return json.loads(line[-1])

    full = run(f"year={year}")
    small = run(f"year={year}&state=not_filed")
    out.update(
        {
            "xlsx_rows": full["rows"],
            "xlsx_seconds": full["seconds"],
            "xlsx_peak_rss_mb": full["peak_rss_mb"],
            "xlsx_small_rows": small["rows"],
            "xlsx_small_peak_rss_mb": small["peak_rss_mb"],
            "xlsx_rss_ratio": round(full["peak_rss_mb"] / small["peak_rss_mb"], 2),
        }
    )


# ------------------------------------------------------------------ one database, and the report

PARTS = (
    "stats",
    "load",
    "sweep",
    "celery",
    "xlsx",
    "burst",
)  # stats: statistics, query counts, search


def bench_one(kind, size, quick, pg_url, workdir, notes, only=PARTS, reuse=False):
    from bench.generate import generate, migrate

    out = {}
    url, kept = prepare_database(kind, workdir, pg_url, size, reuse)
    if kept:
        migrate(url)  # a database kept from before a migration gets it
        out["generate_s"] = None
        notes.append(f"{kind}: reused the database generated by an earlier run")
        print(f"[{kind}] reusing the generated database", file=sys.stderr, flush=True)
    else:
        counts, seconds = generate(url, size)
        out["generate_s"] = round(seconds, 1)
        out["rows"] = sum(counts.values())
        print(
            f"[{kind}] generated {size} proposals ({out['rows']} rows) in {seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    if kind == "postgresql":
        settle(url)
    app = make_app(url)
    if "stats" in only:
        in_process(app, quick, out, notes)
        print(f"[{kind}] statistics and query counts done", file=sys.stderr, flush=True)
    if "load" in only:
        differ = bare_sql_differences(app, url)
        out["bare_same_sql"] = not differ
        notes.extend(f"{kind}: the bare app's SQL differs from the app's: {d}" for d in differ[:3])
        measure_load(
            url,
            int(os.environ.get("BENCH_LOAD_SECONDS") or (3 if quick else 15)),
            workdir,
            out,
            notes,
        )
        print(
            f"[{kind}] load done: "
            + ", ".join(f"{k} {out[k]}" for k in out if k.startswith(("list_", "bare_"))),
            file=sys.stderr,
            flush=True,
        )
    if "sweep" in only:
        measure_sweep(app, out)
    if "celery" in only:
        measure_celery(url, workdir, out, notes)
    if "xlsx" in only:
        measure_xlsx(url, datetime.now(LOCAL).year - 1, out)
    if "burst" in only:
        measure_burst(app, quick, out)
        print(f"[{kind}] assignment burst done", file=sys.stderr, flush=True)
    if {"sweep", "celery", "xlsx"} & set(only):
        print(f"[{kind}] sweep, workers and export done", file=sys.stderr, flush=True)
    out["passed"] = {
        k: met(out[k], target) for k, target in targets(size).items() if out.get(k) is not None
    }
    return out


# the table's rows: figure, label (a target, when the figure has one, is printed beside it)
ROWS = [
    ("generate_s", "generation (s)"),
    ("rows", "rows generated"),
    ("stats_api_ms", "stats API (ms)"),
    ("stats_sql_ms", "stats hand SQL (ms)"),
    ("stats_ratio", "stats API / hand SQL"),
    ("stats_agree", "API = SQL figures (all)"),
    ("stats_core_sql_ms", "core figures SQL (ms)"),
    ("stats_core_ratio", "API / core SQL"),
    ("list_page_rps", "list page req/s"),
    ("list_page_p50_ms", "list page p50 (ms)"),
    ("list_page_p99_ms", "list page p99 (ms)"),
    ("list_api_rps", "list API req/s"),
    ("list_api_p50_ms", "list API p50 (ms)"),
    ("list_api_p99_ms", "list API p99 (ms)"),
    ("bare_same_sql", "bare app: the app's SQL"),
    ("bare_page_rps", "bare page req/s"),
    ("list_page_vs_bare", "page / bare (info)"),
    ("bare_api_rps", "bare API req/s"),
    ("list_api_vs_bare", "API / bare (info)"),
    ("max_queries", "max SQL per page"),
    ("queries_constant", "same for 1 and 50 rows"),
    ("sweep_first_s", "first sweep (s)"),
    ("sweep_s", "sweep (s)"),
    ("web_worker_rss_mb", "web worker peak RSS (MB)"),
    ("celery_worker_rss_mb", "Celery worker peak RSS (MB)"),
    ("xlsx_rows", "XLSX rows (year)"),
    ("xlsx_peak_rss_mb", "XLSX export peak RSS (MB)"),
    ("xlsx_small_peak_rss_mb", "…10× smaller export (MB)"),
    ("xlsx_rss_ratio", "XLSX RSS ratio"),
    ("search_ms", "search q= (ms)"),
    ("burst_items", "burst: assignments"),
    ("burst_assign_p50_ms", "burst: one assignment p50 (ms)"),
    ("burst_deliveries", "burst: deliveries written"),
    ("burst_deliver_s", "burst: all sent (s)"),
    ("burst_emails", "burst: e-mails received"),
]


def shown(value):
    return (
        "—" if value is None else "yes" if value is True else "no" if value is False else str(value)
    )


def preset(size):
    """The name of the preset of ``size`` proposals (SIZES), or None."""
    return next((name for name, n in SIZES.items() if n == size), None)


def report(results, size, quick, notes):
    kinds = list(results)
    width = 30
    goals = targets(size)
    name = preset(size)
    print(
        f"\nBenchmark: {size} proposals{f' ({name})' if name else ''}"
        f"{' (quick)' if quick else ''}, {os.cpu_count()} cores, {date.today()}"
    )
    print("figure".ljust(width) + "".join(k.rjust(14) for k in kinds) + "  target")
    for key, label in ROWS:
        cells = []
        for k in kinds:
            passed = results[k]["passed"].get(key)
            mark = "" if passed is None else " ✓" if passed else " ✗"
            cells.append((shown(results[k].get(key)) + mark).rjust(14))
        how, limit = goals.get(key, (None, None))
        target = "" if how is None else shown(limit) if how == "=" else f"{how} {limit}"
        print(label.ljust(width) + "".join(cells) + "  " + target)
    print(
        "targets met".ljust(width)
        + "".join(
            f"{sum(r['passed'].values())} of {len(r['passed'])}".rjust(14) for r in results.values()
        )
    )
    print("SQL statements per page (1 row, 50 rows):")
    for page in results[kinds[0]].get("queries", {}):
        print(
            "  "
            + page.ljust(width + 10)
            + "".join(str(results[k]["queries"].get(page)).rjust(14) for k in kinds)
        )
    for n in notes:
        print("note: " + n)
    summary = {
        "size": size,
        "size_name": name,
        "quick": quick,
        "cores": os.cpu_count(),
        "date": str(date.today()),
        "notes": notes,
    }
    for k in kinds:
        summary[k] = results[k]
    print(json.dumps(summary, ensure_ascii=False))


def main():
    from bench.generate import proposal_count

    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--size",
        type=proposal_count,
        default="national",
        help=f"a number of proposals or one of {', '.join(SIZES)} (default: national)",
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help="comma-separated parts to measure: " + ",".join(PARTS),
    )
    parser.add_argument(
        "--workdir",
        help="keep the databases and logs in this folder "
        "(default: a temporary folder, deleted at the end)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --workdir: reuse a database "
        "generated by an earlier run of the same size instead of regenerating",
    )
    args = parser.parse_args()
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    if set(only) - set(PARTS):
        sys.exit(f"--only: unknown part(s) {sorted(set(only) - set(PARTS))}; parts: {PARTS}")
    pg_url = os.environ.get("BENCH_PG_URL")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not pg_url:
        sys.exit("BENCH_PG_URL is not set (bench/run.sh starts a PostgreSQL)")
    notes, results = [], {}
    if args.workdir:
        workdir = os.path.abspath(args.workdir)
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir = tempfile.mkdtemp(prefix="proposals-bench-")
    try:
        for kind in kinds:
            results[kind] = bench_one(
                kind,
                args.size,
                args.quick,
                pg_url,
                workdir,
                notes,
                only=only,
                reuse=args.reuse and bool(args.workdir),
            )
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    report(results, args.size, args.quick, notes)


if __name__ == "__main__":
    main()
