"""The member's pages: the proposal form, submitting, co-signing, withdrawing and rating, each
for the member who may and refused (nothing changed) for everybody else."""

import pytest
from sqlalchemy import func, select

from proposals.committee import settings as committee_settings
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from ..conftest import LONG

ANALYSIS = "情况分析：" + "我市老旧小区数量多、设施老化。" * 3


def text(resp):
    return resp.get_data(as_text=True)


def form_data(**kw):
    data = {
        "title": "关于发展社区养老服务的建议",
        "category": "society",
        "analysis": ANALYSIS,
        "suggestions": LONG,
    }
    data.update(kw)
    return data


def count_proposals():
    return db.session.scalar(select(func.count(Proposal.id)))


def history_len(p):
    db.session.refresh(p)
    return len(loaded(p, "history").history)


# --- the proposal form -------------------------------------------------------------------


def test_form_shows_live_char_count_with_the_committee_limits(world, web):
    committee_settings.set_value("proposal_min_chars", "200")
    db.session.commit()
    page = text(web(world.member).get("/proposals/new"))
    assert 'data-count-group="body"' in page
    assert page.count('data-count-group="body"') == 2  # analysis and suggestions together
    assert 'data-char-count="body"' in page
    assert 'data-min="200"' in page and 'data-max="5000"' in page
    assert "js/member.js" in page and "<script>" not in page  # no inline script


def test_cosigner_picker_lists_other_individual_members_by_name(world, web):
    world.member2.sector = "经济界"
    db.session.commit()
    page = text(web(world.member).get("/proposals/new"))
    picker = page[page.index('name="cosigners"') :]
    picker = picker[: picker.index("</select>")]
    assert 'data-pinyin="liweiyuan" value="m2">李委员（经济界）</option>' in picker
    assert 'data-pinyin="wangweiyuan" value="m3">王委员</option>' in picker
    assert "张委员" not in picker and 'value="m1"' not in picker  # not oneself
    assert "民盟市委" not in picker  # organisation accounts do not co-sign
    assert "市住房和城乡建设局" in page  # suggested units by name


def test_organisation_account_gets_the_form_without_cosigners(world, web):
    page = text(web(world.org).get("/proposals/new"))
    assert 'name="title"' in page and 'name="cosigners"' not in page


@pytest.mark.parametrize("who", ["secretariat", "clerk_a", "head_a", "admin"])
def test_only_members_may_open_or_post_the_form(world, web, who):
    client = web(getattr(world, who))
    assert client.get("/proposals/new").status_code == 403
    assert client.post("/proposals/new", data=form_data(save="1")).status_code == 403
    assert count_proposals() == 0


def test_anonymous_visitor_is_sent_to_login(world, web):
    r = web().get("/proposals/new")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_save_draft_creates_a_draft_and_shows_its_page(world, web):
    r = web(world.member).post(
        "/proposals/new",
        data=form_data(save="1", cosigners=["m2"], suggested_departments=["ZJJ", "CZJ"]),
        follow_redirects=True,
    )
    assert r.status_code == 200 and "草稿已保存" in text(r)
    p = db.session.scalars(select(Proposal)).one()
    assert p.state == "draft" and p.proposer_id == world.member.id
    assert [c.user.username for c in loaded(p, "cosigners").cosigners] == ["m2"]
    suggested = loaded(p, "suggested_departments").suggested_departments
    assert {d.code for d in suggested} == {"ZJJ", "CZJ"}
    assert r.request.path == f"/proposals/{p.id}"


def test_submit_without_cosigners_is_received(world, web):
    r = web(world.member).post(
        "/proposals/new", data=form_data(submit_now="1"), follow_redirects=True
    )
    p = db.session.scalars(select(Proposal)).one()
    assert p.state == "submitted" and p.receipt_serial == 1
    assert "提案已提交" in text(r)


def test_submit_with_cosigners_waits_for_them(world, web):
    r = web(world.member).post(
        "/proposals/new",
        data=form_data(submit_now="1", cosigners=["m2", "m3"]),
        follow_redirects=True,
    )
    p = db.session.scalars(select(Proposal)).one()
    assert p.state == "awaiting_cosigners"
    assert {c.state for c in loaded(p, "cosigners").cosigners} == {"invited"}
    assert "等待联名人确认" in text(r)


