"""POST /api/v1/assignment-plans/{id}/apply: a plan without errors is applied in one
transaction, each proposal assigned by the same operation as a single assignment (history,
deadlines, notifications alike); every row is checked again first, and anything that no longer
holds, or any refusal on the way, leaves every proposal as it was."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import utcnow
from proposals.errors import InvalidState
from proposals.extensions import db
from proposals.notifications.models import Notification
from proposals.plans import service
from proposals.plans.models import AssignmentPlan
from proposals.workflow import operations as ops

from .. import flows
from .helpers import assignments_of, history_of, later, row, states, upload, xlsx


def checked_plan(world, api, lines):
    resp = upload(api(world.secretariat), xlsx(lines))
    assert resp.status_code == 201 and resp.get_json()["errors"] == [], resp.get_json()
    return resp.get_json()["id"]


def what_assigning_left(proposal):
    """The assignments, history and notifications of ``proposal``, without ids and times."""
    assignments = [
        (
            a.department.code,
            a.role,
            a.state,
            a.accept_due,
            a.contact_due,
            a.opinion_due,
            a.reply_due,
        )
        for a in assignments_of(proposal)
    ]
    history = [
        (h.action, h.actor_id, h.from_state, h.to_state, h.comment)
        for h in history_of(proposal)
        if h.action not in ("create", "submit", "file")
    ]
    notes = Counter(
        (n.recipient_id, n.kind)
        for n in db.session.scalars(
            select(Notification).where(Notification.proposal_id == proposal.id)
        )
    )
    return assignments, history, notes


@pytest.fixture(params=["alone", "joint"])
def assignment_mode(request, world, make):
    """Assigning alone, or with joint assignment on and an office supervising ZJJ (the plan's
    assignments then wait for its confirmation, exactly as a single assignment's do)."""
    if request.param == "joint":
        make.user("office", username="office1", office_departments=[world.unit_a])
        committee_settings.set_value("joint_assignment", "true")
        db.session.commit()
    return request.param


def test_a_plan_assigns_each_proposal_as_a_single_assignment_would(world, api, assignment_mode):
    sole, lead_co, split = (
        flows.filed(world, title="关于单办的建议"),
        flows.filed(world, title="关于主办会办的建议"),
        flows.filed(world, title="关于分办的建议"),
    )
    twins = [flows.filed(world, title=f"关于逐件交办的建议（{i}）") for i in range(3)]
    due = later(45)
    plan_id = checked_plan(
        world,
        api,
        [
            row(sole, lead="ZJJ"),
            row(lead_co, lead="ZJJ", co="CZJ、JYJ", due=due),
            row(split, split="CZJ；ZJJ", due=due),
        ],
    )
    sec = api(world.secretariat)
    resp = sec.post(f"/assignment-plans/{plan_id}/apply")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["assigned"] == [sole.id, lead_co.id, split.id]
    assert body["applied_by"] == "sec" and body["applied_at"] and body["applicable"] is False

    # the same three assignments, one by one through the single assignment
    for twin, departments, due_date in (
        (twins[0], [{"code": "ZJJ", "role": "lead"}], None),
        (
            twins[1],
            [
                {"code": "ZJJ", "role": "lead"},
                {"code": "CZJ", "role": "co"},
                {"code": "JYJ", "role": "co"},
            ],
            due,
        ),
        (twins[2], [{"code": "CZJ", "role": "lead"}, {"code": "ZJJ", "role": "lead"}], due),
    ):
        body = {"departments": departments} | ({"due_date": due_date} if due_date else {})
        assert sec.post(f"/proposals/{twin.id}/assign", body).status_code == 200

    assert states(sole, lead_co, split) == ["assigned"] * 3
    for planned, single in zip((sole, lead_co, split), twins, strict=True):
        got, expected = what_assigning_left(planned), what_assigning_left(single)
        assert got == expected
        assert got[0] and got[1] and got[2]  # assignments, history and notifications made
    roles = [a.role for a in assignments_of(lead_co)] + [a.role for a in assignments_of(split)]
    assert roles == ["lead", "co", "co", "split", "split"]
    first_state = {a.state for a in assignments_of(sole)}
    assert first_state == ({"proposed"} if assignment_mode == "joint" else {"pending"})
    assert {a.reply_due.isoformat() for a in assignments_of(split)} == {due}

    # applied once only
    resp = sec.post(f"/assignment-plans/{plan_id}/apply")
    assert resp.status_code == 409 and "已于" in resp.get_json()["error"]["message"]
    got = sec.get(f"/assignment-plans/{plan_id}").get_json()
    assert got["applied_by"] == "sec" and [r["row"] for r in got["rows"]] == [2, 3, 4]


def test_a_plan_with_one_bad_row_assigns_nothing(world, api):
    good = [flows.filed(world, title=f"关于可以交办的建议（{i}）") for i in range(3)]
    bad = flows.filed(world, title="关于写错单位的建议")
    sec = api(world.secretariat)
    lines = [row(p, lead="ZJJ") for p in good] + [row(bad, lead="不存在的局")]
    body = upload(sec, xlsx(lines)).get_json()
    assert [e["row"] for e in body["errors"]] == [5]
    resp = sec.post(f"/assignment-plans/{body['id']}/apply")
    assert resp.status_code == 409
    assert "1 处错误" in resp.get_json()["error"]["message"]
    assert states(*good, bad) == ["filed"] * 4
    assert db.session.get(AssignmentPlan, body["id"]).applied_at is None


def test_apply_checks_every_row_again(world, api):
    a, b, c = (flows.filed(world, title=f"关于再次检查的建议（{i}）") for i in range(3))
    plan_id = checked_plan(world, api, [row(a, lead="ZJJ"), row(b, lead="CZJ"), row(c, lead="JYJ")])
    sec = api(world.secretariat)
    # meanwhile b is assigned by hand and the unit of c is made inactive
    assert (
        sec.post(
            f"/proposals/{b.id}/assign", {"departments": [{"code": "ZJJ", "role": "lead"}]}
        ).status_code
        == 200
    )
    world.unit_c.active = False
    db.session.commit()
    resp = sec.post(f"/assignment-plans/{plan_id}/apply")
    assert resp.status_code == 409, resp.get_json()
    message = resp.get_json()["error"]["message"]
    assert f"第 3 行：第{b.number:04d}号提案现为“已交办”" in message
    assert "第 4 行：单位“市教育局”已停用" in message
    assert "第 2 行" not in message
    assert states(a, b, c) == ["filed", "assigned", "filed"]
    assert assignments_of(a) == [] and assignments_of(c) == []
    assert db.session.get(AssignmentPlan, plan_id).applied_at is None


def test_a_due_date_that_has_passed_since_the_upload_is_refused(world, api):
    p = flows.filed(world)
    plan_id = checked_plan(world, api, [row(p, lead="ZJJ", due=later(2))])
    plan = db.session.get(AssignmentPlan, plan_id)
    with pytest.raises(InvalidState) as refused:
        service.apply_plan(world.secretariat, plan, now=utcnow() + timedelta(days=3))
    assert "第 2 行：答复期限" in refused.value.message
    db.session.rollback()
    assert states(p) == ["filed"]


def test_a_refusal_half_way_leaves_the_earlier_rows_unassigned(world, api, monkeypatch):
    """All or nothing in the database: the request rolls back what the earlier rows did."""
    first, second = flows.filed(world), flows.filed(world, title="关于第二件的建议")
    plan_id = checked_plan(world, api, [row(first, lead="ZJJ"), row(second, lead="CZJ")])
    real = ops.assign_proposal
    calls = []

    def assign_then_refuse(actor, proposal, *args, **kwargs):
        calls.append(proposal.id)
        if proposal.id == second.id:
            raise InvalidState("测试：此件不能交办")
        return real(actor, proposal, *args, **kwargs)

    monkeypatch.setattr(ops, "assign_proposal", assign_then_refuse)
    resp = api(world.secretariat).post(f"/assignment-plans/{plan_id}/apply")
    assert calls == [first.id, second.id]  # the first one was assigned, then rolled back
    assert resp.status_code == 409
    assert resp.get_json()["error"]["message"] == "第 3 行：测试：此件不能交办"
    assert states(first, second) == ["filed", "filed"]
    assert assignments_of(first) == [] and history_of(first)[-1].action == "file"
    assert db.session.get(AssignmentPlan, plan_id).applied_at is None


def test_reading_a_plan_and_unknown_plans(world, api):
    p = flows.filed(world)
    plan_id = checked_plan(world, api, [row(p, lead="ZJJ", co="CZJ")])
    sec = api(world.secretariat)
    body = sec.get(f"/assignment-plans/{plan_id}").get_json()
    assert body["id"] == plan_id and body["filename"] == "方案.xlsx" and body["applicable"]
    assert body["rows"][0]["lead"] == "ZJJ" and body["rows"][0]["co"] == ["CZJ"]
    for path in ("/assignment-plans/999999", "/assignment-plans/99999999999999"):
        assert sec.get(path).status_code == 404
        assert sec.post(path + "/apply").status_code == 404
