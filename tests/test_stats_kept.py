"""The kept statistics counts (proposals/stats/kept.py): the triggers mark every write the
figures read, a fold keeps the counts, and the figures read from them equal the figures
computed from the records (every test here runs with STATS_CHECK_KEPT: annual_figures
raises when any figure differs) on every date they can answer for."""
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling.models import Reply
from proposals.stats import annual_figures, kept
from proposals.stats import figures as figures_module
from proposals.stats.kept import StatsContribution, StatsDirty
from proposals.workflow.models import Proposal

from .conftest import database_at, wipe
from .test_stats import _BUILT, ZJJ, Year


@pytest.fixture()
def world(app):
    """The committee of tests/test_stats.py, built afresh (these tests change it) and folded."""
    with app.app_context():
        wipe()
        _BUILT.pop("year", None)  # the shared one is rebuilt by the next test that needs it
        builder = Year()
        built = dict(builder.build(), builder=builder)
        db.session.commit()
        kept.fold_all()
        yield built
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def paths(monkeypatch):
    """Which way annual_figures answered: "kept" or "computed", call by call."""
    taken = []
    original = figures_module.kept_rows

    def spy(window, codes):
        rows = original(window, codes)
        taken.append("computed" if rows is None else "kept")
        return rows
    monkeypatch.setattr(figures_module, "kept_rows", spy)
    return taken


def marked():
    return set(db.session.scalars(select(StatsDirty.proposal_id)))


def today():
    return local_date(utcnow())


def test_the_kept_counts_answer_every_date_after_the_last_event_as_computed(world, paths):
    # the world's last event is on 2026-02-16: from the next day on, the kept counts answer
    # (and equal the computed figures: STATS_CHECK_KEPT), for years and sessions alike
    day = date(2026, 2, 17)
    while day <= today():
        for kw in ({"year": 2024}, {"year": 2025}, {"session_id": world["s2024"]},
                   {"session_id": world["s2025"]}):
            annual_figures(as_of=day, **kw)
        day += timedelta(days=23)
    assert paths and set(paths) == {"kept"}
    # …and before it, they cannot: computed
    annual_figures(year=2025, as_of=date(2026, 2, 15))
    assert paths[-1] == "computed"


def test_deadlines_passing_change_the_kept_figures_without_a_write(world, paths):
    # an item owing its first reply, due on a day between the last event and today; a replied
    # item not rated, its rating window ending on another
    due, window_ends = date(2026, 5, 10), date(2026, 7, 1)
    y = world["builder"]
    y.new("K9", y.m[1], "economy", "2025-03-03")
    y.review("K9", "2025-03-05", "file")
    y.assign("K9", "2025-03-10", (ZJJ, "lead"))
    item = y.item("K9", ZJJ)
    db.session.execute(text("UPDATE assignments SET reply_due = :d WHERE id = :i"),
                       {"d": due, "i": item.id})
    reply = db.session.scalar(select(Reply).where(Reply.delivered_at.is_not(None))
                              .order_by(Reply.id.desc()))
    db.session.execute(text("DELETE FROM ratings WHERE reply_id = :r"), {"r": reply.id})
    db.session.execute(text("UPDATE replies SET rating_due = :d WHERE id = :r"),
                       {"d": window_ends, "r": reply.id})
    db.session.commit()
    assert {item.proposal_id} <= marked()  # the triggers marked what changed

    def figures(day):
        f = annual_figures(year=2025, as_of=day)
        return f["overdue_items"], f["satisfaction"]["awaiting_rating"]
    before, after_due = figures(due), figures(due + timedelta(days=1))
    assert not marked()  # the first request folded them
    assert after_due[0] == before[0] + 1
    assert figures(window_ends)[1] == figures(window_ends + timedelta(days=1))[1] + 1
    assert set(paths) == {"kept"}


@pytest.mark.parametrize("table,column", [
    ("proposals", "state"), ("review_decisions", "comment"), ("cosigners", "state"),
    ("assignments", "state"), ("replies", "result"), ("ratings", "rating"),
    ("extension_requests", "state")])
def test_every_table_the_figures_read_marks_its_proposal(world, table, column):
    assert not marked()
    row_id, proposal_id = db.session.execute(text({
        "proposals": "SELECT id, id FROM proposals",
        "review_decisions": "SELECT id, proposal_id FROM review_decisions",
        "cosigners": "SELECT id, proposal_id FROM cosigners",
        "assignments": "SELECT id, proposal_id FROM assignments",
        "replies": "SELECT r.id, a.proposal_id FROM replies r JOIN assignments a "
                   "ON a.id = r.assignment_id",
        "ratings": "SELECT t.id, a.proposal_id FROM ratings t JOIN replies r ON r.id = "
                   "t.reply_id JOIN assignments a ON a.id = r.assignment_id",
        "extension_requests": "SELECT e.id, a.proposal_id FROM extension_requests e JOIN "
                              "assignments a ON a.id = e.assignment_id"}[table]
        + " ORDER BY 1 LIMIT 1")).one()
    db.session.execute(text(f"UPDATE {table} SET {column} = {column} WHERE id = :i"),
                       {"i": row_id})
    assert marked() == {proposal_id}
    db.session.rollback()
    assert not marked()  # the mark is part of the writing transaction


