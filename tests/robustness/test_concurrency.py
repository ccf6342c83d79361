"""Concurrent requests against the real database (SQLite file with WAL, or PostgreSQL):
numbers stay consecutive, one of two simultaneous actions wins and the other gets 409, and
SQLite never answers "database is locked"."""

import threading

from proposals.accounts.models import ApiToken
from proposals.extensions import db
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry, Proposal

from .. import flows


def run_together(app, calls):
    """Run each (token, method, path, json, headers) in its own thread, released at once."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, token, method, path, json, headers):
        client = app.test_client()
        barrier.wait()
        resp = client.open(
            "/api/v1" + path,
            method=method,
            json=json,
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
        )
        results[i] = (resp.status_code, resp.get_json())

    db.session.commit()  # the test's own transaction must not hold the database
    db.session.close()
    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(not t.is_alive() for t in threads)
    return results


def tokens(*users):
    out = [ApiToken.issue(u) for u in users]
    db.session.commit()
    return out


def test_staff_filing_at_the_same_moment_get_distinct_consecutive_numbers(world, app):
    proposals = [flows.submitted(world, title=f"关于第{i}件事的建议") for i in range(8)]
    ids = [p.id for p in proposals]
    staff = [world.secretariat] + [world.make.user("secretariat") for _ in range(3)]
    toks = tokens(*staff)
    calls = [
        (toks[i % len(toks)], "POST", f"/proposals/{pid}/review", {"decision": "file"}, None)
        for i, pid in enumerate(ids)
    ]
    results = run_together(app, calls)
    assert [s for s, _ in results] == [200] * len(ids), results
    numbers = sorted(body["number"] for _, body in results)
    assert numbers == list(range(1, len(ids) + 1))
    stored = sorted(db.session.scalars(db.select(Proposal.number)).all())
    assert stored == numbers


def test_two_simultaneous_reviews_of_one_proposal_one_wins_the_other_gets_conflict(world, app):
    p = flows.submitted(world)
    pid, version = p.id, p.version
    sec2 = world.make.user("secretariat")
    t1, t2 = tokens(world.secretariat, sec2)
    header = {"If-Match": str(version)}
    results = run_together(
        app,
        [
            (t1, "POST", f"/proposals/{pid}/review", {"decision": "file"}, header),
            (
                t2,
                "POST",
                f"/proposals/{pid}/review",
                {"decision": "not_file", "reason_code": "other", "disposition": "letter"},
                header,
            ),
        ],
    )
    statuses = sorted(s for s, _ in results)
    assert statuses == [200, 409], results
    loser = next(body for s, body in results if s == 409)
    assert loser["error"]["code"] == "conflict"
    winner = next(body for s, body in results if s == 200)
    p = db.session.get(Proposal, pid)
    assert p.state == winner["state"] and p.version == version + 1
    reviews = db.session.scalars(
        db.select(HistoryEntry).where(
            HistoryEntry.proposal_id == pid, HistoryEntry.action.in_(["file", "not_file"])
        )
    ).all()
    assert len(reviews) == 1
    assert p.number in (None, 1)


def test_two_simultaneous_actions_without_version_still_let_only_one_win(world, app):
    p = flows.assigned(world)
    aid = loaded(p, "assignments").assignments[0].id
    clerk2 = world.make.user("clerk", world.unit_a)
    t1, t2 = tokens(world.clerk_a, clerk2)
    results = run_together(
        app,
        [
            (t1, "POST", f"/assignments/{aid}/accept", None, None),
            (
                t2,
                "POST",
                f"/assignments/{aid}/reassignment-request",
                {"reason": "不属于本单位职责"},
                None,
            ),
        ],
    )
    statuses = sorted(s for s, _ in results)
    assert statuses == [200, 409], results
    loser = next(body for s, body in results if s == 409)
    assert loser["error"]["code"] in ("conflict", "invalid_state")
    actions = db.session.scalars(
        db.select(HistoryEntry.action).where(HistoryEntry.assignment_id == aid)
    ).all()
    assert sum(a in ("accept", "request_reassignment") for a in actions) == 1


def test_a_burst_of_concurrent_writes_never_fails_with_database_locked(world, app):
    members = [world.make.user("member") for _ in range(12)]
    toks = tokens(*members)
    calls = [
        (tok, "POST", "/proposals", world.content(title=f"关于第{i}项工作的建议"), None)
        for i, tok in enumerate(toks)
    ]
    results = run_together(app, calls)
    assert [s for s, _ in results] == [201] * len(calls), results
    ids = [body["id"] for _, body in results]
    results = run_together(
        app, [(tok, "POST", f"/proposals/{pid}/submit", None, None) for tok, pid in zip(toks, ids)]
    )
    assert [s for s, _ in results] == [200] * len(calls), results
    serials = sorted(body["receipt_serial"] for _, body in results)
    assert serials == list(range(1, len(calls) + 1))
