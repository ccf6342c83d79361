"""What is waiting for each person (the home pages): read-only queries, oldest first.

A home page shows up to seven queues. Each queue is a filtered, ordered id query limited to
LIMIT rows; all the queues of a page run as ONE statement (UNION ALL of the per-queue id
queries, each numbering its rows), then each kind of record is loaded once by id with what the
templates show joined to it: a fixed number of statements whatever the number of rows
"""

from datetime import timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload

from ..handling.models import Assignment, ExtensionRequest, Reply
from .models import Cosigner, Proposal
from .queries import overdue_condition
from .states import AssignmentState as A
from .states import CosignerState
from .states import ProposalState as P
from .states import ReplyState as R

LIMIT = 50


def _with_parts(path):
    return (path.joinedload(Assignment.proposal), path.joinedload(Assignment.department))


LOAD = {  # what the home templates read of each kind of record, joined to its row
    Proposal: lambda: (
        joinedload(Proposal.proposer),
        joinedload(Proposal.suggested_departments),
    ),  # secretariat/queues.html
    Assignment: lambda: (joinedload(Assignment.proposal), joinedload(Assignment.department)),
    Reply: lambda: _with_parts(joinedload(Reply.assignment)),
    ExtensionRequest: lambda: _with_parts(joinedload(ExtensionRequest.assignment)),
}


def _queue(model, *where, order, join=None, limit=LIMIT):
    """One queue: (model, the numbered id query limited to ``limit``)."""
    order = [*order, model.id]
    query = select(model.id.label("id"), func.row_number().over(order_by=order).label("pos"))
    if join is not None:
        query = query.join(join)
    return model, query.where(*where).order_by(*order).limit(limit)


def _load(queues):
    """{name: (model, query)} -> {name: [records in the queue's order]} in 1 + (kinds of
    record) statements."""
    from ..extensions import db

    if not queues:
        return {}
    parts = [
        select(literal(name).label("queue"), sub.c.id, sub.c.pos).select_from(sub)
        for name, (_, query) in queues.items()
        for sub in [query.subquery()]
    ]
    rows = db.session.execute(union_all(*parts)).all()
    wanted = {}
    for name, ident, _pos in rows:
        wanted.setdefault(queues[name][0], set()).add(ident)
    records = {}
    for model, ids in wanted.items():
        found = (
            db.session.scalars(select(model).where(model.id.in_(ids)).options(*LOAD[model]()))
            .unique()
            .all()
        )
        records[model] = {r.id: r for r in found}
    out = {name: [] for name in queues}
    for name, ident, _pos in sorted(rows, key=lambda row: (row[0], row[2])):
        record = records[queues[name][0]].get(ident)
        if record is not None:
            out[name].append(record)
    return out


def member_queues(user, today):
    return _load(
        {
            "drafts": _queue(
                Proposal,
                Proposal.proposer_id == user.id,
                Proposal.state == P.DRAFT,
                order=[Proposal.created_at.desc()],
            ),
            "invitations": _queue(
                Proposal,
                Cosigner.user_id == user.id,
                Cosigner.state == CosignerState.INVITED,
                Proposal.state == P.AWAITING_COSIGNERS,
                join=Cosigner,
                order=[Cosigner.expires_on],
            ),
            "to_rate": _queue(
                Reply,
                Proposal.proposer_id == user.id,
                Reply.state == R.DELIVERED,
                join=Assignment.__table__.join(Proposal, Proposal.id == Assignment.proposal_id),
                order=[Reply.rating_due],
            ),
            "recent": _queue(
                Proposal,
                Proposal.proposer_id == user.id,
                Proposal.state != P.DRAFT,
                order=[Proposal.submitted_at.desc()],
                limit=10,
            ),
        }
    )


