"""The unit's home page shows every open item of the unit: new, re-handling, overdue, due soon,
the others in hand however far their deadline, and those waiting for a reassignment decision."""

from datetime import timedelta

from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.workflow.core import loaded

from .. import flows


def test_every_open_item_is_on_the_units_home_page(world, web):
    far = flows.handling(world, title="关于远期事项的建议")
    a_far = loaded(far, "assignments").assignments[0]
    a_far.reply_due = a_far.reply_due + timedelta(days=90)  # due in more than 30 days
    db.session.commit()
    p, reply = flows.replied(world, title="关于重新办理事项的建议")
    hops.rate_reply(world.member, reply, {"rating": "unsatisfied", "comment": "未解决"})
    db.session.commit()
    asked = flows.assigned(world, title="关于申请调整事项的建议")
    hops.request_reassignment(
        world.clerk_a, loaded(asked, "assignments").assignments[0], "不属于本单位职责"
    )
    db.session.commit()
    for user in (world.clerk_a, world.head_a):
        page = web(user).get("/").get_data(as_text=True)
        for title in ("关于远期事项的建议", "关于重新办理事项的建议", "关于申请调整事项的建议"):
            assert title in page, (user.username, title)
        assert 'data-group="rehandling"' in page
    other = web(world.clerk_b).get("/").get_data(as_text=True)
    assert "关于远期事项的建议" not in other
