"""The `demo` command: a believable committee year in an empty database, or a refusal."""

from collections import defaultdict

import pytest
from sqlalchemy import func, or_, select

from proposals.accounts.models import Department, User
from proposals.committee.calendar import local_date, utcnow
from proposals.committee.models import CommitteeSession
from proposals.demo import kept_password, new_password
from proposals.extensions import db
from proposals.handling.models import Assignment, ExtensionRequest, FollowUp, Rating, Reply
from proposals.workflow.models import HistoryEntry, Proposal
from proposals.workflow.states import AssignmentState as A
from proposals.workflow.states import ProposalState


def test_each_installation_gets_its_own_demo_password(app, tmp_path, monkeypatch):
    made = {new_password() for _ in range(50)}
    assert len(made) == 50
    assert all(len(p) == 14 and p.count("-") == 2 for p in made)
    path = tmp_path / "demo_password"
    monkeypatch.setitem(app.config, "DEMO_PASSWORD_FILE", str(path))
    assert "装入演示数据时打印的密码" in app.test_cli_runner().invoke(args=["demo-logins"]).output


def test_an_installation_signs_with_its_own_secret(tmp_path, monkeypatch):
    from proposals import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path / "a"))
    again = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path / "a"))
    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path / "b"))
    assert len(first.secret_key) == 64 and first.secret_key == again.secret_key
    assert other.secret_key != first.secret_key
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0
    assert first.secret_key != "dev-only-not-secret"


def count(*where, model=Proposal):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def table_counts():
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


