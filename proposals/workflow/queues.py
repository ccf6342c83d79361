"""What is waiting for each person (the home pages): read-only queries, oldest first; the
unit's open items in the lists' "work first" order (queries.assignment_order).

A home page shows up to seven queues. Each queue is a filtered, ordered id query limited to
LIMIT rows; all the queues of a page run as ONE statement (UNION ALL of the per-queue id
queries, each numbering its rows), then each kind of record is loaded once by id with what the
templates show joined to it: a fixed number of statements whatever the number of rows
"""

from sqlalchemy import Integer, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from ..handling.models import Assignment, ExtensionRequest, Reply
from .models import Cosigner, Proposal
from .queries import (
    OPEN_ASSIGNMENT,
    WORK_GROUPS,
    assignment_order,
    due_soon_days,
    overdue_condition,
    work_group,
)
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


def _queue(model, *where, order, join=None, limit=LIMIT, tag=None):
    """One queue: (model, the numbered id query limited to ``limit``, None: all). ``tag``: an
    integer expression given with each record (the queue's items are then (record, tag))."""
    order = [*order, model.id]
    query = select(
        model.id.label("id"),
        func.row_number().over(order_by=order).label("pos"),
        (literal(None, Integer) if tag is None else tag).label("tag"),
    )
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
        select(literal(name).label("queue"), sub.c.id, sub.c.pos, sub.c.tag).select_from(sub)
        for name, (_, query) in queues.items()
        for sub in [query.subquery()]
    ]
    rows = db.session.execute(union_all(*parts)).all()
    wanted = {}
    for name, ident, _pos, _tag in rows:
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
    for name, ident, _pos, tag in sorted(rows, key=lambda row: (row[0], row[2])):
        record = records[queues[name][0]].get(ident)
        if record is not None:
            out[name].append(record if tag is None else (record, tag))
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
            "overdue": _queue(
                Assignment,
                overdue_condition(today),
                order=assignment_order("work", today, 0),  # all overdue: no "due soon"
            ),
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
                Assignment, mine, overdue_condition(today), order=assignment_order("work", today, 0)
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
    """Every open item of the unit in one list, "work first" (the order its assignment list
    opens on), each with its group (WORK_GROUPS): re-handling, overdue, due soon, new, the
    others by nearest deadline however far; then the replies returned, the B-class follow-ups
    and, for the head, the replies to sign."""
    mine = Assignment.department_id == user.department_id
    live = Assignment.state.in_([A.HANDLING, A.REHANDLING])
    soon = due_soon_days()
    queues = {
        "work": _queue(
            Assignment,
            mine,
            Assignment.state.in_(OPEN_ASSIGNMENT),
            Assignment.state != A.PROPOSED,  # the supervising office's to confirm first
            order=assignment_order("work", today, soon),
            limit=None,
            tag=work_group(today, soon),
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
    out["work"] = [(a, WORK_GROUPS[group]) for a, group in out["work"]]
    return out
