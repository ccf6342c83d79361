"""Joint proposals with accepted and declined co-signers, replied and waiting for ratings."""

from sqlalchemy import func, select

from proposals.committee import settings as committee_settings
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Rating
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows


def rating_by(value):
    committee_settings.set_value("rating_by", value)
    db.session.commit()


def joint_replied(world, proposer=None, accepted=(), declined=(), plan=None, **content):
    """A joint proposal: co-signers ``accepted`` accept, ``declined`` decline; filed, assigned
    (sole lead unit A unless ``plan``), accepted by the units, and each lead's reply delivered.
    Returns (proposal, [replies])."""
    p = flows.draft(world, proposer, cosigners=(*accepted, *declined), **content)
    ops.submit_proposal(p.proposer, p)
    for user in accepted:
        ops.respond_to_invitation(user, p, True)
    for user in declined:
        ops.respond_to_invitation(user, p, False)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    plan = plan or [(world.unit_a, "lead")]
    ops.assign_proposal(world.secretariat, p, [{"code": d.code, "role": r} for d, r in plan])
    db.session.commit()
    for a in loaded(p, "assignments").assignments:
        hops.accept_assignment(flows.staff(world, a)[0], a)
    db.session.commit()
    replies = [
        flows.delivered_reply(world, a) for a in p.assignments if a.role in ("lead", "split")
    ]
    return p, replies


def count_ratings():
    return db.session.scalar(select(func.count(Rating.id)))
