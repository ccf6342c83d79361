"""Plenary batch work: many submitted proposals filed (and their category set) in one action,
all or nothing, numbered in the order received, each with its history entry; the reviewer may
correct the title (案由) as a proposal is filed, with a history entry showing before and after."""

from sqlalchemy import func, select

from proposals.extensions import db
from proposals.workflow.models import HistoryEntry, Proposal

from .. import flows


def state_of(*proposals):
    db.session.expire_all()
    return [db.session.get(Proposal, p.id).state for p in proposals]


def test_batch_filing_numbers_in_the_order_received_with_a_history_entry_each(world, api):
    ps = [flows.submitted(world, title=f"关于批量立案测试的建议（{i}）") for i in range(3)]
    resp = api(world.secretariat).post(
        "/proposals/review-batch",
        {"ids": [ps[2].id, ps[0].id, ps[1].id], "decision": "file", "category": "economy"},
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert [i["id"] for i in body["items"]] == [p.id for p in ps] and body["total"] == 3
    db.session.expire_all()
    numbers = [db.session.get(Proposal, p.id).number for p in ps]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(db.session.get(Proposal, p.id).category.code == "economy" for p in ps)
    filed = db.session.scalar(
        select(func.count()).select_from(HistoryEntry).where(HistoryEntry.action == "file")
    )
    assert filed == 3


def test_one_proposal_that_cannot_be_filed_files_none_and_is_named(world, api):
    ok = flows.submitted(world, title="关于可以立案的建议")
    draft = flows.draft(world, title="关于仍是草稿的建议")
    resp = api(world.secretariat).post(
        "/proposals/review-batch", {"ids": [ok.id, draft.id], "decision": "file"}
    )
    assert resp.status_code == 409
    assert f"id {draft.id}" in resp.get_json()["error"]["message"]
    assert state_of(ok, draft) == ["submitted", "draft"]
    for body, field in (
        ({"ids": [], "decision": "file"}, "ids"),
        ({"ids": ["1"], "decision": "file"}, "ids"),
        ({"ids": [ok.id], "decision": "not_file"}, "decision"),
        ({"ids": [ok.id], "decision": "file", "category": "nope"}, "category"),
    ):
        resp = api(world.secretariat).post("/proposals/review-batch", body)
        assert resp.status_code == 400 and field in resp.get_json()["error"]["fields"], body
    assert (
        api(world.secretariat)
        .post("/proposals/review-batch", {"ids": [999999], "decision": "file"})
        .status_code
        == 404
    )
    assert state_of(ok) == ["submitted"]
    for body in ({"ids": [ok.id], "decision": "file"}, {"ids": [], "decision": "x"}):
        assert api(world.member).post("/proposals/review-batch", body).status_code == 403


def test_the_reviewer_corrects_the_title_as_it_is_filed(world, api):
    p = flows.submitted(world, title="关于加快老旧小区改造的建意")
    resp = api(world.secretariat).post(
        f"/proposals/{p.id}/review", {"decision": "file", "title": "关于加快老旧小区改造的建议"}
    )
    assert resp.status_code == 200 and resp.get_json()["title"] == "关于加快老旧小区改造的建议"
    entry = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action == "correct_title")
    ).one()
    assert "建意" in entry.comment and "建议”" in entry.comment
    q = flows.submitted(world)
    resp = api(world.secretariat).post(
        f"/proposals/{q.id}/review", {"decision": "file", "title": "   "}
    )
    assert resp.status_code == 400 and "title" in resp.get_json()["error"]["fields"]
    assert state_of(q) == ["submitted"]


def test_the_review_pages_file_a_batch_and_correct_a_title(world, web):
    a = flows.submitted(world, title="关于页面批量立案的建议（一）")
    b = flows.submitted(world, title="关于页面批量立案的建议（二）")
    sec = web(world.secretariat)
    page = sec.get("/secretariat/queues").get_data(as_text=True)
    assert 'data-testid="review-batch"' in page and f'value="{a.id}"' in page
    resp = sec.post("/secretariat/review-batch", data={"ids": [str(a.id), str(b.id)]})
    assert resp.status_code == 302
    assert state_of(a, b) == ["filed", "filed"]
    c = flows.submitted(world, title="关于错别字的建意")
    page = sec.get(f"/proposals/{c.id}/review").get_data(as_text=True)
    assert 'name="title"' in page and "关于错别字的建意" in page
    resp = sec.post(
        f"/proposals/{c.id}/review", data={"decision": "file", "title": "关于错别字的建议"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, c.id).title == "关于错别字的建议"
    resp = sec.post("/secretariat/review-batch", data={"ids": ["x"]})
    assert resp.status_code == 302  # back to the queue with the message
    assert "请选择" in sec.get("/secretariat/queues").get_data(as_text=True)