def test_missing_title_and_category_show_the_operation_messages_and_save_nothing(world, web):
    r = web(world.member).post("/proposals/new", data=form_data(title="", category="", save="1"))
    assert r.status_code == 400
    page = text(r)
    assert "请填写案由" in page and "请选择有效的提案类别" in page
    assert "is-invalid" in page
    assert count_proposals() == 0


def test_submit_too_short_keeps_the_draft_and_shows_why(world, web):
    r = web(world.member).post(
        "/proposals/new", data=form_data(analysis="", suggestions="建议加快改造。", submit_now="1")
    )
    assert r.status_code == 400
    page = text(r)
    assert "不能少于 100 字" in page
    p = db.session.scalars(select(Proposal)).one()
    assert p.state == "draft" and p.submitted_at is None  # the draft is kept, not submitted
    assert f'action="/proposals/{p.id}/edit"' in page  # the next save edits it
    assert "建议加快改造。" in page  # what was typed is still there


def test_submit_without_suggestions_is_refused_on_that_field(world, web):
    r = web(world.member).post(
        "/proposals/new", data=form_data(analysis=ANALYSIS * 3, suggestions="", submit_now="1")
    )
    assert r.status_code == 400 and "请填写具体建议" in text(r)
    assert db.session.scalars(select(Proposal)).one().state == "draft"


def test_organisation_proposal_is_collective(world, web):
    web(world.org).post("/proposals/new", data=form_data(submit_now="1"))
    p = db.session.scalars(select(Proposal)).one()
    assert p.kind == "collective" and p.state == "submitted"


# --- editing a draft ---------------------------------------------------------------------


def test_proposer_edits_the_draft(world, web):
    p = flows.draft(world, cosigners=[world.member2])
    client = web(world.member)
    page = text(client.get(f"/proposals/{p.id}/edit"))
    assert p.title in page and 'selected value="m2">' in page
    r = client.post(
        f"/proposals/{p.id}/edit",
        data=form_data(
            title="关于完善小区停车设施的建议", cosigners=["m3"], version=p.version, save="1"
        ),
        follow_redirects=True,
    )
    assert "草稿已保存" in text(r)
    db.session.refresh(p)
    assert p.title == "关于完善小区停车设施的建议" and p.state == "draft"
    assert [c.user.username for c in loaded(p, "cosigners").cosigners] == ["m3"]


def test_edit_then_submit_in_one_request(world, web):
    p = flows.draft(world)
    r = web(world.member).post(
        f"/proposals/{p.id}/edit",
        data=form_data(version=p.version, submit_now="1"),
        follow_redirects=True,
    )
    db.session.refresh(p)
    assert p.state == "submitted" and "提案已提交" in text(r)


def test_edit_with_a_stale_version_is_a_conflict(world, web):
    p = flows.draft(world)
    stale = p.version
    ops.edit_proposal(world.member, p, {"title": "别处改过的案由"})
    db.session.commit()
    r = web(world.member).post(f"/proposals/{p.id}/edit", data=form_data(version=stale, save="1"))
    assert r.status_code == 409
    db.session.refresh(p)
    assert p.title == "别处改过的案由"


def test_edit_too_long_shows_the_message_and_changes_nothing(world, web):
    committee_settings.set_value("proposal_max_chars", "150")
    db.session.commit()
    p = flows.draft(world, analysis="", suggestions=LONG[:120])
    r = web(world.member).post(
        f"/proposals/{p.id}/edit", data=form_data(suggestions=LONG * 2, save="1")
    )
    assert r.status_code == 400 and "不能超过 150 个字" in text(r)
    db.session.refresh(p)
    assert p.suggestions == LONG[:120]


@pytest.mark.parametrize("who", ["member2", "secretariat", "clerk_a"])
def test_others_cannot_see_or_edit_a_draft(world, web, who):
    p = flows.draft(world, cosigners=[world.member2])
    before = history_len(p)
    client = web(getattr(world, who))
    assert client.get(f"/proposals/{p.id}/edit").status_code == 404
    assert (
        client.post(f"/proposals/{p.id}/edit", data=form_data(title="改掉", save="1")).status_code
        == 404
    )
    assert client.post(f"/proposals/{p.id}/submit").status_code == 404
    db.session.refresh(p)
    assert p.title != "改掉" and p.state == "draft" and history_len(p) == before


