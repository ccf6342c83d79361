"""The annual statistics alone: generate N proposals (bench/generate.py) into a database, then
time proposals.stats.annual_figures (and GET /api/v1/stats/annual) for last year against the
hand-written statement bench/sql/annual.sql, check that they agree, and print the ratio.

    python bench/stats_only.py --size 100000                         # a temporary SQLite file
    python bench/stats_only.py --size 100000 --keep /tmp/stats.db    # reuse it when it exists
    python bench/stats_only.py --size 100000 --database-url postgresql+psycopg://…/db --keep
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", nargs="?", const=True, default=None,
                        help="SQLite file to reuse (generated when missing); with "
                             "--database-url: reuse the database when it has proposals")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    url, generate_needed = args.database_url, True
    if url is None:
        path = args.keep if isinstance(args.keep, str) else os.path.join(
            tempfile.mkdtemp(prefix="stats-only-"), "bench.db")
        url = "sqlite:///" + path
        generate_needed = not os.path.exists(path)
    elif args.keep:
        from sqlalchemy import create_engine, inspect, text
        engine = create_engine(url)
        if inspect(engine).has_table("proposals"):
            with engine.connect() as conn:
                generate_needed = not conn.execute(text("SELECT count(*) FROM proposals")).scalar()
        engine.dispose()
    if generate_needed:
        from bench.generate import generate
        _counts, seconds = generate(url, args.size)
        print(f"generated {args.size} proposals in {seconds:.1f} s", file=sys.stderr)

    os.environ["DATABASE_URL"] = url
    from sqlalchemy import event, text

    from bench.generate import PASSWORD
    from bench.run import LOCAL, hand_statement
    from proposals import create_app
    from proposals.extensions import db
    from proposals.stats import annual_figures
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    today = datetime.now(LOCAL).date()
    year = today.year - 1
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        statements = {"n": 0}

        def count(*_a):
            statements["n"] += 1
        event.listen(engine, "before_cursor_execute", count)
        figures = annual_figures(year=year)
        db.session.rollback()
        n_statements = statements["n"]
        event.remove(engine, "before_cursor_execute", count)

        def api_function():
            annual_figures(year=year)
            db.session.rollback()
        function_ms = median_ms(api_function, args.runs)

        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={
            "username": "bench_sec", "password": PASSWORD}).get_json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        path = f"/api/v1/stats/annual?year={year}"
        client.get(path, headers=auth)

        statement, params = hand_statement(dialect, year, today)

        def hand():
            with engine.connect() as conn:
                return conn.execute(statement, params).one()._mapping

        def hand_without_jit():  # the same statement with the setting annual_figures uses
            with engine.connect() as conn:
                conn.execute(text("SET LOCAL jit = off"))  # ends with the connection's
                return conn.execute(statement, params).one()._mapping  # transaction
        row = dict(hand())
        # the API and the hand SQL alternately, so that both see the same load
        api_times, sql_times, nojit_times = [], [], []
        for _ in range(args.runs):
            api_times.append(median_ms(lambda: client.get(path, headers=auth), 1))
            sql_times.append(median_ms(hand, 1))
            if dialect == "postgresql":
                nojit_times.append(median_ms(hand_without_jit, 1))
        api_ms = round(statistics.median(api_times), 1)
        sql_ms = round(statistics.median(sql_times), 1)
        nojit_ms = round(statistics.median(nojit_times), 1) if nojit_times else None

    f = figures
    mine = {"received": f["received"], "filed": f["filed"], "merged": f["merged"],
            "not_filed": f["not_filed"], "withdrawn": f["withdrawn"],
            "pending_review": f["pending_review"], "assignment_items": f["assignment_items"],
            "replied_items": f["replied_items"], "replies_delivered": f["replies_delivered"],
            "replies_on_time": f["replies_on_time"], "result_a": f["results"]["A"],
            "result_b": f["results"]["B"], "result_c": f["results"]["C"],
            "satisfied": f["satisfaction"]["satisfied"],
            "basically_satisfied": f["satisfaction"]["basically_satisfied"],
            "unsatisfied": f["satisfaction"]["unsatisfied"],
            "replied_proposals": f["replied_proposals"]}
    differ = {k: (v, int(row[k] or 0)) for k, v in mine.items() if v != int(row[k] or 0)}
    print(f"{dialect}: {n_statements} statements; function {function_ms} ms, "
          f"API {api_ms} ms, hand SQL {sql_ms} ms; ratio function/SQL "
          f"{function_ms / max(sql_ms, 0.1):.2f}, API/SQL {api_ms / max(sql_ms, 0.1):.2f}; "
          + (f"hand SQL with jit=off {nojit_ms} ms, API/that "
             f"{api_ms / max(nojit_ms, 0.1):.2f}; " if nojit_ms else "") +
          f"agree: {not differ} {differ or ''}; received {f['received']}")


if __name__ == "__main__":
    main()
