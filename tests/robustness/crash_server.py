"""Test-only: the web app on a loopback port, for tests/robustness/test_crash.py.

    python tests/robustness/crash_server.py PORT \
        [--hang-path PATH --hang-at commit|flush:N --marker FILE]

The database is CRASH_DATABASE_URL (a SQLite file or PostgreSQL). With --hang-path, a SQLAlchemy
session listener installed HERE (never by the application) stops the POST request to that path in
the middle of its transaction: ``flush:N`` after the N-th flush that follows the change of a
proposal's state (the state, and what went with it so far, written to the database but not
committed), ``commit`` just before the commit (everything flushed, nothing committed). There it
writes the marker file (JSON: what the transaction itself sees at that moment) and sleeps until
the test kills the process with SIGKILL.
"""

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from flask import g, has_request_context, request  # noqa: E402
from sqlalchemy import event, func, inspect, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

FAST_HASH = "pbkdf2:sha256:1000"


def install_hang(hang_path, hang_at, marker):
    from proposals.handling.models import Assignment
    from proposals.workflow.models import HistoryEntry, Proposal

    mode, _, n = hang_at.partition(":")
    limit = int(n or 1)

    def ours():
        return has_request_context() and request.method == "POST" and request.path == hang_path

    def seen_inside(session):
        """Rows as the hanging transaction itself sees them (uncommitted writes included)."""
        pid = int(hang_path.split("/")[4])
        return {
            "state": session.scalar(select(Proposal.state).where(Proposal.id == pid)),
            "number": session.scalar(select(Proposal.number).where(Proposal.id == pid)),
            "assignments": session.scalar(
                select(func.count()).select_from(Assignment).where(Assignment.proposal_id == pid)
            ),
            "history": session.scalar(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.proposal_id == pid)
            ),
        }

    def hang(session, where):
        with session.no_autoflush:
            seen = seen_inside(session)
        tmp = marker + ".tmp"
        with open(tmp, "w") as fh:
            json.dump({"where": where, "pid": os.getpid(), "seen": seen}, fh)
        os.replace(tmp, marker)
        print(f"HANGING {where} {seen}", flush=True)
        time.sleep(600)  # the test kills us here
        os._exit(3)  # never let the transaction finish if the test forgot us

    @event.listens_for(Session, "after_flush")
    def after_flush(session, flush_context):
        if not ours():
            return
        if not g.get("crash_touched"):
            changed = [
                o
                for o in session.dirty
                if isinstance(o, Proposal) and inspect(o).attrs.state.history.has_changes()
            ]
            if not changed:
                return
            g.crash_touched = True
        g.crash_flushes = g.get("crash_flushes", 0) + 1
        if mode == "flush" and g.crash_flushes == limit:
            hang(session, f"flush:{limit}")

    @event.listens_for(Session, "before_commit")
    def before_commit(session):
        if not ours():
            return
        session.flush()  # what commit would flush first: now everything is written
        if mode == "commit" and g.get("crash_touched"):
            hang(session, "commit")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--hang-path")
    parser.add_argument("--hang-at", default="commit")
    parser.add_argument("--marker")
    args = parser.parse_args()

    from proposals import create_app

    app = create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "crash-test",
            "SQLALCHEMY_DATABASE_URI": os.environ["CRASH_DATABASE_URL"],
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "WTF_CSRF_ENABLED": False,
        }
    )
    if args.hang_path:
        install_hang(args.hang_path, args.hang_at, args.marker)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"READY http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