def test_a_submitted_proposal_can_no_longer_be_edited(world, web):
    p = flows.submitted(world)
    client = web(world.member)
    assert client.get(f"/proposals/{p.id}/edit").status_code == 409
    assert (
        client.post(f"/proposals/{p.id}/edit", data=form_data(title="改掉", save="1")).status_code
        == 409
    )
    db.session.refresh(p)
    assert p.title != "改掉"


def test_cosigner_who_may_view_still_may_not_edit(world, web):
    p = flows.draft(world, cosigners=[world.member2])
    ops.submit_proposal(world.member, p)
    db.session.commit()
    client = web(world.member2)
    assert client.get(f"/proposals/{p.id}/edit").status_code == 403
    assert (
        client.post(f"/proposals/{p.id}/edit", data=form_data(title="改掉", save="1")).status_code
        == 403
    )
    assert client.post(f"/proposals/{p.id}/withdraw", data={"reason": "不想了"}).status_code == 403
    db.session.refresh(p)
    assert p.title != "改掉" and p.state == "awaiting_cosigners"


# --- the submit button -------------------------------------------------------------------


def test_submit_button_submits_the_draft(world, web):
    p = flows.draft(world)
    r = web(world.member).post(f"/proposals/{p.id}/submit", follow_redirects=True)
    db.session.refresh(p)
    assert p.state == "submitted" and "提案已提交" in text(r)


def test_submit_button_on_an_incomplete_draft_shows_the_form_with_the_message(world, web):
    p = flows.draft(world, analysis="", suggestions="太短。")
    r = web(world.member).post(f"/proposals/{p.id}/submit")
    assert r.status_code == 400 and "不能少于 100 字" in text(r)
    db.session.refresh(p)
    assert p.state == "draft"


def test_submitting_twice_is_a_conflict(world, web):
    p = flows.submitted(world)
    assert web(world.member).post(f"/proposals/{p.id}/submit").status_code == 409


# --- co-signing --------------------------------------------------------------------------


def invited(world):
    p = flows.draft(world, cosigners=[world.member2, world.member3])
    ops.submit_proposal(world.member, p)
    db.session.commit()
    return p


def test_invited_cosigner_sees_the_invitation_with_its_expiry(world, web):
    p = invited(world)
    page = text(web(world.member2).get(f"/proposals/{p.id}"))
    assert "同意联名" in page and "谢绝" in page
    assert loaded(p, "cosigners").cosigners[0].expires_on.isoformat() in page
    assert 'name="accept" value="1"' in page


def test_cosigner_accepts_then_the_last_answer_submits(world, web):
    p = invited(world)
    r = web(world.member2).post(
        f"/proposals/{p.id}/cosign", data={"accept": "1"}, follow_redirects=True
    )
    assert "您已同意联名" in text(r)
    db.session.refresh(p)
    assert loaded(p, "cosigners").cosigner_for(world.member2).state == "accepted"
    assert p.state == "awaiting_cosigners"
    web(world.member3).post(f"/proposals/{p.id}/cosign", data={"accept": "0"})
    db.session.refresh(p)
    assert loaded(p, "cosigners").cosigner_for(world.member3).state == "declined"
    assert p.state == "submitted" and p.kind == "joint"
    # an answered invitation is no longer offered, and cannot be answered twice
    assert "同意联名</button>" not in text(web(world.member2).get(f"/proposals/{p.id}"))
    assert (
        web(world.member2).post(f"/proposals/{p.id}/cosign", data={"accept": "0"}).status_code
        == 409
    )


def test_cosign_with_no_answer_changes_nothing(world, web):
    p = invited(world)
    r = web(world.member2).post(f"/proposals/{p.id}/cosign", data={}, follow_redirects=True)
    assert "请说明是否同意联名" in text(r)
    db.session.refresh(p)
    assert loaded(p, "cosigners").cosigner_for(world.member2).state == "invited"


