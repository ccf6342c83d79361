"""Who may see what (DOMAIN.md §7): members their own, co-signed and merged-into proposals; a
unit only its assignments; the secretariat everything that has been submitted."""
from sqlalchemy import and_, exists, false, or_, select

from ..handling.models import Assignment
from .models import Cosigner, Proposal
from .states import ProposalState as P, ReplyState as R, Role


def visible_filter(user):
    """A SQL condition on Proposal for what ``user`` may see."""
    if user is None:
        return false()
    if user.role == Role.SECRETARIAT:
        return or_(Proposal.state != P.DRAFT, Proposal.receipt_serial.is_not(None))
    if user.role == Role.MEMBER:
        child = Proposal.__table__.alias("child")
        return or_(
            Proposal.proposer_id == user.id,
            and_(Proposal.state != P.DRAFT,
                 exists().where(Cosigner.proposal_id == Proposal.id,
                                Cosigner.user_id == user.id)),
            exists(select(child.c.id).where(child.c.merged_into_id == Proposal.id,
                                            child.c.proposer_id == user.id)),
        )
    if user.role in (Role.CLERK, Role.DEPARTMENT_HEAD) and user.department_id:
        return exists().where(Assignment.proposal_id == Proposal.id,
                              Assignment.department_id == user.department_id)
    return false()


def can_view(user, proposal):
    if user is None:
        return False
    if user.role == Role.SECRETARIAT:
        return proposal.state != P.DRAFT or proposal.receipt_serial is not None
    if user.role == Role.MEMBER:
        return (proposal.proposer_id == user.id
                or (proposal.state != P.DRAFT and proposal.cosigner_for(user) is not None)
                or any(m.proposer_id == user.id for m in proposal.merged))
    if user.is_unit_staff:
        return any(a.department_id == user.department_id for a in proposal.assignments)
    return False


def can_view_reply(user, reply):
    """Drafts stay inside the unit and the secretariat; proposers see delivered replies."""
    if user.role == Role.SECRETARIAT:
        return True
    if user.is_unit_staff and reply.assignment.department_id == user.department_id:
        return True
    return reply.state in (R.DELIVERED, R.RATED, R.UNRATED)


def can_view_internal(user, proposal):
    """Co-unit opinions, extension and reassignment requests: secretariat and the units."""
    return user.role == Role.SECRETARIAT or (
        user.is_unit_staff and any(a.department_id == user.department_id
                                   for a in proposal.assignments))


def can_view_contact_details(user):
    """Proposers' phone and e-mail: the secretariat and units (to make contact)."""
    return user.role == Role.SECRETARIAT or user.is_unit_staff


def visible_assignments_filter(user):
    if user.role == Role.SECRETARIAT:
        return Assignment.id.is_not(None)
    if user.is_unit_staff and user.department_id:
        return Assignment.department_id == user.department_id
    return false()

