"""A believable committee year for an empty database (the `demo` command).

people.py creates the units, members, organisation accounts and staff and the sessions;
scenarios.py decides every proposal's story and plans.py turns it into dated actions that fit
the committee's deadlines; engine.py runs them all, in time order, through the same
operations the API calls, backdated with ``now=``."""

import os
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, or_, select

from ..accounts.models import Department, User
from ..committee import settings as committee_settings
from ..committee.calendar import load_calendar, local_date, utcnow
from ..committee.models import CommitteeSession, Counter
from ..extensions import db
from ..handling.models import Assignment, Reply
from ..workflow.models import Proposal
from ..workflow.states import AssignmentState as A
from .engine import Engine, Runner, local_moment, new_years, sweeps
from .people import LOGINS, create_people, ensure_sessions, make_current
from .plans import Planner
from .scenarios import Catalogue, SessionDays

SEED = 2024


def existing_records():
    """What makes a database non-empty for the demo: users, units, proposals."""
    return {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (("用户", User), ("承办单位", Department), ("提案", Proposal))
    }


def main_year(today):
    """The year whose session is shown in full. From September on that is this year; earlier
    in the year too little of it has passed (replies are due three months after assignment,
    re-handling three more), so last year's session is shown in full and this year's holds
    what has come in since 1 January."""
    return today.year if today >= date(today.year, 9, 1) else today.year - 1


@dataclass
class Summary:
    sessions: list = field(default_factory=list)  # (label, year, current, proposals)
    proposals: dict = field(default_factory=dict)  # state -> count
    assignments: dict = field(default_factory=dict)
    replies: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    overdue: int = 0
    rehandled: int = 0
    key: int = 0
    logins: list = field(default_factory=list)  # (username, name, role label, use)


def new_password():
    """A password for one installation's demo accounts: twelve random letters and digits in
    groups of four, easy to type on a phone (no 0/o or 1/l to confuse)."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def keep_password(path, password):
    """Write the demo password where `demo-logins` finds it (readable by its owner only)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")


def kept_password(path):
    """The password `demo` kept, or None (the demo was loaded elsewhere, or not at all)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip() or None
    except FileNotFoundError:
        return None


def generate(password, now=None, seed=SEED):
    """Fill the (empty) database; commits in batches. On any failure everything the demo
    wrote is removed again and the error re-raised."""
    now = now or utcnow()
    empty = [
        t
        for t in db.metadata.sorted_tables
        if not db.session.scalar(select(func.count()).select_from(t))
    ]
    created_sessions = []
    try:
        return _generate(now, seed, created_sessions, password)
    except BaseException:
        erase(empty, created_sessions)
        raise


def _generate(now, seed, created_sessions, password):
    today = local_date(now)
    rng = random.Random(seed)
    cal, conf = load_calendar(), committee_settings.all_settings()
    main = main_year(today)
    years = sorted({main - 1, main, today.year})
    before = set(db.session.scalars(select(CommitteeSession.id)))
    people = create_people(rng, local_moment(date(years[0] - 1, 12, 20), 9), password)
    sessions = ensure_sessions(cal, years)
    created_sessions += [s.id for s in sessions.values() if s.id not in before]
    make_current(sessions[years[0]])
    planner = Planner(people, rng, cal, conf, today)
    days = []
    for year in years:
        s = sessions[year]
        meeting = planner.staff_day(
            s.plenary_end + timedelta(days=35), s.plenary_end + timedelta(days=42)
        )
        days.append(SessionDays(year, s.plenary_start, s.plenary_end, meeting))
    db.session.commit()  # batch 1: people and sessions

    plans = Catalogue(planner, people, today).build(days, main)
    quarter = [None]

    def commit_by_quarter(moment):
        day = local_date(moment)
        key = (day.year, (day.month - 1) // 3)
        if key != quarter[0]:
            db.session.commit()
            quarter[0] = key

    engine = Engine(now - timedelta(seconds=1), on_tick=commit_by_quarter)
    runner = Runner(people, random.Random(seed + 1))
    for plan in plans:
        engine.start(runner.script(plan))
    engine.start(sweeps(date(years[0], 1, 1), today))
    engine.start(new_years(sessions))
    engine.run()
    make_current(sessions[today.year])
    db.session.commit()
    return summarise(today)


def erase(empty, created_sessions):
    """Remove what a failed run wrote: every row of the tables that were empty before it
    started, and the sessions it created."""
    db.session.rollback()
    for table in reversed(empty):
        db.session.execute(table.delete())
    if created_sessions:
        db.session.execute(delete(Counter).where(Counter.session_id.in_(created_sessions)))
        db.session.execute(
            delete(CommitteeSession).where(CommitteeSession.id.in_(created_sessions))
        )
    db.session.commit()


def _counts(column):
    return dict(db.session.execute(select(column, func.count()).group_by(column)).all())


def summarise(today):
    summary = Summary()
    for s in db.session.scalars(select(CommitteeSession).order_by(CommitteeSession.year)):
        n = db.session.scalar(select(func.count()).where(Proposal.session_id == s.id))
        summary.sessions.append((s.label, s.year, s.is_current, n))
    summary.proposals = _counts(Proposal.state)
    summary.assignments = _counts(Assignment.state)
    summary.replies = _counts(Reply.state)
    summary.overdue = db.session.scalar(
        select(func.count()).where(
            Assignment.state.in_([A.PENDING, A.HANDLING, A.REHANDLING]),
            Assignment.role != "co",
            or_(
                Assignment.extended_to < today,
                Assignment.extended_to.is_(None) & (Assignment.reply_due < today),
            ),
        )
    )
    summary.rehandled = db.session.scalar(select(func.count()).where(Assignment.round == 2))
    summary.key = db.session.scalar(select(func.count()).where(Proposal.is_key))
    summary.people = {
        "承办单位": db.session.scalar(select(func.count()).select_from(Department)),
        "委员": db.session.scalar(
            select(func.count()).where(User.role == "member", User.org_type.is_(None))
        ),
        "集体提案单位": db.session.scalar(select(func.count()).where(User.org_type.is_not(None))),
    }
    summary.logins = logins()
    return summary


def logins():
    users = {
        u.username: u
        for u in db.session.scalars(
            select(User).where(User.username.in_([u for u, _, _ in LOGINS]))
        )
    }
    return [
        (username, users[username].name if username in users else "", role, use)
        for username, role, use in LOGINS
    ]


__all__ = [
    "generate",
    "existing_records",
    "logins",
    "new_password",
    "keep_password",
    "kept_password",
    "SEED",
    "Summary",
]
