"""The `demo` command: a believable committee year in an empty database, or a refusal."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

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

    # replies that read right, few overdue items, the plenary session handled
    check_year(today)

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


# --- the demo's texts and its year --------------------------------------------------------

ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# a word of two or more characters written twice in a row ("执行工作工作", "保护保护")
DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,})\1")


def member(name, org_type=None):
    return SimpleNamespace(name=name, org_type=org_type)


def every_text(topic):
    """Everything the demo composes from a topic: each analysis form, each reply kind."""
    from proposals.demo import texts

    for form in texts._ANALYSIS:
        rng = SimpleNamespace(
            choice=lambda seq, form=form: form if seq is texts._ANALYSIS else seq[0]
        )
        yield texts.proposal_content(topic, topic.titles[0], rng, (0, 10_000))["analysis"]
    for result in ("A", "B", "C"):
        yield texts.reply_text(
            result, [member("张三")], topic.titles[0], topic, "市教育局", date(2026, 3, 5), 2026
        )
    yield texts.opinion_text(
        "市财政局", topic, SimpleNamespace(choice=lambda seq: seq[0]), "市教育局"
    )


def test_no_demo_text_doubles_a_word():
    from proposals.demo.data import TOPICS

    assert any(t.subject == "执行工作" for t in TOPICS)  # the case that once read 执行工作工作
    doubled = [
        (topic.subject, m.group(0))
        for topic in TOPICS
        for text in every_text(topic)
        for m in DOUBLED.finditer(text)
    ]
    assert doubled == []


def test_a_reply_salutes_every_proposer_and_writes_dates_in_chinese():
    from proposals.demo import texts
    from proposals.demo.data import TOPICS

    topic = TOPICS[0]
    joint = texts.reply_text(
        "B",
        [member("张三"), member("李四")],
        "关于X的建议",
        topic,
        "市教育局",
        date(2026, 3, 5),
        2026,
    )
    assert joint.startswith("张三委员并李四委员：\n") and "你们提出的《关于X的建议》" in joint
    assert "2026年3月5日" in joint and not ISO_DATE.search(joint)
    single = texts.reply_text("A", [member("张三")], "关于X的建议", topic, "市教育局")
    assert single.startswith("张三委员：\n您提出的")
    org = texts.reply_text("C", [member("民盟临江市委", "party")], "关于X", topic, "市教育局")
    assert org.startswith("民盟临江市委：\n你们提出的")


def test_split_units_answer_their_own_part():
    from proposals.demo import texts
    from proposals.demo.data import TOPICS

    topic = next(t for t in TOPICS if len(t.suggestions) >= 2)
    units = ["市教育局", "市财政局"]
    letters = [
        texts.reply_text(
            "A",
            [member("张三")],
            "关于X的建议",
            topic,
            name,
            share=texts.split_share(topic.suggestions, i, 2),
            split_with=[u for u in units if u != name],
        )
        for i, name in enumerate(units)
    ]
    assert letters[0] != letters[1]
    for i, letter in enumerate(letters):
        mine = texts.split_share(topic.suggestions, i, 2)
        theirs = texts.split_share(topic.suggestions, 1 - i, 2)
        assert all(f"关于“{s}”" in letter for s in mine)
        assert not any(f"关于“{s}”" in letter for s in theirs)
        assert f"与{units[1 - i]}分别办理" in letter


def demo_replies():
    """(proposal, assignment, reply text) of every reply the demo wrote, last version."""
    return db.session.execute(
        select(Proposal, Assignment, Reply.text)
        .join(Assignment, Assignment.proposal_id == Proposal.id)
        .join(Reply, Reply.assignment_id == Assignment.id)
    ).all()


def check_year(today):
    """What a newcomer sees whatever the day: replies that read right, few overdue items,
    plenary proposals of the session shown in full closed."""
    from proposals.demo import main_year
    from proposals.workflow.models import Cosigner

    replies = demo_replies()
    assert replies
    by_proposal = defaultdict(dict)
    for proposal, assignment, text in replies:
        assert not ISO_DATE.search(text), text
        assert not DOUBLED.search(text), text
        accepted = db.session.scalars(
            select(User.name)
            .join(Cosigner, Cosigner.user_id == User.id)
            .where(Cosigner.proposal_id == proposal.id, Cosigner.state == "accepted")
        ).all()
        first = text.split("\n", 1)[0]
        for name in [proposal.proposer.name, *accepted]:
            assert name in first, (first, name)
        by_proposal[proposal.id][assignment.department_id] = (assignment.role, text)
    split = [
        units
        for units in by_proposal.values()
        if sum(1 for role, _ in units.values() if role == "split") > 1
    ]
    assert split  # two split units replied on one proposal at least
    for units in split:
        letters = [t for role, t in units.values() if role == "split"]
        assert len(set(letters)) == len(letters)
        assert all("分别办理" in t for t in letters)
    overdue = db.session.execute(
        select(Assignment.id, Proposal.is_key)
        .join(Proposal, Assignment.proposal_id == Proposal.id)
        .where(
            Assignment.state.in_([A.PENDING, A.HANDLING, A.REHANDLING]),
            Assignment.role != "co",
            or_(
                Assignment.extended_to < today,
                Assignment.extended_to.is_(None) & (Assignment.reply_due < today),
            ),
        )
    ).all()
    co_names = {
        pid: db.session.scalars(
            select(Department.name)
            .join(Assignment, Assignment.department_id == Department.id)
            .where(Assignment.proposal_id == pid, Assignment.role == "co")
        ).all()
        for pid in by_proposal
    }
    led_with_co = [
        (text, co_names[pid])
        for pid, units in by_proposal.items()
        for role, text in units.values()
        if role == "lead" and co_names[pid]
    ]
    assert led_with_co
    for text, names in led_with_co:  # a lead unit names the co-units it consulted
        assert "会同" in text and any(name in text for name in names), text
    assert 1 <= len(overdue) <= 3, overdue
    assert sum(1 for _, key in overdue if key) <= 1
    session = db.session.scalar(
        select(CommitteeSession).where(CommitteeSession.year == main_year(today))
    )
    plenary = dict(
        db.session.execute(
            select(Proposal.state, func.count())
            .where(Proposal.session_id == session.id, Proposal.is_plenary)
            .group_by(Proposal.state)
        ).all()
    )
    assert plenary.get("closed", 0) >= 0.9 * (plenary.get("closed", 0) + plenary.get("assigned", 0))


@pytest.mark.slow
@pytest.mark.one_database("sqlite")
@pytest.mark.parametrize("today", [date(2026, 3, 20), date(2026, 10, 31)])
def test_the_demo_year_looks_like_a_working_committee_whatever_the_day(ctx, today):
    from proposals.demo import generate

    now = datetime.combine(today, time(10), UTC)
    generate("pw-for-test", now=now)
    db.session.expire_all()
    check_year(today)