def secretariat_queues(user, today):
    return _load(
        {
            "to_review": _queue(
                Proposal, Proposal.state == P.SUBMITTED, order=[Proposal.submitted_at]
            ),
            # staged review: 初审 done, waiting for another account's 审定
            "to_confirm_review": _queue(
                Proposal, Proposal.state == P.PRE_REVIEWED, order=[Proposal.submitted_at]
            ),
            "to_assign": _queue(Proposal, Proposal.state == P.FILED, order=[Proposal.filed_at]),
            "reassignments": _queue(
                Assignment,
                Assignment.state == A.REASSIGNMENT_REQUESTED,
                order=[Assignment.assigned_at],
            ),
            "extensions": _queue(
                ExtensionRequest,
                ExtensionRequest.state == "pending",
                order=[ExtensionRequest.created_at],
            ),
            "replies_to_check": _queue(
                Reply, Reply.state == R.AWAITING_REVIEW, order=[Reply.created_at]
            ),
            "overdue": _queue(Assignment, overdue_condition(today), order=[Assignment.reply_due]),
            "consultations": _queue(Proposal, Proposal.consultation_due, order=[]),
        }
    )


def office_queues(user, today):
    """A supervising office's work on its units: assignments to confirm, requests to decide and
    replies to review (where the settings give it them), and its units' overdue items."""
    from ..accounts.models import Department
    from ..extensions import db

    mine = Assignment.department_id.in_(user.office_department_ids or {0})
    out = _load(
        {
            "to_confirm": _queue(
                Assignment,
                mine,
                Assignment.state == A.PROPOSED,
                Assignment.confirmed_at.is_(None),
                order=[Assignment.assigned_at],
            ),
            "reassignments": _queue(
                Assignment,
                mine,
                Assignment.state == A.REASSIGNMENT_REQUESTED,
                order=[Assignment.assigned_at],
            ),
            "extensions": _queue(
                ExtensionRequest,
                mine,
                ExtensionRequest.state == "pending",
                join=Assignment,
                order=[ExtensionRequest.created_at],
            ),
            "replies_to_check": _queue(
                Reply,
                mine,
                Reply.state == R.AWAITING_OFFICE_REVIEW,
                join=Assignment,
                order=[Reply.created_at],
            ),
            "overdue": _queue(
                Assignment, mine, overdue_condition(today), order=[Assignment.reply_due]
            ),
        }
    )
    out["units"] = db.session.scalars(
        select(Department.name)
        .where(Department.id.in_(user.office_department_ids or {0}))
        .order_by(Department.code)
    ).all()
    return out


def unit_queues(user, today):
    """Every open item of the unit, each in one queue: re-handling first, then overdue, due
    within 30 days, new, the rest in hand, co-handling opinions, and those waiting for a
    reassignment decision."""
    mine = Assignment.department_id == user.department_id
    live = Assignment.state.in_([A.HANDLING, A.REHANDLING])
    soon = today + timedelta(days=30)
    replying = (Assignment.role != "co", ~overdue_condition(today))
    queues = {
        "rehandling": _queue(
            Assignment,
            mine,
            Assignment.state == A.REHANDLING,
            *replying,
            order=[Assignment.reply_due],
        ),
        "new": _queue(
            Assignment, mine, Assignment.state == A.PENDING, order=[Assignment.accept_due]
        ),
        "overdue": _queue(Assignment, mine, overdue_condition(today), order=[Assignment.reply_due]),
        "due_soon": _queue(
            Assignment,
            mine,
            Assignment.state == A.HANDLING,
            *replying,
            Assignment.reply_due <= soon,
            order=[Assignment.reply_due],
        ),
        "in_hand": _queue(
            Assignment,
            mine,
            Assignment.state == A.HANDLING,
            *replying,
            Assignment.reply_due > soon,
            order=[Assignment.reply_due],
        ),
        "reassignment": _queue(
            Assignment,
            mine,
            Assignment.state == A.REASSIGNMENT_REQUESTED,
            order=[Assignment.accept_due],
        ),
        "opinions_due": _queue(
            Assignment,
            mine,
            Assignment.role == "co",
            Assignment.state == A.HANDLING,
            order=[Assignment.opinion_due],
        ),
        "returned": _queue(
            Reply, mine, Reply.state == R.RETURNED, live, join=Assignment, order=[Reply.created_at]
        ),
        "follow_ups": _queue(Assignment, mine, Assignment.follow_up_open, order=[]),
    }
    if user.role == "department_head":
        queues["to_sign"] = _queue(
            Reply,
            mine,
            Reply.state == R.AWAITING_SIGNOFF,
            join=Assignment,
            order=[Reply.created_at],
        )
    out = _load(queues)
    out.setdefault("to_sign", [])
    return out
