"""Autosave of the proposal form (static/js/autosave.js posts the form to these routes): the
first save makes one draft, later saves update it, nothing is ever submitted, and a refusal
(another's draft, a proposal no longer a draft, a stale version, a missing CSRF token)
changes nothing."""

from sqlalchemy import func, select

from proposals.extensions import db
from proposals.workflow.models import HistoryEntry, Proposal

from .. import flows


def count_proposals():
    return db.session.scalar(select(func.count()).select_from(Proposal))


def snapshot(p):
    db.session.expire_all()
    p = db.session.get(Proposal, p.id)
    return (p.title, p.analysis, p.suggestions, p.state, p.version)


def test_the_first_autosave_makes_a_draft_and_later_ones_update_it(world, web):
    client = web(world.member)
    first = client.post(
        "/proposals/autosave",
        data=world.content(suggestions="具体建议：写到一半", submit_now="提交"),
    )
    assert first.status_code == 200, first.get_data(True)
    body = first.get_json()
    assert body["ok"] and body["edit_url"] == f"/proposals/{body['id']}/edit"
    assert body["autosave_url"] == f"/proposals/{body['id']}/autosave"
    p = db.session.get(Proposal, body["id"])
    assert p.state == "draft", "autosave never submits"
    assert p.proposer_id == world.member.id and p.suggestions == "具体建议：写到一半"

    second = client.post(
        body["autosave_url"],
        data=world.content(suggestions="具体建议：写完了", version=body["version"]),
    )
    assert second.status_code == 200, second.get_data(True)
    assert second.get_json()["version"] == body["version"] + 1
    assert count_proposals() == 1
    db.session.expire_all()
    p = db.session.get(Proposal, body["id"])
    assert p.suggestions == "具体建议：写完了" and p.state == "draft"


def test_a_new_proposal_without_title_or_category_stays_in_the_browser(world, web):
    resp = web(world.member).post(
        "/proposals/autosave", data={"title": "", "category": "", "suggestions": "先写建议"}
    )
    assert resp.status_code == 422
    assert set(resp.get_json()["fields"]) == {"title", "category"}
    assert count_proposals() == 0


def test_an_erased_title_keeps_the_stored_one_and_saves_the_rest(world, web):
    p = flows.draft(world)
    resp = web(world.member).post(
        f"/proposals/{p.id}/autosave",
        data=world.content(title="  ", category="", analysis="新的情况分析", version=p.version),
    )
    assert resp.status_code == 200, resp.get_data(True)
    title, analysis, *_rest = snapshot(p)
    assert title == "关于加快老旧小区改造的建议" and analysis == "新的情况分析"


def test_autosave_refuses_anothers_draft_and_changes_nothing(world, web):
    p = flows.draft(world)
    before = snapshot(p)
    for user in (world.member2, world.clerk_a):
        resp = web(user).post(
            f"/proposals/{p.id}/autosave",
            data=world.content(suggestions="别人改的", version=p.version),
        )
        assert resp.status_code in (403, 404)
        assert snapshot(p) == before
    # a unit account may not start drafts either
    assert web(world.clerk_a).post("/proposals/autosave", data=world.content()).status_code == 403
    assert count_proposals() == 1


def test_autosave_refuses_a_proposal_that_is_no_longer_a_draft(world, web):
    p = flows.submitted(world)
    before = snapshot(p)
    history = db.session.scalar(select(func.count()).select_from(HistoryEntry))
    resp = web(world.member).post(
        f"/proposals/{p.id}/autosave",
        data=world.content(suggestions="提交后又改", version=p.version),
    )
    assert resp.status_code == 409
    assert snapshot(p) == before
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == history


def test_a_stale_version_is_refused_in_json(world, web):
    p = flows.draft(world)
    before = snapshot(p)
    resp = web(world.member).post(
        f"/proposals/{p.id}/autosave",
        data=world.content(suggestions="旧页面上的内容", version=p.version - 1 or 99),
    )
    assert resp.status_code == 409 and resp.get_json()["ok"] is False
    assert snapshot(p) == before


def test_an_expired_session_is_sent_to_login_and_nothing_is_saved(world, web):
    p = flows.draft(world)
    before = snapshot(p)
    anon = web()
    resp = anon.post(f"/proposals/{p.id}/autosave", data=world.content(suggestions="过期"))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    resp = anon.post("/proposals/autosave", data=world.content())
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert snapshot(p) == before and count_proposals() == 1


def test_autosave_needs_the_csrf_token(app, world, web):
    p = flows.draft(world)
    before = snapshot(p)
    client = web(world.member)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post(
            f"/proposals/{p.id}/autosave",
            data=world.content(suggestions="没有令牌", version=p.version),
        )
        assert resp.status_code == 400
        assert client.post("/proposals/autosave", data=world.content()).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert snapshot(p) == before and count_proposals() == 1


def test_the_forms_carry_the_autosave_hooks(world, web):
    client = web(world.member)
    html = client.get("/proposals/new").get_data(True)
    assert f'data-autosave-key="{world.member.id}:proposal:new"' in html
    assert 'data-autosave-url="/proposals/autosave"' in html
    assert 'aria-live="polite"' in html and "js/autosave.js" in html
    p = flows.draft(world)
    html = client.get(f"/proposals/{p.id}/edit").get_data(True)
    assert f'data-autosave-url="/proposals/{p.id}/autosave"' in html


def test_a_run_of_saves_is_one_history_entry(world):
    from proposals.workflow import operations as ops

    p = ops.create_proposal(world.member, world.content())
    for i in range(3):
        ops.edit_proposal(world.member, p, {"analysis": f"情况分析：第{i}次保存。"})
    db.session.commit()
    edits = db.session.scalar(
        select(func.count())
        .select_from(HistoryEntry)
        .where(HistoryEntry.proposal_id == p.id, HistoryEntry.action == "edit")
    )
    assert edits == 1
