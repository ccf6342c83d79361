"""What is waiting for each person (the home pages): read-only queries, oldest first."""
from datetime import timedelta

from sqlalchemy import select

from ..handling.models import Assignment, ExtensionRequest, Reply
from .models import Cosigner, Proposal
from .queries import overdue_condition
from .states import AssignmentState as A, CosignerState, ProposalState as P, ReplyState as R

LIMIT = 50


def _all(query):
    from ..extensions import db
    return db.session.scalars(query.limit(LIMIT)).unique().all()


def member_queues(user, today):
    return {
        "drafts": _all(select(Proposal).where(Proposal.proposer_id == user.id,
                                              Proposal.state == P.DRAFT)
                       .order_by(Proposal.created_at.desc())),
        "invitations": _all(select(Proposal).join(Cosigner).where(
            Cosigner.user_id == user.id, Cosigner.state == CosignerState.INVITED,
            Proposal.state == P.AWAITING_COSIGNERS).order_by(Cosigner.expires_on)),
        "to_rate": _all(select(Reply).join(Assignment).join(Proposal).where(
            Proposal.proposer_id == user.id, Reply.state == R.DELIVERED)
            .order_by(Reply.rating_due)),
        "recent": _all(select(Proposal).where(Proposal.proposer_id == user.id,
                                              Proposal.state != P.DRAFT)
                       .order_by(Proposal.submitted_at.desc()).limit(10)),
    }


def secretariat_queues(user, today):
    return {
        "to_review": _all(select(Proposal).where(Proposal.state == P.SUBMITTED)
                          .order_by(Proposal.submitted_at)),
        "to_assign": _all(select(Proposal).where(Proposal.state == P.FILED)
                          .order_by(Proposal.filed_at)),
        "reassignments": _all(select(Assignment).where(
            Assignment.state == A.REASSIGNMENT_REQUESTED).order_by(Assignment.assigned_at)),
        "extensions": _all(select(ExtensionRequest).where(ExtensionRequest.state == "pending")
                           .order_by(ExtensionRequest.created_at)),
        "replies_to_check": _all(select(Reply).where(Reply.state == R.AWAITING_REVIEW)
                                 .order_by(Reply.created_at)),
        "overdue": _all(select(Assignment).where(overdue_condition(today))
                        .order_by(Assignment.reply_due)),
        "consultations": _all(select(Proposal).where(Proposal.consultation_due)
                              .order_by(Proposal.id)),
    }


def unit_queues(user, today):
    mine = Assignment.department_id == user.department_id
    live = Assignment.state.in_([A.HANDLING, A.REHANDLING])
    queues = {
        "new": _all(select(Assignment).where(mine, Assignment.state == A.PENDING)
                    .order_by(Assignment.accept_due)),
        "overdue": _all(select(Assignment).where(mine, overdue_condition(today))
                        .order_by(Assignment.reply_due)),
        "due_soon": _all(select(Assignment).where(
            mine, live, Assignment.role != "co",
            ~overdue_condition(today),
            Assignment.reply_due <= today + timedelta(days=30)).order_by(Assignment.reply_due)),
        "opinions_due": _all(select(Assignment).where(mine, Assignment.role == "co",
                                                      Assignment.state == A.HANDLING)
                             .order_by(Assignment.opinion_due)),
        "returned": _all(select(Reply).join(Assignment).where(
            mine, Reply.state == R.RETURNED, live).order_by(Reply.created_at)),
        "follow_ups": _all(select(Assignment).where(mine, Assignment.follow_up_open)
                           .order_by(Assignment.id)),
    }
    queues["to_sign"] = _all(select(Reply).join(Assignment).where(
        mine, Reply.state == R.AWAITING_SIGNOFF).order_by(Reply.created_at)) \
        if user.role == "department_head" else []
    return queues
