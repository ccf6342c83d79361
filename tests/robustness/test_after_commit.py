"""An action whose transaction committed answers success, whatever happens after its commit.

A client that sees an error retries, and a retried creation is a second record. So every
statement that runs after the request's commit (bookkeeping of any kind: the audit row, the
login session's last use) is made to fail here, and each action must still answer its success
code with its change stored."""

from contextlib import contextmanager

import pytest
from flask import has_request_context, request
from sqlalchemy import event, func, select

from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.workflow.models import Proposal

from .. import flows

COMMITTED = "tests.request_committed"


class AfterCommitFailure(RuntimeError):
    pass


@contextmanager
def failing_after_commit():
    """Within a request, every SQL statement after a commit raises AfterCommitFailure."""

    def on_commit(conn):
        if has_request_context():
            request.environ[COMMITTED] = True

    def before(conn, cursor, statement, *_args):
        if has_request_context() and request.environ.get(COMMITTED):
            raise AfterCommitFailure(f"after the commit: {statement[:60]}")

    def on_begin(conn):  # SQLite's BEGIN is sent by the app itself (extensions.py)
        if has_request_context() and request.environ.get(COMMITTED):
            raise AfterCommitFailure("a transaction begun after the commit")

    engine = db.engine
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "begin", on_begin)
    try:
        yield
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", on_commit)


def proposals_count():
    return db.session.scalar(select(func.count()).select_from(Proposal))


def test_the_failure_is_real_a_statement_after_the_commit_raises(world, app):
    """The harness itself: inside a request, work after the commit does fail."""
    with failing_after_commit(), app.test_request_context("/"):
        db.session.execute(select(1))
        db.session.commit()
        with pytest.raises(AfterCommitFailure):
            db.session.execute(select(1))
        db.session.rollback()


def test_api_creation_answers_201_once_committed(world, api):
    client = api(world.member)
    before = proposals_count()
    with failing_after_commit():
        resp = client.post("/proposals", json=world.content())
    assert resp.status_code == 201, resp.get_json()
    assert proposals_count() == before + 1


def test_api_actions_answer_200_once_committed(world, api):
    p = flows.draft(world)
    with failing_after_commit():
        resp = api(world.member).post(f"/proposals/{p.id}/submit")
        assert resp.status_code == 200, resp.get_json()
        resp = api(world.secretariat).post(f"/proposals/{p.id}/review", json={"decision": "file"})
        assert resp.status_code == 200, resp.get_json()
        resp = api(world.secretariat).post(
            f"/proposals/{p.id}/assign",
            json={"departments": [{"code": world.unit_a.code, "role": "lead"}]},
        )
        assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == "assigned"
    a = db.session.scalars(select(Assignment).where(Assignment.proposal_id == p.id)).one()
    with failing_after_commit():
        resp = api(world.clerk_a).post(f"/assignments/{a.id}/accept")
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).state == "handling"


def test_a_page_form_redirects_once_committed(world, web):
    p = flows.draft(world)
    client = web(world.member)
    with failing_after_commit():
        resp = client.post(f"/proposals/{p.id}/submit")
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == "submitted"
