"""Staged review (setting staged_review): the 初审 records a decision and the proposal waits for
the 审定, taken by another secretariat account, which confirms or changes it."""

import pytest
from sqlalchemy import select

from proposals.committee import settings as committee_settings
from proposals.errors import NotPermitted, ValidationError
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.models import HistoryEntry, Proposal, ReviewDecision

from .. import flows


@pytest.fixture()
def staged(world):
    committee_settings.set_value("staged_review", "true")
    db.session.commit()
    return world.make.user("secretariat", username="sec2", name="审定人")


def fresh(p):
    db.session.expire_all()
    return db.session.get(Proposal, p.id)


def test_off_by_default_a_review_files_at_once(world):
    p = flows.submitted(world)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    assert fresh(p).state == "filed"


def test_the_first_review_is_preliminary_and_changes_nothing_else(world, staged):
    p = flows.submitted(world, title="关于初审的建议")
    ops.review_proposal(
        world.secretariat,
        p,
        {"decision": "file", "category": "economy", "title": "关于初审更正后的建议"},
    )
    db.session.commit()
    p = fresh(p)
    assert (p.state, p.number, p.title, p.category.code) == (
        "pre_reviewed",
        None,
        "关于初审的建议",
        "society",
    )
    first = db.session.scalars(
        select(ReviewDecision).where(ReviewDecision.proposal_id == p.id)
    ).one()
    assert (first.stage, first.decision, first.title) == (
        "preliminary",
        "file",
        "关于初审更正后的建议",
    )
    entry = db.session.scalars(
        select(HistoryEntry).where(
            HistoryEntry.proposal_id == p.id, HistoryEntry.action == "pre_review"
        )
    ).one()
    assert "初审意见：立案" in entry.comment and "关于初审更正后的建议" in entry.comment


def test_the_final_review_is_another_persons(world, staged):
    p = flows.submitted(world)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    db.session.commit()
    with pytest.raises(NotPermitted):
        ops.review_proposal(world.secretariat, fresh(p), {"decision": "file"})
    db.session.rollback()
    assert fresh(p).state == "pre_reviewed"
    ops.review_proposal(staged, fresh(p), {"decision": "file", "title": "关于审定更正的建议"})
    db.session.commit()
    p = fresh(p)
    assert p.state == "filed" and p.number is not None and p.title == "关于审定更正的建议"


def test_the_final_review_may_decide_otherwise(world, staged):
    p = flows.submitted(world)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    db.session.commit()
    ops.review_proposal(
        staged,
        fresh(p),
        {"decision": "not_file", "reason_code": "personal", "disposition": "letter"},
    )
    db.session.commit()
    assert fresh(p).state == "not_filed"


def test_bad_input_at_the_first_review_changes_nothing(world, staged):
    p = flows.submitted(world)
    with pytest.raises(ValidationError):
        ops.review_proposal(world.secretariat, p, {"decision": "file", "category": "nope"})
    db.session.rollback()
    assert fresh(p).state == "submitted"
    assert not db.session.scalars(select(ReviewDecision)).all()


def test_a_return_needs_no_second_step(world, staged):
    p = flows.submitted(world)
    ops.review_proposal(world.secretariat, p, {"decision": "return", "comment": "请补充建议"})
    db.session.commit()
    assert fresh(p).state == "draft"


def test_a_batch_is_preliminary_then_final(world, staged, api):
    ps = [flows.submitted(world, title=f"关于分步审查的建议（{i}）") for i in range(2)]
    ids = [p.id for p in ps]
    resp = api(world.secretariat).post("/proposals/review-batch", {"ids": ids, "decision": "file"})
    assert resp.status_code == 200, resp.get_json()
    assert [fresh(p).state for p in ps] == ["pre_reviewed", "pre_reviewed"]
    resp = api(world.secretariat).post("/proposals/review-batch", {"ids": ids, "decision": "file"})
    assert resp.status_code == 403
    assert [fresh(p).state for p in ps] == ["pre_reviewed", "pre_reviewed"]
    resp = api(staged).post("/proposals/review-batch", {"ids": ids, "decision": "file"})
    assert resp.status_code == 200
    assert [fresh(p).state for p in ps] == ["filed", "filed"]


def test_the_proposer_may_withdraw_while_it_waits(world, staged):
    p = flows.submitted(world)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    db.session.commit()
    ops.withdraw_proposal(world.member, fresh(p), "不再需要")
    db.session.commit()
    assert fresh(p).state == "withdrawn"
