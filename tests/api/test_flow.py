"""One joint proposal through the whole JSON API, from draft to the second rating."""

from proposals.extensions import db
from proposals.workflow.models import HistoryEntry, Proposal
from proposals.workflow.timeline import timeline

from ..flows import _today


def test_joint_proposal_from_draft_to_second_rating(world, api):
    member, co = api(world.member), api(world.member2)
    sec, clerk_a, head_a = api(world.secretariat), api(world.clerk_a), api(world.head_a)
    clerk_b = api(world.clerk_b)

    r = member.post("/proposals", world.content(cosigners=["m2"], suggested_departments=["ZJJ"]))
    assert r.status_code == 201, r.json
    pid = r.json["id"]
    assert r.json["state"] == "draft"

    r = member.patch(f"/proposals/{pid}", {"title": "关于加快推进老旧小区改造的建议"})
    assert r.status_code == 200 and r.json["title"] == "关于加快推进老旧小区改造的建议"

    r = member.post(f"/proposals/{pid}/submit")
    assert r.status_code == 200 and r.json["state"] == "awaiting_cosigners"
    assert r.json["proposers"]["cosigners"][0]["expires_on"]

    r = co.post(f"/proposals/{pid}/cosign", {"accept": True})
    assert r.status_code == 200, r.json
    assert r.json["state"] == "submitted" and r.json["kind"] == "joint"
    assert r.json["receipt_serial"] == 1

    r = sec.post(f"/proposals/{pid}/review", {"decision": "file", "category": "economy"})
    assert r.status_code == 200, r.json
    assert r.json["state"] == "filed" and r.json["number"] == 1
    assert r.json["number_label"] == "第0001号" and r.json["category"] == "economy"

    r = sec.post(
        f"/proposals/{pid}/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}, {"code": "CZJ", "role": "co"}]},
    )
    assert r.status_code == 200, r.json
    assert r.json["state"] == "assigned"
    lead, co_unit = r.json["assignments"]
    assert lead["role"] == "lead" and co_unit["role"] == "co" and co_unit["opinion_due"]
    assert lead["accept_due"] < lead["contact_due"] < lead["reply_due"]

    assert clerk_a.post(f"/assignments/{lead['id']}/accept").json["state"] == "handling"
    assert clerk_b.post(f"/assignments/{co_unit['id']}/accept").json["state"] == "handling"
    r = clerk_a.post(
        f"/assignments/{lead['id']}/contacts",
        {"mode": "meeting", "date": _today(), "summary": "与提案人面谈"},
    )
    assert r.status_code == 201, r.json
    # the lead cannot reply before the co-unit's opinion
    r = clerk_a.post(
        f"/assignments/{lead['id']}/reply",
        {"result": "A", "text": "答复", "signer": "局长", "contact": "赵 123"},
    )
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    r = clerk_b.post(f"/assignments/{co_unit['id']}/opinion", {"text": "同意主办单位意见"})
    assert r.status_code == 201 and r.json["state"] == "closed"

    r = clerk_a.post(
        f"/assignments/{lead['id']}/reply",
        {
            "result": "B",
            "text": "正在推进",
            "signer": "局长",
            "contact": "赵 123",
            "promised_date": "2099-06-30",
        },
    )
    assert r.status_code == 201, r.json
    reply_id = r.json["id"]
    assert r.json["state"] == "awaiting_signoff"
    r = head_a.post(f"/replies/{reply_id}/signoff", {"approve": True})
    assert r.status_code == 200 and r.json["state"] == "awaiting_review"
    r = sec.post(f"/replies/{reply_id}/review", {"approve": True})
    assert r.status_code == 200 and r.json["state"] == "delivered" and r.json["rating_due"]

    r = member.post(f"/replies/{reply_id}/rating", {"rating": "unsatisfied", "comment": "进度太慢"})
    assert r.status_code == 200 and r.json["state"] == "rated"
    r = sec.get(f"/assignments/{lead['id']}")
    assert r.json["state"] == "rehandling" and r.json["round"] == 2

    r = clerk_a.post(
        f"/assignments/{lead['id']}/reply",
        {"result": "A", "text": "已解决", "signer": "局长", "contact": "赵 123"},
    )
    assert r.status_code == 201, r.json
    second = r.json["id"]
    head_a.post(f"/replies/{second}/signoff", {"approve": True})
    sec.post(f"/replies/{second}/review", {"approve": True})
    r = member.post(f"/replies/{second}/rating", {"rating": "satisfied"})
    assert r.status_code == 200, r.json

    r = member.get(f"/proposals/{pid}")
    assert r.json["state"] == "closed"
    assert [x["rating"] for x in r.json["ratings"]] == ["unsatisfied", "satisfied"]
    actions = [h["action"] for h in r.json["history"]]
    assert actions[:4] == ["create", "edit", "submit", "cosign_accept"]
    assert actions[-1] == "close"
    follow = clerk_a.post(f"/assignments/{lead['id']}/follow-up", {"text": "已开工", "done": True})
    assert follow.status_code == 201 and follow.json["follow_up_open"] is False
    p = db.session.get(Proposal, pid)
    rows = db.session.query(HistoryEntry).filter_by(proposal_id=p.id).order_by(HistoryEntry.id)
    # one API entry per action: the per-unit assign_unit rows fold into their assign entry
    assert len(timeline(rows.all())) == len(actions) + 1
