"""The annual statistics alone: generate a committee (bench/generate.py) into a database, then
time proposals.stats.annual_figures (and GET /api/v1/stats/annual) for last year against the
hand-written statement bench/sql/annual.sql (every figure; bench/reference.py) and, for
information, bench/sql/annual_core.sql (17 core figures), alternated run by run; check that
every figure agrees, and print the times and ratios.

    python bench/stats_only.py --size national                       # a temporary SQLite file
    python bench/stats_only.py --size national --keep /tmp/stats.db  # reuse it when it exists
    python bench/stats_only.py --size stress --database-url postgresql+psycopg://…/db --keep
"""

import argparse
import os
import sys
import tempfile
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))

from bench.generate import SIZES, proposal_count  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--size",
        type=proposal_count,
        default="national",
        help=f"a number of proposals or one of {', '.join(SIZES)}",
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--keep",
        nargs="?",
        const=True,
        default=None,
        help="SQLite file to reuse (generated when missing); with "
        "--database-url: reuse the database when it has proposals",
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    url, generate_needed = args.database_url, True
    if url is None:
        path = (
            args.keep
            if isinstance(args.keep, str)
            else os.path.join(tempfile.mkdtemp(prefix="stats-only-"), "bench.db")
        )
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
    from sqlalchemy import event

    from bench.generate import PASSWORD
    from bench.reference import differences
    from bench.run import LOCAL, core_differences, median_ms, time_stats
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
        token = client.post(
            "/api/v1/auth/token", json={"username": "bench_sec", "password": PASSWORD}
        ).get_json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        path = f"/api/v1/stats/annual?year={year}"
        api = client.get(path, headers=auth).get_json()
        # the API, the full statement and the core one alternately: the same load for all
        medians, ref, core_row = time_stats(
            engine, lambda: client.get(path, headers=auth), args.runs, year, today
        )
    api_ms, sql_ms, core_ms = medians["api"], medians["full"], medians["core"]
    differ = differences(api, ref)
    core_differ = core_differences(figures, core_row)
    print(
        f"{dialect}: {n_statements} statements; function {function_ms} ms, API {api_ms} ms, "
        f"full SQL {sql_ms} ms, core SQL {core_ms} ms; "
        f"function/full SQL {function_ms / max(sql_ms, 0.1):.2f}, "
        f"API/full SQL {api_ms / max(sql_ms, 0.1):.2f}, "
        f"API/core SQL {api_ms / max(core_ms, 0.1):.2f}; received {figures['received']}"
    )
    print(
        f"agree (every figure): {not differ}"
        + (
            ""
            if not differ
            else f" — {len(differ)} differ: "
            + "; ".join(f"{k}: API {a!r}, SQL {b!r}" for k, a, b in differ[:8])
        )
    )
    if core_differ:
        print(f"core SQL differs: {core_differ}")


if __name__ == "__main__":
    main()
