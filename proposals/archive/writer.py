"""Writing the checked rows (checks.py Entries) as closed proposals, as if each had gone
through the workflow in its year: numbered and filed when submitted, assigned the same day, its
reply delivered and rated, everything closed. Nothing here checks input: check_rows did, and
any problem there means this is never called.

The dates the sheet gives place the events in time, and the statistics count them from there
(docs/domain.md, "Proposals of earlier years", says which date stands for what). The deadlines
stored on the records (NOT NULL columns) are computed from those dates with the committee's
current settings and calendar, as they would have been at the time. The records are closed,
so no reminder or sweep ever acts on them, and the history entry's action (``import``)
notifies nobody (notifications/events.py has no event for it)."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update

from ..accounts.models import User
from ..committee import settings as committee_settings
from ..committee.calendar import LOCAL_TZ, add_months, load_calendar
from ..committee.models import Counter
from ..extensions import db
from ..handling.models import Assignment, Rating, Reply
from ..workflow.core import log
from ..workflow.models import Cosigner, Proposal
from ..workflow.states import AssignmentState as A
from ..workflow.states import CosignerState
from ..workflow.states import ProposalState as P
from ..workflow.states import ReplyState as R
from .checks import NewAccount

USERNAME_PREFIX = "archive-"  # archive-0001, archive-0002 …: numbered on from the highest
NO_PASSWORD = "!"  # matches no password hash: the account cannot sign in (and it is inactive)
NOT_GIVEN = "—"  # the reply's signing leader and contact, which the sheet does not carry
WITHHELD_REASON = "历年提案导入时设为不公开"
HISTORY_ACTION = "import"


def moment(day):
    """Noon of a local (Asia/Shanghai) date, in UTC: when an event of that day is placed."""
    return datetime.combine(day, time(12), tzinfo=LOCAL_TZ).astimezone(UTC)


def _local_midnight_after(day):
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def usernames(count):
    """``count`` fresh usernames after the highest archive-NNNN in use."""
    taken = db.session.scalars(
        select(User.username).where(User.username.like(USERNAME_PREFIX + "%"))
    ).all()
    numbers = [u[len(USERNAME_PREFIX) :] for u in taken]
    top = max((int(n) for n in numbers if n.isascii() and n.isdigit()), default=0)
    return [f"{USERNAME_PREFIX}{n:04d}" for n in range(top + 1, top + 1 + count)]


def create_accounts(accounts):
    """An inactive member account (an organisation account when it has a type) for each
    NewAccount, in the order the sheet first names them."""
    for account, username in zip(accounts, usernames(len(accounts)), strict=True):
        account.user = User(
            username=username,
            name=account.name,
            role="member",
            org_type=account.org_type,
            password_hash=NO_PASSWORD,
            active=False,
        )
        db.session.add(account.user)


def write_entry(actor, entry, *, conf, cal, now, today, withhold, source):
    """One row: the proposal, its co-signers, one assignment per unit, the lead's delivered
    reply, the first proposer's rating, and the history entry saying it was imported."""
    users = [p.user if isinstance(p, NewAccount) else p for p in entry.proposers]
    day = entry.submitted_on
    at = moment(day)
    reply_due = add_months(day, conf[committee_settings.reply_due_months_key(entry.is_plenary)])
    replied_on = entry.replied_on or min(reply_due, today)
    delivered = moment(replied_on)
    rating_due = cal.add_working_days(replied_on, conf["rating_window_working_days"])
    if entry.rating:
        closed = delivered
    else:  # closed as unrated once its rating window was over (not later than now)
        closed = max(delivered, min(now, _local_midnight_after(rating_due)))
    # a first unsatisfied rating always sends an item back (重新办理): an item that ended
    # unsatisfied ended in its second round, and counting it so keeps it out of the figures'
    # "waiting for re-handling" (overdue)
    round_ = 2 if entry.rating == "unsatisfied" else 1
    proposal = Proposal(
        session=entry.session,
        proposer=users[0],
        kind=entry.kind,
        state=P.CLOSED,
        title=entry.title,
        category=entry.category,
        analysis=entry.analysis,
        suggestions=entry.suggestions,
        is_plenary=entry.is_plenary,
        number=entry.number,
        submitted_at=at,
        filed_at=at,
        closed_at=closed,
        imported_at=now,
        not_for_disclosure=withhold,
        not_for_disclosure_reason=WITHHELD_REASON if withhold else None,
    )
    db.session.add(proposal)
    for user in users[1:]:
        db.session.add(
            Cosigner(
                proposal=proposal,
                user=user,
                state=CosignerState.ACCEPTED,
                invited_at=at,
                responded_at=at,
            )
        )
    assignments = []
    for unit, role in [(entry.lead, "lead"), *((u, "co") for u in entry.co)]:
        assignment = Assignment(
            proposal=proposal,
            department=unit,
            role=role,
            state=A.CLOSED,
            round=round_ if role == "lead" else 1,
            assigned_at=at,
            accepted_at=at,
            accept_due=cal.add_working_days(day, conf["accept_window_working_days"]),
            contact_due=cal.add_working_days(day, conf["contact_due_working_days"]),
            opinion_due=add_months(day, conf["opinion_due_months"]) if role == "co" else None,
            round_started_on=day,
            reply_due=reply_due,
            closed_at=closed,
        )
        db.session.add(assignment)
        assignments.append(assignment)
    reply = Reply(
        assignment=assignments[0],
        round=round_,
        state=R.RATED if entry.rating else R.UNRATED,
        result=entry.result,
        text=entry.reply,
        signer=NOT_GIVEN,
        contact=NOT_GIVEN,
        # a B reply promises a date (a constraint of the table): the sheet's, else the reply's
        promised_date=(entry.promised_on or replied_on) if entry.result == "B" else None,
        drafted_by_id=actor.id,
        created_at=delivered,
        delivered_at=delivered,
        due_on=reply_due,
        rating_due=rating_due,
    )
    db.session.add(reply)
    if entry.rating:
        db.session.add(
            Rating(
                reply=reply,
                rater=users[0],
                is_primary=True,
                rating=entry.rating,
                created_at=delivered,
                source="paper",  # entered by the secretariat, not given online
                entered_by_id=actor.id,
            )
        )
    log(
        proposal,
        actor,
        HISTORY_ACTION,
        None,
        P.CLOSED,
        comment=f"历年提案导入：{source} 第 {entry.line} 行",
        now=now,
    )
    return proposal


