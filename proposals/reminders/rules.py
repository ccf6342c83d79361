"""The reminders and chasing of docs/domain.md, computed from the deadlines stored on the records.

Each rule returns the reminders due on ``today``: (recipient, kind, record, deadline, text).
A reminder stays due from its trigger date until its deadline passes, so a sweep that was
missed (Redis, the worker or beat down) is caught up by the next one; the unique identity
(recipient, kind, record, deadline) makes every reminder exist once.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, select

from ..accounts.models import Department, User
from ..committee.calendar import LOCAL_TZ
from ..extensions import db
from ..handling.models import Assignment, Contact, Opinion, Reply
from ..workflow.models import Cosigner, Proposal
from ..workflow.states import (
    AssignmentState as A,
)
from ..workflow.states import (
    CosignerState,
)
from ..workflow.states import (
    ProposalState as P,
)
from ..workflow.states import (
    ReplyState as R,
)

LIVE = (A.PENDING, A.HANDLING, A.REHANDLING)


@dataclass(frozen=True)
class Due:
    recipient_id: int
    kind: str
    record_type: str
    record_id: int
    deadline: date
    proposal_id: int | None
    text: str
    link: str


class Staff:
    """Who to tell in each unit and at the secretariat (one query)."""

    def __init__(self):
        # only staff: members (tens of thousands nationally) are never told here
        rows = db.session.execute(
            select(User.id, User.role, User.department_id).where(
                User.active, User.role.in_(("clerk", "department_head", "secretariat"))
            )
        ).all()
        self.clerks, self.heads, self.secretariat = {}, {}, []
        for uid, role, dept in rows:
            if role == "clerk":
                self.clerks.setdefault(dept, []).append(uid)
            elif role == "department_head":
                self.heads.setdefault(dept, []).append(uid)
            elif role == "secretariat":
                self.secretariat.append(uid)


def _link(proposal_id, anchor=""):
    return f"/proposals/{proposal_id}" + (f"#{anchor}" if anchor else "")


def _local_midnight_utc(day):
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def cosigning(today, conf, cal, staff):
    rows = db.session.execute(
        select(Cosigner.user_id, Cosigner.expires_on, Proposal.id, Proposal.title)
        .join(Proposal, Proposal.id == Cosigner.proposal_id)
        .where(
            Proposal.state == P.AWAITING_COSIGNERS,
            Cosigner.state == CosignerState.INVITED,
            Cosigner.expires_on >= today,
        )
    ).all()
    for user_id, expires, pid, title in rows:  # the invitation itself: an event (events.py)
        for n in conf["reminder_cosign_before_working_days"]:
            if cal.subtract_working_days(expires, n) <= today:
                yield Due(
                    user_id,
                    f"cosign_expiring_{n}",
                    "proposal",
                    pid,
                    expires,
                    pid,
                    f"联名邀请《{title}》将于 {expires} 到期，请尽快确认。",
                    _link(pid),
                )


def review_digest(today, conf, cal, staff):
    """Daily to the secretariat while any proposal has waited more than N working days."""
    limit = cal.subtract_working_days(today, conf["reminder_review_wait_working_days"])
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.state == P.SUBMITTED, Proposal.submitted_at < _local_midnight_utc(limit))
    )
    if waiting:
        for uid in staff.secretariat:
            yield Due(
                uid,
                "review_digest",
                "digest",
                0,
                today,
                None,
                f"有 {waiting} 件提案等待立案审查已超过 "
                f"{conf['reminder_review_wait_working_days']} 个工作日。",
                "/proposals?state=submitted&sort=submitted_asc",
            )


def assignments(today, conf, cal, staff):
    horizon = today + timedelta(
        days=max(
            conf["reminder_reply_before_days"]
            + [max(conf["reminder_opinion_before_days"] or [0]), 31]
        )
    )
    a = Assignment
    due = func.coalesce(a.extended_to, a.reply_due)
    # plain columns and three EXISTS, not ORM objects with their contacts, replies and opinion
    # loaded: the sweep's time grows with the live assignments (thousands nationally)
    has_contacts = exists().where(Contact.assignment_id == a.id)
    has_opinion = exists().where(Opinion.assignment_id == a.id)
    reply_written = exists().where(
        Reply.assignment_id == a.id,
        Reply.round == a.round,
        Reply.state.in_((R.AWAITING_SIGNOFF, R.AWAITING_REVIEW)),
    )
    rows = db.session.execute(
        select(
            a.id,
            a.proposal_id,
            a.department_id,
            a.state,
            a.role,
            a.accept_due,
            a.opinion_due,
            a.contact_due,
            a.assigned_at,
            due.label("reply_due"),
            Department.name.label("unit"),
            Proposal.title,
            Proposal.is_key,
            Proposal.supervisor_id,
            has_contacts.label("has_contacts"),
            has_opinion.label("has_opinion"),
            reply_written.label("reply_written"),
        )
        .join(Proposal, Proposal.id == a.proposal_id)
        .join(Department, Department.id == a.department_id)
        .where(a.state.in_(LIVE))
        # without table statistics SQLite scans every assignment of every year for the OR of
        # deadlines below; the live ones are a few hundred, found through this index
        .with_hint(a, "INDEXED BY ix_assignments_state_reply_due", "sqlite")
        .where(
            (due <= horizon)
            | (a.accept_due <= horizon)
            | (a.contact_due <= horizon)
            | (a.opinion_due <= horizon)
        )
    ).all()
    repeat = conf["reminder_overdue_repeat_days"]
    for a in rows:
        title, is_key, supervisor_id = a.title, a.is_key, a.supervisor_id
        pid, clerks = a.proposal_id, staff.clerks.get(a.department_id, [])
        link = _link(pid, f"assignment-{a.id}")
        unit = a.unit
        if a.state == A.PENDING and a.accept_due >= today:
            for n in conf["reminder_accept_before_working_days"]:
                if cal.subtract_working_days(a.accept_due, n) <= today:
                    for uid in clerks:
                        yield Due(
                            uid,
                            f"accept_due_{n}",
                            "assignment",
                            a.id,
                            a.accept_due,
                            pid,
                            f"《{title}》请于 {a.accept_due} 前签收或申请调整。",
                            link,
                        )
        if a.role == "co":
            if a.has_opinion:
                continue
            for n in conf["reminder_opinion_before_days"]:
                if a.opinion_due - timedelta(days=n) <= today <= a.opinion_due:
                    for uid in clerks:
                        yield Due(
                            uid,
                            f"opinion_due_{n}",
                            "assignment",
                            a.id,
                            a.opinion_due,
                            pid,
                            f"《{title}》的会办意见应于 {a.opinion_due} 前送主办单位。",
                            link,
                        )
            if today > a.opinion_due:
                for uid in clerks:
                    yield Due(
                        uid,
                        "opinion_overdue",
                        "assignment",
                        a.id,
                        a.opinion_due,
                        pid,
                        f"《{title}》的会办意见已逾期（应于 {a.opinion_due} 前提交）。",
                        link,
                    )
            continue
        if not a.has_contacts and today <= a.contact_due:
            start = a.assigned_at.astimezone(LOCAL_TZ).date()
            for n in conf["reminder_contact_at_working_days"]:
                if cal.add_working_days(start, n) <= today:
                    for uid in clerks:
                        yield Due(
                            uid,
                            f"contact_missing_{n}",
                            "assignment",
                            a.id,
                            a.contact_due,
                            pid,
                            f"《{title}》尚未记录办前沟通，请于 {a.contact_due} 前与提案人沟通。",
                            link,
                        )
        reply_due = a.reply_due
        if a.reply_written:
            continue  # the reply is written; sign-off and review are chased by their queues
        if today <= reply_due:
            for n in conf["reminder_reply_before_days"]:
                if reply_due - timedelta(days=n) <= today:
                    for uid in clerks:
                        yield Due(
                            uid,
                            f"reply_due_{n}",
                            "assignment",
                            a.id,
                            reply_due,
                            pid,
                            f"《{title}》应于 {reply_due} 前答复（还剩 "
                            f"{(reply_due - today).days} 天）。",
                            link,
                        )
        else:
            first = reply_due + timedelta(days=1)
            chase = first + timedelta(days=repeat * ((today - first).days // repeat))
            late = (today - reply_due).days
            text = f"催办：{unit}承办的《{title}》已逾期 {late} 天未答复（期限 {reply_due}）。"
            for uid in clerks + staff.heads.get(a.department_id, []) + staff.secretariat:
                yield Due(uid, "reply_overdue", "assignment", a.id, chase, pid, text, link)
            if is_key and supervisor_id:
                yield Due(
                    supervisor_id,
                    "key_overdue",
                    "assignment",
                    a.id,
                    chase,
                    pid,
                    "重点提案" + text,
                    link,
                )


def ratings(today, conf, cal, staff):
    rows = db.session.execute(
        select(Reply.id, Reply.rating_due, Proposal.id, Proposal.proposer_id, Proposal.title)
        .join(Assignment, Assignment.id == Reply.assignment_id)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Reply.state == R.DELIVERED, Reply.rating_due >= today)
    ).all()
    for reply_id, rating_due, pid, proposer_id, title in rows:
        for n in conf["reminder_rating_before_working_days"]:
            if cal.subtract_working_days(rating_due, n) <= today:
                yield Due(
                    proposer_id,
                    f"rating_due_{n}",
                    "reply",
                    reply_id,
                    rating_due,
                    pid,
                    f"《{title}》的答复请于 {rating_due} 前进行满意度测评。",
                    _link(pid, f"reply-{reply_id}"),
                )


RULES = (cosigning, review_digest, assignments, ratings)


def due_reminders(today, conf, cal):
    staff = Staff()
    seen = set()
    for rule in RULES:
        for item in rule(today, conf, cal, staff):
            key = (item.recipient_id, item.kind, item.record_type, item.record_id, item.deadline)
            if key not in seen:
                seen.add(key)
                yield item
