"""Who rates (the setting rating_by): with 'first' only the first proposer (and merged
proposers); with 'all' also every co-signer who accepted, once per delivered reply, without
moving anything: the first proposer's rating alone moves the workflow."""

import pytest
from sqlalchemy import select

from proposals.errors import NotPermitted
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Assignment, Rating, Reply
from proposals.workflow.models import HistoryEntry, Proposal

from .helpers import count_ratings, joint_replied, rating_by

FIRST_ONLY = "只有第一提案人（或集体提案单位）可以测评"
PROPOSERS = "只有第一提案人（或集体提案单位）和已确认联名的提案人可以测评"


def rate(api, user, reply, rating="satisfied", comment="意见"):
    return api(user).post(f"/replies/{reply.id}/rating", {"rating": rating, "comment": comment})


def states(p, reply):
    db.session.expire_all()
    a = db.session.get(Assignment, reply.assignment_id)
    return (
        db.session.get(Proposal, p.id).state,
        a.state,
        a.round,
        db.session.get(Reply, reply.id).state,
    )


def test_under_all_an_accepted_cosigner_rates_and_a_declined_one_is_refused(world, api):
    rating_by("all")
    p, (reply,) = joint_replied(world, accepted=(world.member2,), declined=(world.member3,))
    resp = rate(api, world.member2, reply, "basically_satisfied", "基本满意，望继续推进")
    assert resp.status_code == 200, resp.get_json()
    mine = [r for r in resp.get_json()["ratings"] if r["rater"] == "m2"]
    assert mine == [
        {
            "reply_id": reply.id,
            "rater": "m2",
            "rating": "basically_satisfied",
            "comment": "基本满意，望继续推进",
            "primary": False,
            "source": "online",
            "entered_by": None,
            "created_at": mine[0]["created_at"],
        }
    ]
    before = count_ratings()
    # a co-signer who declined does not even see the proposal; the operation refuses too
    assert rate(api, world.member3, reply).status_code == 404
    with pytest.raises(NotPermitted) as refused:
        hops.rate_reply(world.member3, reply, {"rating": "satisfied"})
    assert refused.value.message == PROPOSERS
    db.session.rollback()
    assert count_ratings() == before
    # once each
    again = rate(api, world.member2, reply, "satisfied")
    assert again.status_code == 409
    assert count_ratings() == before


def test_under_first_the_cosigner_is_refused_with_the_words_of_that_setting(world, api):
    p, (reply,) = joint_replied(world, accepted=(world.member2,))
    refused = rate(api, world.member2, reply)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == FIRST_ONLY
    assert count_ratings() == 0
    rating_by("all")  # the same person, the same reply: now entitled
    assert rate(api, world.member2, reply).status_code == 200
    rating_by("first")  # and the refusal follows the setting back
    p2, (reply2,) = joint_replied(world, accepted=(world.member2,), title="关于第二件的建议")
    assert rate(api, world.member2, reply2).get_json()["error"]["message"] == FIRST_ONLY


def test_only_the_first_proposers_rating_moves_the_workflow(world, api):
    rating_by("all")
    p, (reply,) = joint_replied(world, accepted=(world.member2, world.member3))
    delivered = states(p, reply)
    assert delivered == ("assigned", "replied", 1, "delivered")
    # a co-signer unsatisfied on the first round: no re-handling, nothing moves
    assert rate(api, world.member2, reply, "unsatisfied", "不满意").status_code == 200
    assert states(p, reply) == delivered
    entry = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.reply_id == reply.id, HistoryEntry.action == "rate")
    ).one()
    assert (entry.actor_id, entry.from_state, entry.to_state) == (
        world.member2.id,
        "delivered",
        "delivered",
    )
    assert entry.comment == "不满意：不满意"
    # the first proposer's rating closes the item and the proposal
    assert rate(api, world.member, reply, "satisfied").status_code == 200
    assert states(p, reply) == ("closed", "closed", 1, "rated")
    # a co-signer may still rate the rated reply; it moves nothing either
    assert rate(api, world.member3, reply, "unsatisfied", "仍不满意").status_code == 200
    assert states(p, reply) == ("closed", "closed", 1, "rated")
    assert not db.session.get(Proposal, p.id).consultation_due
    rows = db.session.scalars(select(Rating).where(Rating.reply_id == reply.id)).all()
    assert sorted((r.rater_id, r.is_primary) for r in rows) == sorted(
        [(world.member.id, True), (world.member2.id, False), (world.member3.id, False)]
    )


def test_the_first_proposers_unsatisfied_rating_still_sends_the_item_back(world, api):
    rating_by("all")
    p, (reply,) = joint_replied(world, accepted=(world.member2,))
    assert rate(api, world.member2, reply, "satisfied").status_code == 200
    assert rate(api, world.member, reply, "unsatisfied", "不满意").status_code == 200
    assert states(p, reply) == ("assigned", "rehandling", 2, "rated")


def test_the_rating_page_is_offered_to_the_cosigner_only_under_all(world, web):
    p, (reply,) = joint_replied(world, accepted=(world.member2,))
    page = web(world.member2)
    shown = page.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'data-testid="rate-button"' not in shown
    assert page.get(f"/replies/{reply.id}/rate").status_code == 403
    rating_by("all")
    shown = page.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'data-testid="rate-button"' in shown
    form = page.get(f"/replies/{reply.id}/rate").get_data(as_text=True)
    assert "计入满意度统计，但不改变办理流程" in form
    resp = page.post(f"/replies/{reply.id}/rate", data={"rating": "satisfied", "comment": ""})
    assert resp.status_code == 302
    assert states(p, reply) == ("assigned", "replied", 1, "delivered")
    row = db.session.scalars(select(Rating).where(Rating.rater_id == world.member2.id)).one()
    assert (row.rating, row.is_primary, row.source) == ("satisfied", False, "online")
    # rated: the button goes
    shown = page.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'data-testid="rate-button"' not in shown
