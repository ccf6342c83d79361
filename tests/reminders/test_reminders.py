"""Reminders of docs/domain.md: due from the stored deadlines, created once, calendar-true."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from proposals.committee.calendar import LOCAL_TZ
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.notifications.models import Delivery, Notification
from proposals.reminders.sweep import run_sweep
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def sweep(day, hour=9):
    counts = run_sweep(now=at(day, hour), dispatch=lambda ids: 0)
    db.session.expire_all()
    return counts


def kinds(user=None, **where):
    """The reminders (notifications with a deadline: the sweep's, not the actions' events)."""
    q = select(Notification.kind, Notification.deadline).where(Notification.deadline.is_not(None))
    if user is not None:
        q = q.where(Notification.recipient_id == user.id)
    for k, v in where.items():
        q = q.where(getattr(Notification, k) == v)
    return sorted(db.session.execute(q).all())


def assigned_on(world, day, plan=None, **content):
    """A proposal filed and assigned on ``day`` (operations placed at that time)."""
    now = at(day)
    p = ops.create_proposal(world.member, world.content(**content), now=now)
    ops.submit_proposal(world.member, p, now=now)
    ops.review_proposal(world.secretariat, p, {"decision": "file"}, now=now)
    plan = plan or [(world.unit_a, "lead")]
    ops.assign_proposal(
        world.secretariat, p, [{"code": d.code, "role": r} for d, r in plan], now=now
    )
    db.session.commit()
    return p


def test_reply_due_reminders_30_7_and_1_days_before_each_created_once(world):
    p = assigned_on(world, date(2025, 3, 3))
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=at(date(2025, 3, 4)))
    db.session.commit()
    assert a.reply_due == date(2025, 6, 3)
    sweep(date(2025, 5, 3))  # 31 days before: not yet
    assert not [k for k, _ in kinds(world.clerk_a) if k.startswith("reply_due")]
    sweep(date(2025, 5, 4))
    assert ("reply_due_30", a.reply_due) in kinds(world.clerk_a)
    sweep(date(2025, 5, 4), hour=15)
    sweep(date(2025, 5, 27))
    sweep(date(2025, 6, 2))
    got = [k for k, d in kinds(world.clerk_a) if k.startswith("reply_due")]
    assert sorted(got) == ["reply_due_1", "reply_due_30", "reply_due_7"]
    # overlapping sweeps on the same day add nothing
    before = db.session.scalar(select(func.count()).select_from(Notification))
    sweep(date(2025, 6, 2), hour=10)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before


def test_overdue_reply_is_chased_the_day_after_then_weekly_with_escalation(world):
    supervisor = world.make.user("member", username="leader", name="督办领导")
    p = assigned_on(world, date(2025, 3, 3))
    ops.mark_key(world.secretariat, p, True, "leader", now=at(date(2025, 3, 3)))
    db.session.commit()
    due = loaded(p, "assignments").assignments[0].reply_due
    sweep(due)  # on the day itself: not yet overdue
    assert not [k for k, _ in kinds(world.head_a) if k == "reply_overdue"]
    sweep(due + timedelta(days=1))
    sweep(due + timedelta(days=3))  # same week: nothing new
    sweep(due + timedelta(days=8))
    for person in (world.clerk_a, world.head_a, world.secretariat):
        chases = [d for k, d in kinds(person) if k == "reply_overdue"]
        assert chases == [due + timedelta(days=1), due + timedelta(days=8)], person
    assert [k for k, _ in kinds(supervisor)] == ["key_overdue", "key_overdue"]
    assert not [k for k, _ in kinds(world.clerk_b) if k == "reply_overdue"]


def test_acceptance_reminder_is_one_working_day_before_across_national_day(world):
    p = assigned_on(world, date(2025, 9, 30))
    a = loaded(p, "assignments").assignments[0]
    # 5 working days after 30 Sep 2025: the 1-8 Oct holiday is skipped and Saturday 11 Oct,
    # a make-up working day, counts: 9, 10, 11, 13, 14 Oct
    assert a.accept_due == date(2025, 10, 14)
    sweep(date(2025, 10, 11))
    assert not [k for k, _ in kinds(world.clerk_a) if k.startswith("accept_due")]
    sweep(date(2025, 10, 13))  # one working day before
    assert ("accept_due_1", a.accept_due) in kinds(world.clerk_a)


def test_first_contact_reminder_at_ten_working_days_across_spring_festival(world):
    p = assigned_on(world, date(2026, 2, 10))
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=at(date(2026, 2, 11)))
    db.session.commit()
    sweep(date(2026, 2, 24))  # the holiday (15-23 Feb) does not count
    assert not [k for k, _ in kinds(world.clerk_a) if k.startswith("contact_missing")]
    sweep(date(2026, 3, 3))
    assert [k for k, _ in kinds(world.clerk_a) if k.startswith("contact_missing")] == [
        "contact_missing_10"
    ]


def test_an_extension_brings_reminders_for_the_new_deadline(world):
    p = assigned_on(world, date(2025, 1, 31))
    a = loaded(p, "assignments").assignments[0]
    assert a.reply_due == date(2025, 4, 30)
    hops.accept_assignment(world.clerk_a, a, now=at(date(2025, 2, 3)))
    hops.request_extension(
        world.clerk_a,
        a,
        {"until": "2025-07-31", "reason": "需协调多部门"},
        now=at(date(2025, 4, 1)),
    )
    hops.decide_extension(world.secretariat, a, {"approve": True}, now=at(date(2025, 4, 2)))
    db.session.commit()
    sweep(date(2025, 4, 29))
    assert not [k for k, _ in kinds(world.clerk_a) if k.startswith("reply_due")]
    sweep(date(2025, 7, 30))
    assert ("reply_due_1", date(2025, 7, 31)) in kinds(world.clerk_a)
    sweep(date(2025, 8, 1))
    assert ("reply_overdue", date(2025, 8, 1)) in kinds(world.clerk_a)


def test_rehandling_after_an_unsatisfied_rating_gets_its_own_deadline_reminders(world):
    p = assigned_on(world, date(2025, 3, 3))
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=at(date(2025, 3, 4)))
    hops.record_contact(
        world.clerk_a,
        a,
        {"mode": "phone", "date": "2025-03-05", "summary": "沟通"},
        now=at(date(2025, 3, 5)),
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {"result": "A", "text": "答复", "signer": "局长", "contact": "赵 1"},
        now=at(date(2025, 4, 1)),
    )
    hops.signoff_reply(world.head_a, reply, {"approve": True}, now=at(date(2025, 4, 1)))
    hops.review_reply(world.secretariat, reply, {"approve": True}, now=at(date(2025, 4, 2)))
    db.session.commit()
    # rating window: 15 working days after 2 Apr, skipping the Qingming holiday (4-6 Apr)
    assert reply.rating_due == date(2025, 4, 24)
    sweep(date(2025, 4, 18))
    assert kinds(world.member) == []
    sweep(date(2025, 4, 21))  # three working days before
    assert [k for k, _ in kinds(world.member)] == ["rating_due_3"]
    hops.rate_reply(
        world.member,
        reply,
        {"rating": "unsatisfied", "comment": "未解决"},
        now=at(date(2025, 4, 22)),
    )
    db.session.commit()
    assert a.reply_due == date(2025, 7, 22)
    sweep(date(2025, 7, 21))
    assert ("reply_due_1", date(2025, 7, 22)) in kinds(world.clerk_a)


def test_a_year_beyond_the_official_calendar_uses_weekends_and_the_admins_holidays(world, runner):
    from proposals.committee.calendar import official_years

    year = official_years()[1] + 1
    start = date(year, 3, 1)
    while start.weekday() != 0:
        start += timedelta(days=1)  # a Monday
    result = runner.invoke(
        args=["holidays", "add", (start + timedelta(days=2)).isoformat(), "--name", "测试假日"]
    )
    assert result.exit_code == 0, result.output
    p = assigned_on(world, start)
    # Tue, (Wed off), Thu, Fri, Mon, Tue → the fifth working day is the next Tuesday
    assert loaded(p, "assignments").assignments[0].accept_due == start + timedelta(days=8)
    sweep(start + timedelta(days=7))
    assert ("accept_due_1", start + timedelta(days=8)) in kinds(world.clerk_a)


def test_cosigners_are_told_on_invitation_and_before_expiry(world):
    now = at(date(2025, 6, 2))
    p = ops.create_proposal(world.member, world.content(cosigners=["m2"]), now=now)
    ops.submit_proposal(world.member, p, now=now)
    db.session.commit()
    expires = loaded(p, "cosigners").cosigners[0].expires_on
    invitation = db.session.scalars(
        select(Notification).where(Notification.recipient_id == world.member2.id)
    ).one()  # told with the submission, not at the next sweep
    assert invitation.kind == "cosign_invited" and invitation.created_at == now
    assert f"{expires.month}月{expires.day}日" in invitation.text
    sweep(date(2025, 6, 2))
    assert kinds(world.member2) == []  # the sweep does not tell it again
    sweep(expires - timedelta(days=1))
    assert ("cosign_expiring_1", expires) in kinds(world.member2)


def test_the_secretariat_gets_a_daily_digest_while_proposals_wait_too_long(world):
    now = at(date(2025, 6, 2))
    p = ops.create_proposal(world.member, world.content(), now=now)
    ops.submit_proposal(world.member, p, now=now)
    db.session.commit()
    sweep(date(2025, 6, 6))
    assert kinds(world.secretariat) == []
    sweep(date(2025, 6, 10))
    sweep(date(2025, 6, 11))
    sweep(date(2025, 6, 11), hour=17)
    assert [k for k, _ in kinds(world.secretariat)] == ["review_digest", "review_digest"]


def test_email_deliveries_are_created_for_people_with_an_address_and_failures_are_kept(
    world, app, web
):
    world.clerk_a.email = "clerk@example.org"
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens: a failure
    try:
        p = assigned_on(world, date(2025, 3, 3))
        counts = run_sweep(now=at(loaded(p, "assignments").assignments[0].accept_due))
        db.session.expire_all()
        deliveries = db.session.scalars(
            select(Delivery)
            .join(Notification)
            .options(contains_eager(Delivery.notification))
            .where(Notification.recipient_id == world.clerk_a.id)
            .order_by(Notification.id)
        ).all()
        # the assignment's event (written with the assignment) and the acceptance reminder
        assert [d.notification.kind for d in deliveries] == ["assignment_new", "accept_due_1"]
        assert counts["deliveries_dispatched"] == db.session.scalar(
            select(func.count()).select_from(Delivery)
        )
        for d in deliveries:
            assert d.channel == "email" and d.address == "clerk@example.org"
            assert d.status == "failed" and d.attempts == 1 and d.last_error
            assert d.next_attempt_at > at(loaded(p, "assignments").assignments[0].accept_due)
        page = web(world.admin).get("/").get_data(as_text=True)
        assert "发送失败的提醒" in page and "clerk@example.org" in page
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_notifications_api_lists_own_and_marks_read_only_for_the_recipient(world, api):
    p = assigned_on(world, date(2025, 3, 3))
    sweep(loaded(p, "assignments").assignments[0].accept_due)
    clerk = api(world.clerk_a)
    body = clerk.get("/notifications").json
    assert body["total"] >= 1 and body["items"][0]["read"] is False
    assert {"kind", "text", "created_at", "read"} <= set(body["items"][0])
    nid = body["items"][0]["id"]
    assert api(world.clerk_b).post(f"/notifications/{nid}/read").status_code == 404
    assert api(world.clerk_b).get("/notifications").json["total"] == 0
    r = clerk.post(f"/notifications/{nid}/read")
    assert r.status_code == 200 and r.json["read"] is True


def test_unread_count_in_the_header_and_the_notifications_page(world, web):
    p = assigned_on(world, date(2025, 3, 3))
    sweep(loaded(p, "assignments").assignments[0].accept_due)
    client = web(world.clerk_a)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count"' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert p.title in page
    mine = db.session.scalars(
        select(Notification).where(Notification.recipient_id == world.clerk_a.id)
    ).all()
    assert len(mine) == 2  # the new assignment (an event) and the acceptance reminder
    for n in mine:
        client.post(f"/notifications/{n.id}/read")
    db.session.expire_all()
    assert all(n.read_at is not None for n in mine)
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_admin_is_warned_when_the_sweep_has_not_run_within_twice_its_interval(world, web):
    assert 'data-testid="sweep-warning"' in web(world.admin).get("/").get_data(as_text=True)
    run_sweep(dispatch=lambda ids: 0)
    assert 'data-testid="sweep-warning"' not in web(world.admin).get("/").get_data(as_text=True)


@pytest.mark.parametrize("offset", [0, 1])
def test_nothing_is_sent_about_records_that_moved_on(world, offset):
    p = assigned_on(world, date(2025, 3, 3))
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=at(date(2025, 3, 4)))
    db.session.commit()
    sweep(a.accept_due - timedelta(days=offset))
    assert not [k for k, _ in kinds(world.clerk_a) if k.startswith("accept_due")]