def advance_counters(entries):
    """Each session's number counter past the highest number imported into it, so that a
    proposal filed there later never takes a number already used."""
    top = {}
    for entry in entries:
        top[entry.session.id] = max(top.get(entry.session.id, 0), entry.number)
    for session_id, number in sorted(top.items()):
        counter = db.session.get(Counter, (session_id, "number"))
        if counter is None:
            db.session.add(Counter(session_id=session_id, kind="number", last_value=number))
            continue
        # a conditional UPDATE, like next_counter's: a filing at the same moment is not undone
        db.session.execute(
            update(Counter)
            .where(
                Counter.session_id == session_id,
                Counter.kind == "number",
                Counter.last_value < number,
            )
            .values(last_value=number)
        )


def write_entries(actor, entries, *, conf, now, today, withhold, source):
    """Every checked row, in one flush (the search index follows it: search/events.py)."""
    cal = load_calendar()
    accounts, seen = [], set()
    for entry in entries:
        for account in entry.new_accounts:
            if id(account) not in seen:
                seen.add(id(account))
                accounts.append(account)
    create_accounts(accounts)
    proposals = [
        write_entry(
            actor,
            entry,
            conf=conf,
            cal=cal,
            now=now,
            today=today,
            withhold=withhold,
            source=source,
        )
        for entry in entries
    ]
    db.session.flush()
    advance_counters(entries)
    db.session.flush()
    return proposals, [a.user for a in accounts]