def test_a_withdrawal_in_the_history_marks_other_history_does_not(world):
    pid = db.session.scalar(select(Proposal.id).order_by(Proposal.id))
    insert = text("INSERT INTO history (proposal_id, action, created_at) "
                  "VALUES (:p, :a, CURRENT_TIMESTAMP)")
    db.session.execute(insert, {"p": pid, "a": "comment"})
    assert not marked()
    db.session.execute(insert, {"p": pid, "a": "withdraw"})
    assert marked() == {pid}


def test_a_proposal_moved_to_another_year_and_a_deleted_one_leave_the_counts_right(world,
                                                                                   paths):
    first, second = db.session.scalars(select(Proposal.id).where(
        Proposal.submitted_at.is_not(None)).order_by(Proposal.id).limit(2)).all()
    received = {y: annual_figures(year=y)["received"] for y in (2024, 2025)}
    moment = db.session.get(Proposal, first).submitted_at
    db.session.execute(text("UPDATE proposals SET submitted_at = :m WHERE id = :i"),
                       {"m": (moment + timedelta(days=366)).replace(tzinfo=None), "i": first})
    db.session.execute(text("DELETE FROM proposals WHERE id = :i"), {"i": second})
    db.session.commit()
    after = {y: annual_figures(year=y)["received"] for y in (2024, 2025)}
    assert sum(after.values()) == sum(received.values()) - 1
    assert after != received
    assert db.session.get(StatsContribution, second) is None
    assert set(paths) == {"kept"}


def test_a_member_changing_sector_or_standing_marks_their_proposals(world, paths):
    before = annual_figures(year=2025)
    db.session.execute(text("UPDATE users SET phone = '0571', sector = sector"))
    assert not marked()  # nothing the figures read changed
    db.session.execute(text("UPDATE users SET sector = '新界别' WHERE username = 'm1'"))
    m1 = set(db.session.scalars(text(
        "SELECT p.id FROM proposals p JOIN users u ON u.id = p.proposer_id WHERE u.username = "
        "'m1' UNION SELECT c.proposal_id FROM cosigners c JOIN users u ON u.id = c.user_id "
        "WHERE u.username = 'm1'")))
    assert m1 and marked() == m1
    db.session.execute(text("UPDATE users SET active = FALSE WHERE username = 'm2'"))
    db.session.commit()
    after = annual_figures(year=2025)
    assert "新界别" in {s["sector"] for s in after["by_sector"]}
    assert after["participation"]["active_members"] == (
        before["participation"]["active_members"] - 1)
    assert set(paths) == {"kept"}


def test_many_marked_proposals_are_left_to_the_periodic_fold(app, world, paths, monkeypatch):
    monkeypatch.setattr(kept, "FOLD_AT_READ", 2)
    db.session.execute(text("UPDATE proposals SET kind = kind"))
    db.session.commit()
    n = len(marked())
    assert n > 2
    annual_figures(year=2025)
    assert paths == ["computed"] and len(marked()) == n
    result = app.test_cli_runner().invoke(args=["stats", "fold"])
    assert f"folded {n} proposals" in result.output
    annual_figures(year=2025)
    assert paths[-1] == "kept"


def test_a_fold_neither_waits_for_a_writer_nor_loses_its_mark(world, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    pid = db.session.scalar(select(Proposal.id).order_by(Proposal.id))
    writing, release = threading.Event(), threading.Event()

    def writer():
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE proposals SET state = state WHERE id = :i"),
                             {"i": pid})
                writing.set()
                release.wait(10)
    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    try:
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        assert kept.fold() == 0  # the writer's mark is not committed: not seen, not waited for
        db.session.commit()
    finally:
        release.set()
        thread.join()
    assert marked() == {pid}  # still marked once the writer committed
    assert kept.fold_all() == 1 and not marked()


@pytest.mark.one_database  # its own SQLite file (the PostgreSQL triggers: the suite's upgrade)
def test_the_migration_marks_every_proposal_and_its_downgrade_removes_the_triggers(tmp_path):
    from flask_migrate import downgrade, upgrade

    with database_at(tmp_path, "f6c5b8d0e2a4", STATS_CHECK_KEPT=True) as (conn, t):
        moment = datetime(2025, 3, 2, 2)
        conn.execute(insert(t["proposals"]), [
            {"id": i, "version": 1, "session_id": 1, "proposer_id": 1, "kind": "individual",
             "state": "submitted", "title": "t", "category_id": 1, "analysis": "",
             "suggestions": "s", "is_key": False, "is_excellent": False,
             "not_for_disclosure": False, "consultation_due": False, "created_at": moment,
             "submitted_at": moment} for i in (1, 2)])
        db.session.commit()
        upgrade()
        assert marked() == {1, 2}
        f = annual_figures(year=2025)  # folds them, and equals the computed figures
        assert (f["received"], f["pending_review"], f["participation"]["members"]) == (2, 2, 1)
        assert not marked()
        db.session.commit()
        downgrade(revision="f6c5b8d0e2a4")
        db.session.execute(text("UPDATE proposals SET state = 'withdrawn'"))  # no trigger left
        db.session.commit()
        names = db.session.scalars(text(
            "SELECT name FROM sqlite_master WHERE name LIKE 'stats%'")).all()
        assert names == []
