"""Who sees a proposal: a co-signer only while invited or after co-signing."""

from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows


def test_a_cosigner_who_declined_no_longer_sees_the_proposal(world, api):
    p = flows.draft(world, cosigners=[world.member2, world.member3])
    ops.submit_proposal(world.member, p)
    db.session.commit()
    m2, m3 = api(world.member2), api(world.member3)
    assert m2.get(f"/proposals/{p.id}").status_code == 200  # invited: may read to decide
    assert m2.post(f"/proposals/{p.id}/cosign", {"accept": False}).status_code == 200
    assert m3.post(f"/proposals/{p.id}/cosign", {"accept": True}).status_code == 200
    assert m2.get(f"/proposals/{p.id}").status_code == 404
    assert p.id not in [x["id"] for x in m2.get("/proposals").json["items"]]
    assert m3.get(f"/proposals/{p.id}").status_code == 200
    assert p.id in [x["id"] for x in m3.get("/proposals").json["items"]]


def test_internal_history_comments_are_hidden_from_the_proposer_on_the_page(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    from proposals.handling import operations as hops

    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a, a, {"result": "A", "text": "答复", "signer": "局长", "contact": "赵 123"}
    )
    hops.signoff_reply(world.head_a, reply, {"approve": False, "comment": "内部意见：数据不准确"})
    db.session.commit()
    assert "内部意见" in web(world.secretariat).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "内部意见" not in web(world.member).get(f"/proposals/{p.id}").get_data(as_text=True)