@pytest.mark.slow
# the run command loads the demo into its embedded SQLite database; the demo's operations are
# the application's own, tried on PostgreSQL by the rest of the suite
@pytest.mark.one_database("sqlite")
def test_demo_fills_an_empty_database_then_refuses_to_run_again(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    today = local_date(utcnow())

    # people: ~30 units each with a clerk and a head, ~150 members and organisation accounts
    units = db.session.scalars(select(Department)).all()
    assert 25 <= len(units) <= 40
    for unit in units:
        roles = set(db.session.scalars(select(User.role).where(User.department_id == unit.id)))
        assert roles == {"clerk", "department_head"}, unit.name
    assert count(User.role == "member", User.org_type.is_(None), model=User) >= 150
    org_types = set(db.session.scalars(select(User.org_type).where(User.org_type.is_not(None))))
    assert org_types == {"party", "organization", "sector", "special_committee"}
    assert count(User.role == "member", model=User) >= 150
    assert count(User.email.is_not(None), User.role == "member", model=User) > 20
    assert count(User.role == "secretariat", model=User) >= 1
    assert count(User.role == "admin", model=User) == 1
    # one shared demo password, made for this installation, hashed once, printed and kept for
    # `demo-logins`; the well-known logins work with it and with nothing else
    password = kept_password(runner.app.config["DEMO_PASSWORD_FILE"])
    assert password and f"密码均为 {password}" in result.output
    assert db.session.scalar(select(func.count(func.distinct(User.password_hash)))) == 1
    for username in ("sec", "admin", "member", "clerk", "head"):
        user = db.session.scalar(select(User).where(User.username == username))
        assert user is not None and user.check_password(password), username
        assert not user.check_password("demo12345"), username
        assert username in result.output
    logins = runner.invoke(args=["demo-logins"])
    assert f"密码均为 {password}" in logins.output and "sec" in logins.output

    # sessions: this year's is current, with its plenary window early in the year
    current = db.session.scalar(select(CommitteeSession).where(CommitteeSession.is_current))
    assert current.year == today.year and current.plenary_start.month <= 2
    assert count(model=CommitteeSession) >= 2

    # ~300 proposals in every state, printed per state
    total = count()
    assert 250 <= total <= 400
    states = dict(
        db.session.execute(select(Proposal.state, func.count()).group_by(Proposal.state)).all()
    )
    # every state the default settings lead to (waiting for 审定 needs staged review on)
    assert set(states) == {s.value for s in ProposalState} - {"pre_reviewed"}, states
    assert f"提案 {total} 件" in result.output
    for state in states:
        assert f"（{state}）" in result.output

    # every kind of story
    assert count(Proposal.kind == "joint") > 0 and count(Proposal.kind == "collective") > 0
    assert count(Proposal.state == "merged", Proposal.merged_into_id.is_not(None)) > 0
    assert count(Proposal.is_plenary) > 0 and count(Proposal.is_plenary.is_(False)) > 0
    not_filed = db.session.execute(
        select(Proposal.not_filed_reason_id, Proposal.not_filed_disposition).where(
            Proposal.state == "not_filed"
        )
    ).all()
    assert len({r for r, _ in not_filed}) >= 3 and len({d for _, d in not_filed}) >= 3
    assert count(Assignment.round == 2, model=Assignment) > 0  # re-handled
    assert count(Assignment.role == "co", model=Assignment) > 0  # 主办+会办
    assert count(Assignment.role == "split", model=Assignment) > 0  # 分办
    assert count(Assignment.state == A.REASSIGNED, model=Assignment) > 0
    assert count(Proposal.is_key, Proposal.supervisor_id.is_not(None)) > 0
    assert count(ExtensionRequest.state == "approved", model=ExtensionRequest) > 0
    assert count(Reply.result == "B", model=Reply) > 0 and count(model=FollowUp) > 0
    ratings = set(db.session.scalars(select(Rating.rating)))
    assert ratings == {"satisfied", "basically_satisfied", "unsatisfied"}
    assert count(Reply.state == "unrated", model=Reply) > 0
    assert count(Rating.is_primary.is_(False), model=Rating) > 0  # merged proposer
    overdue = count(
        Assignment.state.in_([A.PENDING, A.HANDLING, A.REHANDLING]),
        Assignment.role != "co",
        or_(
            Assignment.extended_to < today,
            Assignment.extended_to.is_(None) & (Assignment.reply_due < today),
        ),
        model=Assignment,
    )
    assert overdue > 0
    for state in set(A) - {A.PROPOSED, A.NOT_CONFIRMED}:  # joint assignment is off by default
        assert count(Assignment.state == state, model=Assignment) > 0, state

    # consistency: history for every proposal, in order, never in the future; numbers and
    # receipt serials consecutive per session without gaps
    now = utcnow()
    history = defaultdict(list)
    for proposal_id, created_at in db.session.execute(
        select(HistoryEntry.proposal_id, HistoryEntry.created_at).order_by(HistoryEntry.id)
    ):
        history[proposal_id].append(created_at)
    for proposal_id, state in db.session.execute(select(Proposal.id, Proposal.state)):
        times = history[proposal_id]
        assert times, (proposal_id, state)
        assert times == sorted(times) and times[-1] <= now, proposal_id
    for session_id, column in (
        (s, c)
        for s in db.session.scalars(select(CommitteeSession.id))
        for c in (Proposal.number, Proposal.receipt_serial)
    ):
        values = sorted(
            db.session.scalars(
                select(column).where(Proposal.session_id == session_id, column.is_not(None))
            )
        )
        assert values == list(range(1, len(values) + 1)), (session_id, column)
    for session_id in db.session.scalars(select(CommitteeSession.id)):  # in order of filing
        by_filing = db.session.scalars(
            select(Proposal.number)
            .where(Proposal.session_id == session_id, Proposal.number.is_not(None))
            .order_by(Proposal.filed_at)
        ).all()
        assert by_filing == sorted(by_filing)

    # a second run refuses, says why, and changes nothing
    before = table_counts()
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "不是空的" in again.output
    db.session.expire_all()
    assert table_counts() == before


def test_demo_refuses_a_database_with_any_unit(runner):
    db.session.add(Department(code="ZJJ", name="市住房和城乡建设局"))
    db.session.commit()
    before = table_counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "不是空的" in result.output and "1 个承办单位" in result.output
    db.session.expire_all()
    assert table_counts() == before


def test_a_demo_run_that_fails_half_way_removes_what_it_wrote(runner, monkeypatch):
    from proposals.demo.engine import Runner

    real, calls = Runner.execute, iter(range(10**6))

    def failing(self, *args, **kw):
        if next(calls) == 400:  # well after the first batches were committed
            raise RuntimeError("模拟故障")
        return real(self, *args, **kw)

    monkeypatch.setattr(Runner, "execute", failing)
    before = table_counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "模拟故障" in result.output
    db.session.expire_all()
    assert table_counts() == before
