"""Read-only queries of year-end recognition: a year's nominations, the units that may be
nominated, and the rule "handled an assignment that year" that the nomination checks."""

from sqlalchemy import case, exists, select

from ..accounts.models import Department
from ..committee.models import CommitteeSession
from ..extensions import db
from ..handling.models import Assignment
from ..inputs import MAX_ID, bounded_int
from ..workflow.models import Proposal
from .models import Recognition


def handled_in(year):
    """A condition on Department: the unit accepted (签收, by lapse of time included) at least
    one assignment of a proposal of a session of ``year``. An assignment reassigned away before
    acceptance was never the unit's work, and has no acceptance time."""
    return exists().where(
        Assignment.department_id == Department.id,
        Assignment.accepted_at.is_not(None),
        Assignment.proposal_id == Proposal.id,
        Proposal.session_id == CommitteeSession.id,
        CommitteeSession.year == year,
    )


def eligible_departments(year):
    """The active units that may be nominated for ``year``, by code."""
    return db.session.scalars(
        select(Department).where(Department.active, handled_in(year)).order_by(Department.code)
    ).all()


def has_handled(department, year):
    return bool(db.session.scalar(select(handled_in(year).where(Department.id == department.id))))


def recognitions_query(year):
    """The nominations of ``year``: proposals first, by number, then units, by code."""
    return (
        select(Recognition)
        .outerjoin(Proposal, Proposal.id == Recognition.proposal_id)
        .outerjoin(Department, Department.id == Recognition.department_id)
        .where(Recognition.year == year)
        .order_by(
            case((Recognition.kind == "proposal", 0), else_=1),
            Proposal.number,
            Department.code,
            Recognition.id,
        )
    )


def load(recognition_id):
    """One nomination with its proposal or unit and the people (joined), or None (also for an
    id no record can have: a path's integer is unbounded, a column is not)."""
    if bounded_int(recognition_id, 1, MAX_ID) is None:
        return None
    return db.session.scalars(select(Recognition).where(Recognition.id == recognition_id)).first()


def recognitions_of(year):
    """Every nomination of ``year`` with its proposal or unit and the people (joined)."""
    return db.session.scalars(recognitions_query(year)).unique().all()


def existing(year, *, proposal=None, department=None):
    """The nomination of this subject for ``year``, or None."""
    condition = (
        Recognition.proposal_id == proposal.id
        if proposal is not None
        else Recognition.department_id == department.id
    )
    return db.session.scalar(select(Recognition).where(Recognition.year == year, condition))


def proposals_numbered(year, number):
    """The filed proposals of the sessions of ``year`` that carry ``number`` (one per session)."""
    return db.session.scalars(
        select(Proposal)
        .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
        .where(CommitteeSession.year == year, Proposal.number == number)
        .order_by(Proposal.id)
    ).all()
