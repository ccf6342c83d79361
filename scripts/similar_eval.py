#!/usr/bin/env python
"""Similar proposals on the labelled set (tests/data/similar_pairs.json): load it into a
database (a temporary SQLite file unless --database-url), index it, and for each pair ask for
the proposals similar to one side (both ways): print the top-1 and top-3 rates; exit 1 when the
top-3 rate is under 90 %.

    .venv/bin/python scripts/similar_eval.py [--data FILE] [--database-url URL] [--misses]
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

THRESHOLD = 0.90


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument(
        "--database-url",
        default=None,
        help="an EMPTY database to use (default: a temporary SQLite file)",
    )
    parser.add_argument("--misses", action="store_true", help="list the pairs not in the top 3")
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from proposals import create_app
    from proposals.extensions import db
    from tests.search.similar_evaluation import evaluate

    tmp = tempfile.mkdtemp(prefix="similar-eval-")
    url = args.database_url or "sqlite:///" + os.path.join(tmp, "eval.db")
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "similar-eval",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    with app.app_context():
        upgrade()
        started = time.monotonic()
        result = evaluate(args.data)
        elapsed = time.monotonic() - started
        db.session.rollback()
    print(
        f"pairs: {result['pairs']}, non-pairs: {result['non_pairs']}, "
        f"queries: {result['queries']} (each pair both ways), {elapsed:.1f} s"
    )
    print(f"top-1: {result['top1']:.1%}")
    print(f"top-3: {result['top3']:.1%}")
    if args.misses:
        for query, target in result["misses"]:
            print(f"  miss: {query}  →  {target}")
    return 0 if result["top3"] >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
