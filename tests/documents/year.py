"""A small year for the compilation and the assignment list: three filed proposals (one with a
delivered reply, one assigned to a lead and a co-handling unit, one only filed), a draft and a
proposal not filed, which the documents leave out."""

from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows

REPLY_TEXT = "答复正文：逐条答复如下。"


class Year:
    def __init__(self, world):
        self.world = world
        self.replied, self.reply = flows.replied(
            world, title="关于加快老旧小区改造的建议", analysis="我市有 120 个老旧小区。"
        )
        self.joint = flows.assigned(
            world,
            plan=[(world.unit_a, "lead"), (world.unit_b, "co")],
            title="关于完善社区养老服务的建议",
            proposer=world.member2,
        )
        self.plain = flows.filed(world, title="关于推进垃圾分类的建议", proposer=world.member3)
        self.draft = flows.draft(world, title="草稿不应收录")
        self.refused = flows.submitted(world, title="不予立案不应收录")
        ops.review_proposal(
            world.secretariat,
            self.refused,
            {"decision": "not_file", "reason_code": "personal", "disposition": "letter"},
        )
        db.session.commit()
        self.filed = sorted((self.replied, self.joint, self.plain), key=lambda p: p.number)

    def assignments(self, proposal):
        return loaded(proposal, "assignments").assignments
