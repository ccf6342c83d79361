"""The supervising office (督查室, role office): scoped to its units; by setting it confirms joint
assignments, decides its units' reassignment and extension requests, and reviews their replies
before or instead of the secretariat. A unit no office supervises stays with the secretariat."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from proposals.accounts import service as accounts
from proposals.committee import settings as committee_settings
from proposals.committee.calendar import local_date, utcnow
from proposals.errors import InvalidState, NotPermitted, ValidationError
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Assignment, Reply
from proposals.notifications.models import Notification
from proposals.workflow import operations as ops
from proposals.workflow.access import can_view, visible_filter
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows


@pytest.fixture()
def office(world):
    """An office supervising unit A (not B or C)."""
    user = world.make.user(
        "office", username="dcs", name="督查室", office_departments=[world.unit_a]
    )
    db.session.commit()
    return user


def setting(**values):
    committee_settings.set_values({k: str(v).lower() for k, v in values.items()})
    db.session.commit()


def parts(p):
    db.session.expire_all()
    return sorted(
        db.session.scalars(select(Assignment).where(Assignment.proposal_id == p.id)),
        key=lambda a: a.id,
    )


def visible_ids(user):
    return set(db.session.scalars(select(Proposal.id).where(visible_filter(user))))


# ---------------------------------------------------------------- scope


def test_the_office_sees_its_units_items_only(world, office):
    mine = flows.assigned(world, plan=[(world.unit_a, "lead")])
    other = flows.assigned(world, plan=[(world.unit_b, "lead")])
    unassigned = flows.filed(world)
    assert visible_ids(office) == {mine.id}
    loaded(other, "assignments")
    loaded(mine, "assignments")
    assert can_view(office, mine) and not can_view(office, other)
    assert not can_view(office, loaded(unassigned, "assignments"))


def test_an_office_account_needs_known_units(world):
    base = {"username": "dcs2", "name": "督查室", "role": "office", "password": "Gd7#kQ9!xP"}
    with pytest.raises(ValidationError) as err:
        accounts.create_user(dict(base))
    assert "units" in err.value.fields
    with pytest.raises(ValidationError) as err:
        accounts.create_user(dict(base, units="ZJJ;NOPE"))
    assert "NOPE" in err.value.fields["units"]
    with pytest.raises(ValidationError) as err:
        accounts.create_user(dict(base, role="member", units="ZJJ"))
    assert "units" in err.value.fields
    user = accounts.create_user(dict(base, units="ZJJ；CZJ"))
    assert {d.code for d in user.office_departments} == {"ZJJ", "CZJ"}


# ---------------------------------------------------------------- joint assignment


def test_without_the_setting_assignment_starts_at_once(world, office):
    p = flows.assigned(world, plan=[(world.unit_a, "lead")])
    assert [a.state for a in parts(p)] == ["pending"]


def test_joint_assignment_waits_for_the_office_then_starts_every_part(world, office):
    setting(joint_assignment=True)
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    lead, co = parts(p)
    assert (lead.state, co.state) == ("proposed", "proposed")
    assert lead.confirmed_at is None and co.confirmed_at is not None  # B has no office
    # the unit is not told yet; the office is
    kinds = {(n.recipient_id, n.kind) for n in db.session.scalars(select(Notification)).all()}
    assert (office.id, "assignment_confirm_needed") in kinds
    assert not any(uid == world.clerk_a.id for uid, _k in kinds)
    # the unit cannot act on it yet
    with pytest.raises((InvalidState, NotPermitted)):
        hops.accept_assignment(world.clerk_a, lead)
    db.session.rollback()
    # only the office of the unit confirms
    for outsider in (world.secretariat, world.clerk_a):
        with pytest.raises(NotPermitted):
            hops.confirm_assignment(outsider, parts(p)[0], {"approve": True})
        db.session.rollback()
    hops.confirm_assignment(office, parts(p)[0], {"approve": True})
    db.session.commit()
    lead, co = parts(p)
    assert (lead.state, co.state) == ("pending", "pending")
    assert lead.confirmed_by_id == office.id
    told = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == world.clerk_a.id)
    ).all()
    assert "assignment_new" in told
    hops.accept_assignment(world.clerk_a, lead)
    db.session.commit()


def test_deadlines_run_from_the_confirmation(world, office, monkeypatch):
    setting(joint_assignment=True)
    p = flows.assigned(world, plan=[(world.unit_a, "lead")])
    (a,) = parts(p)
    proposed_due = a.reply_due
    later = utcnow() + timedelta(days=10)
    hops.confirm_assignment(office, a, {"approve": True}, now=later)
    db.session.commit()
    (a,) = parts(p)
    assert a.reply_due == proposed_due + timedelta(days=10)
    assert a.round_started_on == local_date(later)
    assert a.accept_due > local_date(later)


def test_a_refusal_needs_a_comment_and_returns_the_proposal_for_assignment(world, office):
    setting(joint_assignment=True)
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    with pytest.raises(ValidationError):
        hops.confirm_assignment(office, parts(p)[0], {"approve": False})
    db.session.rollback()
    assert [a.state for a in parts(p)] == ["proposed", "proposed"]
    hops.confirm_assignment(office, parts(p)[0], {"approve": False, "comment": "应由财政局主办"})
    db.session.commit()
    assert [a.state for a in parts(p)] == ["not_confirmed", "not_confirmed"]
    assert db.session.get(Proposal, p.id).state == "filed"
    told = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == world.secretariat.id)
    ).all()
    assert "assignment_not_confirmed" in told
    # the secretariat assigns again, to units of its choice
    proposal = db.session.get(Proposal, p.id)
    ops.assign_proposal(world.secretariat, proposal, [{"code": "CZJ", "role": "lead"}])
    db.session.commit()
    assert [a.state for a in parts(p)][-1] == "pending"  # B has no office: starts at once


def test_a_confirmed_part_cannot_be_confirmed_twice(world, office):
    setting(joint_assignment=True)
    second = world.make.user(
        "office", username="dcs_b", name="政府督查室", office_departments=[world.unit_b]
    )
    db.session.commit()
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    hops.confirm_assignment(office, parts(p)[0], {"approve": True})
    db.session.commit()
    assert [a.state for a in parts(p)] == ["proposed", "proposed"]  # B's office still to confirm
    with pytest.raises(InvalidState):
        hops.confirm_assignment(office, parts(p)[0], {"approve": True})
    db.session.rollback()
    hops.confirm_assignment(second, parts(p)[1], {"approve": True})
    db.session.commit()
    assert [a.state for a in parts(p)] == ["pending", "pending"]


def test_the_confirm_endpoint(world, office, api):
    setting(joint_assignment=True)
    p = flows.assigned(world, plan=[(world.unit_a, "lead")])
    (a,) = parts(p)
    resp = api(world.secretariat).post(f"/assignments/{a.id}/confirm", {"approve": True})
    assert resp.status_code == 403
    resp = api(office).post(f"/assignments/{a.id}/confirm", {"approve": "yes"})
    assert resp.status_code == 400
    assert parts(p)[0].state == "proposed"
    resp = api(office).post(f"/assignments/{a.id}/confirm", {"approve": True})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "pending"


# ---------------------------------------------------------------- requests


def test_requests_of_its_units_are_the_offices_when_the_setting_says_so(world, office):
    p = flows.assigned(world, plan=[(world.unit_a, "lead")])
    (a,) = parts(p)
    hops.request_reassignment(world.clerk_a, a, "不属于本单位职责")
    db.session.commit()
    setting(office_decides_requests=True)
    with pytest.raises(NotPermitted):
        hops.decide_reassignment(world.secretariat, parts(p)[0], {"approve": False})
    db.session.rollback()
    hops.decide_reassignment(office, parts(p)[0], {"approve": True, "department": "CZJ"})
    db.session.commit()
    first, second = parts(p)
    assert (first.state, second.state) == ("reassigned", "pending")
    # unit B has no office: its requests stay with the secretariat
    hops.request_reassignment(world.clerk_b, second, "也不属于本单位")
    db.session.commit()
    with pytest.raises(NotPermitted):
        hops.decide_reassignment(office, parts(p)[1], {"approve": False})
    db.session.rollback()
    hops.decide_reassignment(world.secretariat, parts(p)[1], {"approve": False})
    db.session.commit()


def test_without_the_setting_the_office_decides_nothing(world, office):
    p = flows.handling(world, plan=[(world.unit_a, "lead")])
    (a,) = parts(p)
    until = (a.reply_due + timedelta(days=20)).isoformat()
    hops.request_extension(world.clerk_a, a, {"until": until, "reason": "需要调研"})
    db.session.commit()
    with pytest.raises(NotPermitted):
        hops.decide_extension(office, parts(p)[0], {"approve": True})
    db.session.rollback()
    setting(office_decides_requests=True)
    hops.decide_extension(office, parts(p)[0], {"approve": True})
    db.session.commit()
    assert parts(p)[0].extended_to.isoformat() == until


# ---------------------------------------------------------------- reply review


def draft(world, a, result="A"):
    hops.record_contact(
        world.clerk_a,
        a,
        {"mode": "phone", "date": local_date(utcnow()).isoformat(), "summary": "电话"},
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {"result": result, "text": "答复正文。", "signer": "局长", "contact": "赵某 88888888"},
    )
    hops.signoff_reply(world.head_a, reply, {"approve": True})
    db.session.commit()
    return reply


@pytest.mark.parametrize(
    "mode, after_office", [("before", "awaiting_review"), ("instead", "delivered")]
)
def test_the_office_reviews_its_units_replies(world, office, mode, after_office):
    setting(office_reply_review=mode)
    p = flows.handling(world, plan=[(world.unit_a, "lead")])
    reply = draft(world, parts(p)[0])
    assert reply.state == "awaiting_office_review"
    with pytest.raises(NotPermitted):
        hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.rollback()
    reply = db.session.get(Reply, reply.id)
    with pytest.raises(ValidationError):  # B needs a promised date the unit did not give
        hops.review_reply(office, reply, {"approve": True, "result": "B"})
    db.session.rollback()
    reply = db.session.get(Reply, reply.id)
    assert reply.state == "awaiting_office_review" and reply.result == "A"
    hops.review_reply(office, reply, {"approve": True, "result": "C"})
    db.session.commit()
    reply = db.session.get(Reply, reply.id)
    assert (reply.state, reply.result, reply.office_reviewed_by_id) == (
        after_office,
        "C",
        office.id,
    )


def test_the_office_may_return_a_reply(world, office):
    setting(office_reply_review="before")
    p = flows.handling(world, plan=[(world.unit_a, "lead")])
    reply = draft(world, parts(p)[0])
    hops.review_reply(office, reply, {"approve": False, "comment": "请逐条答复"})
    db.session.commit()
    assert db.session.get(Reply, reply.id).state == "returned"


def test_a_unit_without_office_goes_straight_to_the_secretariat(world, office):
    setting(office_reply_review="instead")
    p = flows.handling(world, plan=[(world.unit_b, "lead")])
    a = parts(p)[0]
    hops.record_contact(
        world.clerk_b,
        a,
        {"mode": "phone", "date": local_date(utcnow()).isoformat(), "summary": "电话"},
    )
    reply = hops.draft_reply(
        world.clerk_b,
        a,
        {"result": "A", "text": "答复正文。", "signer": "局长", "contact": "钱某 88888888"},
    )
    hops.signoff_reply(world.head_b, reply, {"approve": True})
    assert reply.state == "awaiting_review"


def test_the_office_home_lists_its_work(world, office, web):
    setting(joint_assignment=True)
    p = flows.assigned(world, plan=[(world.unit_a, "lead")])
    client = web(office)
    page = client.get("/").get_data(as_text=True)
    assert p.title in page and "待确认的交办" in page
    (a,) = parts(p)
    for path in ("/proposals", "/assignments", f"/proposals/{p.id}"):
        resp = client.get(path)
        assert resp.status_code == 200 and p.title in resp.get_data(as_text=True), path
    assert f"/assignments/{a.id}/confirm" in client.get(f"/proposals/{p.id}").get_data(as_text=True)
    form = client.get(f"/assignments/{a.id}/confirm")
    assert form.status_code == 200
    resp = client.post(f"/assignments/{a.id}/confirm", data={"approve": "approve", "comment": ""})
    assert resp.status_code == 302
    assert parts(p)[0].state == "pending"


def test_the_admin_sets_and_changes_an_offices_units(world, web):
    client = web(world.admin)
    resp = client.post(
        "/admin/users/new",
        data={
            "username": "dcs9",
            "name": "督查室",
            "role": "office",
            "units": "ZJJ;CZJ",
            "password": "Gd7#kQ9!xPw",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    user = db.session.scalar(select(accounts.User).where(accounts.User.username == "dcs9"))
    assert user.office_department_ids == {world.unit_a.id, world.unit_b.id}
    page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "CZJ;ZJJ" in page  # by code
    accounts.update_user(world.admin, user, {"name": "督查室", "role": "office", "units": "JYJ"})
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(accounts.User, user.id)
    assert user.office_department_ids == {world.unit_c.id}
    with pytest.raises(ValidationError):
        accounts.update_user(world.admin, user, {"name": "督查室", "role": "office", "units": ""})


def test_the_office_reads_the_figures_with_its_own_units_rows_only(world, office, api, web):
    flows.assigned(world, plan=[(world.unit_a, "lead")])
    flows.assigned(world, plan=[(world.unit_b, "lead")])
    resp = api(office).get("/stats/annual")
    assert resp.status_code == 200
    body = resp.get_json()
    assert [u["code"] for u in body["by_department"]] == ["ZJJ"]
    assert body["filed"] == 2  # the committee's totals are the published report's
    full = api(world.secretariat).get("/stats/annual").get_json()
    assert sorted(u["code"] for u in full["by_department"]) == ["CZJ", "ZJJ"]
    page = web(office).get("/stats").get_data(as_text=True)
    assert world.unit_a.name in page and world.unit_b.name not in page
    assert web(office).get("/stats/annual.xlsx").status_code == 403
    assert api(world.clerk_a).get("/stats/annual").status_code == 403