@pytest.mark.parametrize(
    "who,status", [("member", 403), ("secretariat", 403), ("org", 404), ("clerk_a", 404)]
)
def test_only_the_invited_may_answer(world, web, who, status):
    p = invited(world)
    before = history_len(p)
    r = web(getattr(world, who)).post(f"/proposals/{p.id}/cosign", data={"accept": "1"})
    assert r.status_code == status
    assert history_len(p) == before
    assert {c.state for c in loaded(p, "cosigners").cosigners} == {"invited"}


# --- the member's panels on the proposal page --------------------------------------------


def test_draft_page_offers_edit_and_submit_to_its_proposer_only(world, web):
    p = flows.draft(world)
    page = text(web(world.member).get(f"/proposals/{p.id}"))
    assert f'href="/proposals/{p.id}/edit"' in page
    assert f'action="/proposals/{p.id}/submit"' in page
    assert f"/proposals/{p.id}/withdraw" not in page


def test_submitted_page_offers_withdraw_only(world, web):
    p = flows.submitted(world, cosigners=[world.member2])
    page = text(web(world.member).get(f"/proposals/{p.id}"))
    assert f'href="/proposals/{p.id}/withdraw"' in page
    assert f"/proposals/{p.id}/edit" not in page
    for who in (world.member2, world.secretariat):
        other = text(web(who).get(f"/proposals/{p.id}"))
        assert "member-actions" not in other


def test_filed_proposal_has_no_member_actions(world, web):
    p = flows.filed(world)
    assert "member-actions" not in text(web(world.member).get(f"/proposals/{p.id}"))


# --- withdrawing -------------------------------------------------------------------------


def test_proposer_withdraws_with_a_reason(world, web):
    p = invited(world)
    client = web(world.member)
    page = text(client.get(f"/proposals/{p.id}/withdraw"))
    assert 'name="reason"' in page and "撤案理由" in page
    r = client.post(
        f"/proposals/{p.id}/withdraw", data={"reason": "情况已变化"}, follow_redirects=True
    )
    assert "提案已撤回" in text(r)
    db.session.refresh(p)
    assert p.state == "withdrawn" and p.withdraw_reason == "情况已变化"
    assert {c.state for c in loaded(p, "cosigners").cosigners} == {"expired"}


def test_withdraw_without_a_reason_shows_the_message_and_changes_nothing(world, web):
    p = flows.submitted(world)
    r = web(world.member).post(f"/proposals/{p.id}/withdraw", data={"reason": " "})
    assert r.status_code == 400 and "请填写撤案理由" in text(r)
    db.session.refresh(p)
    assert p.state == "submitted"


@pytest.mark.parametrize("who,status", [("member2", 404), ("secretariat", 403), ("clerk_a", 404)])
def test_others_may_not_withdraw(world, web, who, status):
    p = flows.submitted(world)
    client = web(getattr(world, who))
    assert client.get(f"/proposals/{p.id}/withdraw").status_code == status
    assert (
        client.post(f"/proposals/{p.id}/withdraw", data={"reason": "不要了"}).status_code == status
    )
    db.session.refresh(p)
    assert p.state == "submitted"


def test_a_filed_proposal_cannot_be_withdrawn(world, web):
    p = flows.filed(world)
    client = web(world.member)
    assert client.get(f"/proposals/{p.id}/withdraw").status_code == 409
    assert client.post(f"/proposals/{p.id}/withdraw", data={"reason": "不要了"}).status_code == 409
    db.session.refresh(p)
    assert p.state == "filed"


# --- rating ------------------------------------------------------------------------------


def test_proposer_sees_the_rating_button_and_rates_satisfied(world, web):
    p, reply = flows.replied(world)
    client = web(world.member)
    page = text(client.get(f"/proposals/{p.id}"))
    assert f'href="/replies/{reply.id}/rate"' in page
    form = text(client.get(f"/replies/{reply.id}/rate"))
    for label in ("满意", "基本满意", "不满意"):
        assert f">{label}</label>" in form
    assert 'type="radio"' in form and reply.text in form
    r = client.post(
        f"/replies/{reply.id}/rate", data={"rating": "satisfied"}, follow_redirects=True
    )
    assert "测评已提交：满意" in text(r)
    db.session.refresh(reply)
    assert reply.state == "rated" and loaded(reply, "ratings").ratings[0].rating == "satisfied"
    db.session.refresh(p)
    assert p.state == "closed"
    assert f'href="/replies/{reply.id}/rate"' not in text(client.get(f"/proposals/{p.id}"))
    assert client.get(f"/replies/{reply.id}/rate").status_code == 409


