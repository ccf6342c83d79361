"""The year's compilation (提案汇编) at two sizes: wall time and peak memory of the Python
process, to show that the streamed compilation (proposals/documents/compilation.py) writes in
constant memory: the peak for 300 proposals should be about the peak for 100.

    python bench/compilation.py                 # 100 and 300 proposals, .docx, and PDF of 300
    python bench/compilation.py --sizes 100 1000 --no-pdf

Each size runs in a fresh process on a throwaway SQLite database holding one session whose
proposals are all filed, each with a lead unit and a delivered reply, texts of a few hundred
characters (a real proposal's length). Printed per size: the seconds to write the .docx, the
file's size, tracemalloc's peak of Python allocations during the write (a second, traced run)
and the process's peak RSS (VmHWM) growth over the write; then the ratio of the largest to the
smallest size. With LibreOffice installed, the largest .docx is also converted to PDF (time).
Not part of the benchmark's quick run (bench/run.py): it takes about half a minute.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PARAGRAPH = "我市在推进这项工作中取得了一定成效，但仍存在统筹不够、投入不足、机制不健全等问题。"


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fill(n):
    """One session of ``n`` filed proposals, each with a lead unit and a delivered reply."""
    from sqlalchemy import insert, select

    from proposals.accounts.models import Department, User
    from proposals.cli.committee import create_session
    from proposals.committee.models import Category
    from proposals.extensions import db
    from proposals.handling.models import Assignment, Reply
    from proposals.workflow.models import Proposal

    year = datetime.now(UTC).year
    session = create_session(10, 1, year, date(year, 1, 10), date(year, 1, 14), True)
    units = [Department(code=f"U{i:02d}", name=f"基准测试单位{i}") for i in range(20)]
    db.session.add_all(units)
    members = [
        User(username=f"m{i}", name=f"委员{i}", role="member", password_hash="!")
        for i in range(200)
    ]
    db.session.flush()
    clerk = User(
        username="clerk", name="办理员", role="clerk", password_hash="!", department_id=units[0].id
    )
    db.session.add_all([*members, clerk])
    db.session.flush()
    category = db.session.scalar(select(Category.id).order_by(Category.id))
    now = datetime.now(UTC)
    db.session.execute(
        insert(Proposal),
        [
            {
                "session_id": session.id,
                "proposer_id": members[i % len(members)].id,
                "kind": "individual",
                "state": "assigned",
                "title": f"关于进一步完善第{i + 1}项公共服务的建议",
                "category_id": category,
                "analysis": "\n".join([PARAGRAPH * 3] * 3),
                "suggestions": "\n".join(f"{k}．{PARAGRAPH * 2}" for k in "一二三四"),
                "number": i + 1,
                "receipt_serial": i + 1,
                "submitted_at": now,
                "filed_at": now,
            }
            for i in range(n)
        ],
    )
    ids = db.session.scalars(select(Proposal.id).order_by(Proposal.number)).all()
    due = date.today() + timedelta(days=90)
    db.session.execute(
        insert(Assignment),
        [
            {
                "proposal_id": pid,
                "department_id": units[i % len(units)].id,
                "role": "lead",
                "state": "replied",
                "assigned_at": now,
                "accept_due": due,
                "contact_due": due,
                "round_started_on": date.today(),
                "reply_due": due,
            }
            for i, pid in enumerate(ids)
        ],
    )
    assignment_ids = db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
    db.session.execute(
        insert(Reply),
        [
            {
                "assignment_id": aid,
                "round": 1,
                "state": "delivered",
                "result": "A",
                "text": "\n".join([PARAGRAPH * 4] * 4),
                "signer": "局长",
                "contact": "联系人 0000-0000000",
                "drafted_by_id": clerk.id,
                "delivered_at": now,
            }
            for aid in assignment_ids
        ],
    )
    db.session.commit()
    return session.id


def one(n, pdf):
    """Fill a fresh database with ``n`` proposals, write the compilation; JSON figures."""
    from flask_migrate import upgrade

    from proposals import create_app
    from proposals.documents.compilation import write_compilation

    tmp = tempfile.mkdtemp(prefix="bench-compilation-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
            "SECRET_KEY": "bench",
            "EXPORTS_DIR": tmp,
        }
    )
    with app.app_context():
        upgrade()
        session_id = fill(n)
        params = {"session": session_id}
        out = os.path.join(tmp, "warm.docx")
        write_compilation(params, out)  # imports, template build, caches: not measured
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        out = os.path.join(tmp, "compilation.docx")
        write_compilation(params, out)
        seconds = time.perf_counter() - started
        rss_growth = peak_rss_mb() - rss_before
        tracemalloc.start()
        write_compilation(params, os.path.join(tmp, "traced.docx"))
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        figures = {
            "proposals": n,
            "docx_seconds": round(seconds, 2),
            "docx_mb": round(os.path.getsize(out) / 2**20, 2),
            "tracemalloc_peak_mb": round(traced_peak, 2),
            "rss_growth_mb": round(rss_growth, 1),
        }
        if pdf:
            from proposals.documents.pdf import available, convert_file

            if available():
                started = time.perf_counter()
                convert_file(out, os.path.join(tmp, "compilation.pdf"))
                figures["pdf_seconds"] = round(time.perf_counter() - started, 2)
                figures["pdf_mb"] = round(
                    os.path.getsize(os.path.join(tmp, "compilation.pdf")) / 2**20, 2
                )
    print(json.dumps(figures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF conversion")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child's size
    parser.add_argument("--pdf", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one(args.one, args.pdf)
    results = []
    largest = max(args.sizes)
    for n in sorted(args.sizes):
        argv = [sys.executable, os.path.abspath(__file__), "--one", str(n)]
        if n == largest and not args.no_pdf:
            argv.append("--pdf")
        done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1], ensure_ascii=False))
    small, big = results[0], results[-1]
    print(
        f"tracemalloc peak, {big['proposals']} ÷ {small['proposals']} proposals: "
        f"{big['tracemalloc_peak_mb'] / small['tracemalloc_peak_mb']:.2f}"
    )
    print(f"docx seconds per proposal: {big['docx_seconds'] / big['proposals'] * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
