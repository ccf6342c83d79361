"""Drive proposals to a given point through the operations (the same ones the API calls)."""

from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded


def draft(world, proposer=None, cosigners=(), **content):
    data = world.content(**content)
    if cosigners:
        data["cosigners"] = [u.username for u in cosigners]
    p = ops.create_proposal(proposer or world.member, data)
    db.session.commit()
    return p


def submitted(world, proposer=None, cosigners=(), **content):
    p = draft(world, proposer, cosigners, **content)
    ops.submit_proposal(p.proposer, p)
    for user in cosigners:
        ops.respond_to_invitation(user, p, True)
    db.session.commit()
    return p


def filed(world, **kw):
    p = submitted(world, **kw)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    db.session.commit()
    return p


def assigned(world, plan=None, **kw):
    p = filed(world, **kw)
    plan = plan or [(world.unit_a, "lead")]
    ops.assign_proposal(world.secretariat, p, [{"code": d.code, "role": r} for d, r in plan])
    db.session.commit()
    return p


def staff(world, assignment):
    return {
        world.unit_a.id: (world.clerk_a, world.head_a),
        world.unit_b.id: (world.clerk_b, world.head_b),
        world.unit_c.id: (world.clerk_c, None),
    }[assignment.department_id]


def handling(world, **kw):
    p = assigned(world, **kw)
    for a in loaded(p, "assignments").assignments:
        hops.accept_assignment(staff(world, a)[0], a)
    db.session.commit()
    return p


def delivered_reply(world, assignment, result="A"):
    clerk, head = staff(world, assignment)
    if assignment.role == "co":
        raise ValueError("co-units do not reply")
    if not loaded(assignment, "contacts").contacts:
        hops.record_contact(
            clerk, assignment, {"mode": "phone", "date": _today(), "summary": "电话沟通"}
        )
    data = {
        "result": result,
        "text": "答复正文：逐条答复如下。",
        "signer": "局长 王某",
        "contact": "赵某 0571-88888888",
    }
    if result == "B":
        data["promised_date"] = "2099-12-31"
    reply = hops.draft_reply(clerk, assignment, data)
    hops.signoff_reply(head, reply, {"approve": True})
    hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.commit()
    return reply


def _today():
    from proposals.committee.calendar import local_date, utcnow

    return local_date(utcnow()).isoformat()


def replied(world, result="A", **kw):
    """Sole lead unit, reply delivered and awaiting the rating."""
    p = handling(world, **kw)
    reply = delivered_reply(world, loaded(p, "assignments").assignments[0], result)
    return p, reply