def test_unsatisfied_without_a_comment_is_refused_and_changes_nothing(world, web):
    p, reply = flows.replied(world)
    r = web(world.member).post(f"/replies/{reply.id}/rate", data={"rating": "unsatisfied"})
    assert r.status_code == 400 and "请填写意见" in text(r)
    db.session.refresh(reply)
    assert reply.state == "delivered" and not loaded(reply, "ratings").ratings


def test_no_rating_chosen_is_refused(world, web):
    p, reply = flows.replied(world)
    r = web(world.member).post(f"/replies/{reply.id}/rate", data={"comment": "无"})
    assert r.status_code == 400 and "测评结果应为" in text(r)
    db.session.refresh(reply)
    assert reply.state == "delivered"


def test_unsatisfied_with_a_comment_sends_it_back_for_rehandling(world, web):
    p, reply = flows.replied(world)
    r = web(world.member).post(
        f"/replies/{reply.id}/rate",
        data={"rating": "unsatisfied", "comment": "答复没有针对性"},
        follow_redirects=True,
    )
    assert "重新办理" in text(r)
    db.session.refresh(reply)
    assert reply.state == "rated"
    assignment = db.session.get(Assignment, reply.assignment_id)
    assert assignment.state == "rehandling" and assignment.round == 2


@pytest.mark.parametrize(
    "who,status",
    [("secretariat", 403), ("clerk_a", 403), ("head_a", 403), ("member2", 404), ("clerk_b", 404)],
)
def test_others_may_not_rate(world, web, who, status):
    p, reply = flows.replied(world)
    client = web(getattr(world, who))
    assert f"/replies/{reply.id}/rate" not in text(client.get(f"/proposals/{p.id}"))
    assert client.get(f"/replies/{reply.id}/rate").status_code == status
    assert (
        client.post(f"/replies/{reply.id}/rate", data={"rating": "satisfied"}).status_code == status
    )
    db.session.refresh(reply)
    assert reply.state == "delivered" and not loaded(reply, "ratings").ratings


def test_cosigner_sees_the_reply_but_may_not_rate(world, web):
    p, reply = flows.replied(world, cosigners=[world.member2])
    client = web(world.member2)
    page = text(client.get(f"/proposals/{p.id}"))
    assert reply.text in page and f"/replies/{reply.id}/rate" not in page
    assert client.get(f"/replies/{reply.id}/rate").status_code == 403
    assert client.post(f"/replies/{reply.id}/rate", data={"rating": "satisfied"}).status_code == 403
    db.session.refresh(reply)
    assert not loaded(reply, "ratings").ratings


def test_unknown_or_undelivered_reply_is_not_found(world, web):
    from proposals.handling import operations as hops

    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    draft_reply = hops.draft_reply(
        world.clerk_a,
        a,
        {"result": "A", "text": "答复草稿", "signer": "局长 王某", "contact": "赵某"},
    )
    db.session.commit()
    client = web(world.member)
    assert client.get(f"/replies/{draft_reply.id}/rate").status_code == 404
    assert client.get("/replies/99999/rate").status_code == 404


def test_merged_proposer_may_rate_the_host_reply(world, web):
    p, reply = flows.replied(world)
    other = flows.submitted(world, proposer=world.member2, title="关于老旧小区加装电梯的建议")
    ops.review_proposal(world.secretariat, other, {"decision": "merge", "merge_into": p.id})
    db.session.commit()
    client = web(world.member2)
    assert f'href="/replies/{reply.id}/rate"' in text(client.get(f"/proposals/{p.id}"))
    client.post(f"/replies/{reply.id}/rate", data={"rating": "basically_satisfied"})
    db.session.refresh(reply)
    assert [(r.rater_id, r.is_primary) for r in loaded(reply, "ratings").ratings] == [
        (world.member2.id, False)
    ]
    assert reply.state == "delivered"  # the first proposer's rating is still due
