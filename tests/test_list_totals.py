"""Kept list totals (proposals/list_totals.py): a worker counts a list's rows again only when
the data version changed since it counted them, and the total a page shows is always that of
the committed data (issue 7)."""
import time

import pytest
from sqlalchemy import event, insert, select, text

from proposals import list_totals
from proposals.extensions import db
from proposals.list_totals import DataVersion
from proposals.workflow.models import Proposal

from .flows import submitted


def token():
    db.session.expire_all()
    return db.session.scalar(select(DataVersion.token))


def total(client):
    response = client.get("/proposals")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def counted_statements(call):
    """The statements of one call that count (SELECT count(*) …)."""
    seen = []

    def before(conn, cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return seen


@pytest.fixture()
def sec_client(world, api):
    return api(world.secretariat)


def copy_row(proposal_id):
    """A copy of a proposal written beside the application (as psql would): no token change."""
    table = Proposal.__table__
    row = db.session.execute(select(table).where(table.c.id == proposal_id)).mappings().one()
    values = {k: v for k, v in row.items() if k not in ("id", "receipt_serial", "number")}
    with db.engine.begin() as conn:
        conn.execute(insert(table).values(**values))


def test_a_committed_change_gives_a_new_token_and_the_new_total(world, sec_client):
    submitted(world, title="第一件")
    before = total(sec_client)
    first = token()
    assert first
    submitted(world, title="第二件")  # written by another worker, or this one
    assert token() != first
    assert total(sec_client) == before + 1


def test_the_kept_total_is_used_while_the_token_stands(world, api, sec_client):
    """Written beside the application, a row does not change the token: the worker's kept
    total stands (proof that it is kept, not counted); a new token, and it is counted again."""
    proposal_id = submitted(world, title="已提交").id
    assert total(sec_client) == 1
    copy_row(proposal_id)
    assert total(sec_client) == 1  # kept
    list_totals.bump(db.engine)
    assert total(sec_client) == 2  # counted again


def test_a_kept_total_is_counted_again_after_its_time(world, sec_client):
    proposal_id = submitted(world, title="已提交").id
    assert total(sec_client) == 1
    copy_row(proposal_id)
    assert total(sec_client) == 1  # kept: the row was written beside the app
    list_totals.kept.expire(time.monotonic() + list_totals.KEPT_SECONDS)  # its time passes
    assert total(sec_client) == 2


def test_one_statement_carries_ids_token_and_total(world, sec_client):
    submitted(world, title="已提交")
    total(sec_client)  # counted and kept
    again = counted_statements(lambda: total(sec_client))
    assert len([s for s in again if "count(" in s.lower()]) == 1
    assert len([s for s in again if "data_version" in s]) == 1


def test_postgresql_counts_only_when_the_token_changed(world):
    """The kept total's branch leaves the count's InitPlan unexecuted on PostgreSQL (SQLite's
    CASE evaluates only the branch it takes)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an EXPLAIN ANALYZE of PostgreSQL")
    submitted(world, title="已提交")  # a row, so that the page's CASE is evaluated
    statements = list_totals.PageStatements(select(Proposal).order_by(Proposal.id.desc()))

    def plan():
        statement, params = statements.statement(20, 0)
        sql = statement.params(params).compile(db.engine,
                                               compile_kwargs={"literal_binds": True})
        return "\n".join(r[0] for r in db.session.execute(
            text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")))
    list_totals.keep_total(statements.key, token(), 1)
    kept_plan = plan()
    assert "Aggregate (never executed)" in kept_plan, kept_plan
    list_totals.bump(db.engine)  # the kept total's token is no longer the database's
    changed_plan = plan()
    assert "Aggregate (actual time" in changed_plan, changed_plan


def test_refused_and_rolled_back_requests_keep_the_token(world, api):
    proposal = submitted(world, title="已提交")
    first = token()
    # a stranger may not withdraw it: refused, nothing written
    response = api(world.member3).post(f"/proposals/{proposal.id}/withdraw",
                                  json={"reason": "不想要了"})
    assert response.status_code in (403, 404)
    assert token() == first
    # bad input: refused, nothing written
    response = api(world.member).post("/proposals", json={"title": ""})
    assert response.status_code == 400
    assert token() == first


def test_bookkeeping_writes_keep_the_token(world, app):
    """A login writes only its session and the audit: no list changes, no new token."""
    world.member.set_password("correct horse 9")
    db.session.commit()
    first = token()
    client = app.test_client()
    for password in ("wrong password", "correct horse 9"):  # a failed and a good login
        client.post("/api/v1/auth/token", json={"username": world.member.username,
                                                "password": password})
    assert token() == first


def test_kept_totals_are_bounded_and_need_a_token():
    assert list_totals.kept.maxsize == list_totals.KEPT_TOTALS
    list_totals.keep_total(("k", 1), None, 5)  # no token (a database without the row)
    assert list_totals.kept_total(("k", 1)) == (None, None)
    list_totals.keep_total(("k", 2), "t", 7)
    assert list_totals.kept_total(("k", 2)) == ("t", 7)


def test_a_page_far_past_the_end_is_empty_not_an_error(world, api, web):
    """The page's LIMIT and OFFSET are parameters of the kept statement: an offset beyond
    PostgreSQL's int4 must not fail (API.md allows any page number)."""
    submitted(world, title="已提交")
    answer = api(world.secretariat).get("/proposals?page=24584339681319&per_page=25")
    assert answer.status_code == 200
    assert answer.get_json()["items"] == [] and answer.get_json()["total"] == 1
    assert web(world.secretariat).get("/proposals?page=24584339681319").status_code == 200
