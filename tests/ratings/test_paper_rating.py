"""Paper ratings (纸质测评): the secretariat enters the rating a proposer returned on the paper
opinion form, with the checks and effects of that proposer's online rating, marked as paper
with who entered it; refused (nothing changed) when the reply awaits no rating, the person may
not rate it or has rated it; only the secretariat may enter one."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from proposals.committee.calendar import local_date, utcnow
from proposals.errors import InvalidState, NotPermitted, ValidationError
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling import ratings
from proposals.handling.models import Assignment, Rating, Reply
from proposals.workflow import operations as ops
from proposals.workflow.models import HistoryEntry, Proposal

from .. import flows
from ..security.access_helpers import BOOKKEEPING_TABLES, dump
from .helpers import count_ratings, joint_replied, rating_by

UNWATCHED = BOOKKEEPING_TABLES | {"api_tokens"}  # the request's own bookkeeping


def today():
    return local_date(utcnow()).isoformat()


def enter(api, user, reply, **body):
    body.setdefault("rating", "satisfied")
    return api(user).post(f"/replies/{reply.id}/paper-rating", body)


def reply_state(reply):
    db.session.expire_all()
    r = db.session.get(Reply, reply.id)
    return r.state, db.session.get(Assignment, r.assignment_id).state


def test_the_first_proposers_paper_rating_moves_the_workflow_and_is_marked(world, api, web):
    world.secretariat.name = "赵秘书"
    db.session.commit()
    p, reply = flows.replied(world)
    resp = enter(api, world.secretariat, reply, rating="unsatisfied", comment="纸质意见：未落实")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["state"] == "rated"
    (shown,) = body["ratings"]
    assert (shown["rater"], shown["primary"], shown["source"], shown["entered_by"]) == (
        "m1",
        True,
        "paper",
        "sec",
    )
    # the same effect as the first proposer's online rating: back to the unit, round 2
    assert reply_state(reply) == ("rated", "rehandling")
    row = db.session.scalars(select(Rating).where(Rating.reply_id == reply.id)).one()
    assert (row.rater_id, row.entered_by_id, row.source, row.is_primary, row.comment) == (
        world.member.id,
        world.secretariat.id,
        "paper",
        True,
        "纸质意见：未落实",
    )
    entry = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.reply_id == reply.id, HistoryEntry.action == "rate")
    ).one()
    assert entry.actor_id == world.member.id
    assert entry.comment == "不满意（纸质测评，由赵秘书录入）：纸质意见：未落实"
    # the proposal page says so, to the proposer as to the secretariat
    for user in (world.member, world.secretariat):
        page = web(user).get(f"/proposals/{p.id}").get_data(as_text=True)
        assert 'data-testid="paper-rating-mark">（纸质测评，由赵秘书录入）</span>' in page
    # and the proposal's answer carries the marks
    detail = api(world.member).get(f"/proposals/{p.id}").get_json()
    assert [(r["source"], r["entered_by"]) for r in detail["ratings"]] == [("paper", "sec")]


def test_a_satisfied_paper_rating_closes_the_proposal(world, api):
    p, reply = flows.replied(world)
    assert enter(api, world.secretariat, reply, rater="m1").status_code == 200
    assert reply_state(reply) == ("rated", "closed")
    assert db.session.get(Proposal, p.id).state == "closed"


def test_a_cosigners_paper_rating_under_all_moves_nothing(world, api):
    rating_by("all")
    p, (reply,) = joint_replied(world, accepted=(world.member2,))
    resp = enter(api, world.secretariat, reply, rater="m2", rating="unsatisfied", comment="差")
    assert resp.status_code == 200, resp.get_json()
    assert reply_state(reply) == ("delivered", "replied")
    row = db.session.scalars(select(Rating).where(Rating.reply_id == reply.id)).one()
    assert (row.rater_id, row.is_primary, row.source) == (world.member2.id, False, "paper")


def refused(api, user, reply, status, **body):
    """The request is refused with ``status`` and nothing in the database changes."""
    client = api(user)  # its token is made before the count
    before = dump(UNWATCHED)
    resp = client.post(f"/replies/{reply.id}/paper-rating", {"rating": "satisfied", **body})
    assert resp.status_code == status, resp.get_json()
    assert dump(UNWATCHED) == before
    return resp.get_json()["error"]


def test_refused_when_the_reply_awaits_no_rating(world, api, web):
    p = flows.handling(world)
    a = p.assignments[0]
    hops.record_contact(world.clerk_a, a, {"mode": "phone", "date": today(), "summary": "电话"})
    draft = hops.draft_reply(
        world.clerk_a, a, {"result": "A", "text": "答复", "signer": "局长", "contact": "赵某"}
    )
    hops.signoff_reply(world.head_a, draft, {"approve": True})
    db.session.commit()  # awaiting the secretariat's review
    error = refused(api, world.secretariat, draft, 409)
    assert "不能录入测评" in error["message"] and f"答复 {draft.id}" in error["message"]
    # an unrated reply (its window passed) awaits nothing either
    p2, reply = flows.replied(world, title="关于另一件的建议")
    hops.expire_ratings(now=utcnow() + timedelta(days=60))
    db.session.commit()
    assert reply_state(reply) == ("unrated", "closed")
    assert refused(api, world.secretariat, reply, 409)["code"] == "invalid_state"
    page = web(world.secretariat)
    for r, proposal in ((draft, p), (reply, p2)):
        assert page.get(f"/replies/{r.id}/paper-rating").status_code == 409
        shown = page.get(f"/proposals/{proposal.id}").get_data(as_text=True)
        assert 'data-testid="reply-paper-rating"' not in shown


def test_refused_when_the_person_has_rated_already(world, api):
    p, reply = flows.replied(world)
    assert (
        api(world.member).post(f"/replies/{reply.id}/rating", {"rating": "satisfied"}).status_code
        == 200
    )
    error = refused(api, world.secretariat, reply, 409)
    assert "张委员（m1）已测评过此答复" in error["message"]
    # a merged proposer who has not rated may still have their form entered
    other = flows.submitted(world, proposer=world.member3, title="关于合并的建议")
    ops.review_proposal(world.secretariat, other, {"decision": "merge", "merge_into": p.id})
    db.session.commit()
    assert enter(api, world.secretariat, reply, rater="m3").status_code == 200
    assert refused(api, world.secretariat, reply, 409, rater="m3")["code"] == "invalid_state"


def test_refused_naming_the_rater_who_may_not_rate(world, api):
    p, (reply,) = joint_replied(world, accepted=(world.member2,))
    error = refused(api, world.secretariat, reply, 400, rater="m2")  # rating_by 'first'
    assert error["fields"]["rater"] == (
        "李委员（m2）不能测评此答复：只有第一提案人（或集体提案单位）可以测评"
    )
    error = refused(api, world.secretariat, reply, 400, rater="nobody")
    assert error["fields"]["rater"] == "没有用户名为 nobody 的用户"
    error = refused(api, world.secretariat, reply, 400, rater="clerk_a")
    assert "clerk_a" in error["fields"]["rater"]
    # a bad rating is the online rating's own message
    error = refused(api, world.secretariat, reply, 400, rating="很满意")
    assert set(error["fields"]) == {"rating"}
    assert count_ratings() == 0


def test_only_the_secretariat_enters_paper_ratings(world, api, web):
    p, reply = flows.replied(world)
    assert refused(api, world.member, reply, 403)["code"] == "forbidden"  # even the proposer
    assert refused(api, world.clerk_a, reply, 403)["code"] == "forbidden"
    assert refused(api, world.member2, reply, 404)["code"] == "not_found"  # cannot see it
    with pytest.raises(NotPermitted):
        ratings.paper_rating(world.head_a, reply, {"rating": "satisfied"})
    db.session.rollback()
    for user, status in ((world.member, 403), (world.clerk_a, 403), (world.member2, 404)):
        assert web(user).get(f"/replies/{reply.id}/paper-rating").status_code == status
        page = web(user).post(f"/replies/{reply.id}/paper-rating", data={"rating": "satisfied"})
        assert page.status_code == status
    assert count_ratings() == 0
    assert reply_state(reply) == ("delivered", "replied")


def test_the_secretariat_enters_a_form_from_the_proposal_page(world, web):
    rating_by("all")
    p, (reply,) = joint_replied(world, accepted=(world.member2,), declined=(world.member3,))
    page = web(world.secretariat)
    shown = page.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'data-testid="reply-paper-rating"' in shown
    form = page.get(f"/replies/{reply.id}/paper-rating").get_data(as_text=True)
    # the people who may still rate, and nobody else
    assert 'value="m1"' in form and 'value="m2"' in form and 'value="m3"' not in form
    resp = page.post(
        f"/replies/{reply.id}/paper-rating",
        data={"rater": "m2", "rating": "basically_satisfied", "comment": ""},
    )
    assert resp.status_code == 302
    form = page.get(f"/replies/{reply.id}/paper-rating").get_data(as_text=True)
    assert 'value="m1"' in form and 'value="m2"' not in form
    # a refusal lands on the form: unsatisfied needs a comment
    resp = page.post(
        f"/replies/{reply.id}/paper-rating", data={"rater": "m1", "rating": "unsatisfied"}
    )
    assert resp.status_code == 400
    assert "请填写意见" in resp.get_data(as_text=True)
    assert reply_state(reply) == ("delivered", "replied")
    resp = page.post(
        f"/replies/{reply.id}/paper-rating", data={"rater": "", "rating": "satisfied"}
    )  # the first proposer by default
    assert resp.status_code == 302
    assert reply_state(reply) == ("rated", "closed")
    # nobody left to rate: no button, and the page answers 409
    shown = page.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'data-testid="reply-paper-rating"' not in shown
    assert page.get(f"/replies/{reply.id}/paper-rating").status_code == 409
    rows = db.session.scalars(select(Rating).order_by(Rating.id)).all()
    assert [(r.rater_id, r.source, r.entered_by_id) for r in rows] == [
        (world.member2.id, "paper", world.secretariat.id),
        (world.member.id, "paper", world.secretariat.id),
    ]


def test_the_operation_refuses_before_changing_anything(world):
    p, reply = flows.replied(world)
    with pytest.raises(ValidationError):
        ratings.paper_rating(world.secretariat, reply, {"rater": ["m1"], "rating": "satisfied"})
    db.session.rollback()
    with pytest.raises(InvalidState):
        reply.state = "rated"
        ratings.paper_rating(world.secretariat, reply, {"rating": "satisfied"})
    db.session.rollback()
    assert count_ratings() == 0
