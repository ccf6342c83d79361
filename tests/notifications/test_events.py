"""Events (docs/domain.md): every action that concerns someone tells them at once, in the
action's own transaction, with a link to the proposal and a short SMS text that carries no
title; the actor is not told; a refused or rolled-back action tells nobody; each person's
choices decide the channels."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import LOCAL_TZ
from proposals.committee.models import NotFiledReason
from proposals.errors import ValidationError
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.notifications import preferences
from proposals.notifications.events import SHORT_MAX
from proposals.notifications.models import Delivery, Notification
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows


def told(kind=None):
    """{kind: sorted usernames} of the notifications so far (or the usernames for ``kind``)."""
    rows = db.session.scalars(
        select(Notification).options(selectinload(Notification.deliveries))
    ).all()
    out = {}
    for n in rows:
        out.setdefault(n.kind, []).append(n.recipient.username)
    out = {k: sorted(v) for k, v in out.items()}
    return out.get(kind, []) if kind else out


def one(kind):
    """The first notification of ``kind`` (they share their text)."""
    return db.session.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    ).first()


def test_cosigning_invitation_and_the_review_outcome_reach_the_proposers(world):
    p = flows.draft(world, cosigners=[world.member2, world.member3])
    ops.submit_proposal(world.member, p)
    db.session.commit()
    assert told("cosign_invited") == ["m2", "m3"]  # at once, not at the next sweep
    ops.respond_to_invitation(world.member2, p, True)
    ops.respond_to_invitation(world.member3, p, False)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    db.session.commit()
    assert told("proposal_filed") == ["m1", "m2"]  # the declined co-signer is not told
    filed = db.session.scalars(
        select(Notification).where(Notification.kind == "proposal_filed")
    ).first()
    assert p.number_label in filed.text and p.title in filed.text
    assert filed.link == f"/proposals/{p.id}" and filed.proposal_id == p.id
    assert p.number_label in filed.short_text and p.title not in filed.short_text


def test_merged_and_returned_say_into_which_and_why(world):
    host = flows.filed(world, title="关于完善社区养老服务的建议")
    other = flows.submitted(world, proposer=world.member2, title="关于社区养老的建议")
    ops.review_proposal(world.secretariat, other, {"decision": "merge", "merge_into": host.id})
    back = flows.submitted(
        world, proposer=world.member3, cosigners=[world.member], title="关于修缮古桥的建议"
    )
    ops.review_proposal(world.secretariat, back, {"decision": "return", "comment": "请补充调研"})
    db.session.commit()
    assert told("proposal_returned") == ["m1", "m3"]  # the co-signer who accepted, too
    merged = one("proposal_merged")
    assert merged.recipient.username == "m2" and host.number_label in merged.text
    assert "请补充调研" in one("proposal_returned").text


def test_a_proposal_not_filed_tells_the_reason_and_the_disposition(world):
    p = flows.submitted(world)
    reason = db.session.scalars(select(NotFiledReason).where(NotFiledReason.active)).first()
    ops.review_proposal(
        world.secretariat,
        p,
        {"decision": "not_file", "reason_code": reason.code, "disposition": "letter"},
    )
    db.session.commit()
    n = one("proposal_not_filed")
    assert n.recipient.username == "m1"
    assert reason.name in n.text and "转为委员来信" in n.text


def test_units_hear_of_assignments_decisions_opinions_and_returned_replies(world):
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    assert told("assignment_new") == ["clerk_a", "clerk_b", "head_a", "head_b"]
    lead, co = sorted(loaded(p, "assignments").assignments, key=lambda a: a.role != "lead")
    hops.accept_assignment(world.clerk_b, co)
    hops.submit_opinion(world.clerk_b, co, "会办意见：同意主办单位意见。")
    db.session.commit()
    assert told("opinion_received") == ["clerk_a"]
    hops.accept_assignment(world.clerk_a, lead)
    hops.request_extension(
        world.clerk_a,
        lead,
        {"until": (lead.reply_due + timedelta(days=30)).isoformat(), "reason": "需要调研"},
    )
    hops.decide_extension(world.secretariat, lead, {"approve": True, "comment": "同意"})
    db.session.commit()
    assert told("extension_decided") == ["clerk_a", "head_a"]
    assert "已同意" in one("extension_decided").text
    hops.record_contact(
        world.clerk_a, lead, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a, lead, {"result": "A", "text": "答复", "signer": "局长", "contact": "赵某"}
    )
    db.session.commit()
    assert told("reply_signoff_needed") == ["head_a"]
    hops.signoff_reply(
        world.head_a, reply, {"approve": False, "comment": "请补充数据，有事打我手机13912345678"}
    )
    db.session.commit()
    assert told("reply_returned") == ["clerk_a"] and "请补充数据" in one("reply_returned").text
    assert "13912345678" not in one("reply_returned").text  # no one's contact details


def test_reassignment_tells_both_units(world):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    hops.request_reassignment(world.clerk_a, a, "不属于本单位职责")
    hops.decide_reassignment(
        world.secretariat, a, {"approve": True, "department": "CZJ", "comment": "同意"}
    )
    db.session.commit()
    assert told("reassignment_decided") == ["clerk_a", "head_a"]
    assert told("assignment_new") == ["clerk_a", "clerk_b", "head_a", "head_b"]


def test_review_delivery_rating_and_rehandling(world):
    p = flows.handling(world, cosigners=[world.member2])
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a, a, {"result": "A", "text": "答复", "signer": "局长", "contact": "赵某"}
    )
    hops.signoff_reply(world.head_a, reply, {"approve": True})
    db.session.commit()
    assert told("reply_review_needed") == ["sec"]
    hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.commit()
    assert told("reply_delivered") == ["m1"]  # the first proposer rates
    delivered = one("reply_delivered")
    due = reply.rating_due
    assert f"{due.year}年{due.month}月{due.day}日" in delivered.text
    hops.rate_reply(world.member, reply, {"rating": "unsatisfied", "comment": "未解决"})
    db.session.commit()
    assert told("rehandling_started") == ["clerk_a", "head_a", "sec"]


def test_the_supervising_leader_hears_of_a_key_proposal(world, make):
    leader = make.user("secretariat", username="leader1", name="赵主席")
    db.session.commit()
    p = flows.filed(world)
    ops.mark_key(world.secretariat, p, True, "leader1")
    db.session.commit()
    assert told("key_marked") == [leader.username]


def test_the_actor_is_not_told_and_a_refused_action_tells_nobody(world):
    p = flows.filed(world)
    before = db.session.scalar(select(func.count()).select_from(Notification))
    with pytest.raises(ValidationError):
        ops.assign_proposal(world.secretariat, p, [{"code": "NOPE", "role": "lead"}])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before
    ops.assign_proposal(world.secretariat, p, [{"code": "ZJJ", "role": "lead"}])
    db.session.rollback()  # the action rolled back: nobody told
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before
    assert "sec" not in sum(told().values(), [])


def test_short_texts_fit_one_sms_and_carry_no_title(world):
    long_unit = world.unit_a
    long_unit.name = "市住房和城乡建设局（市人民防空办公室、市地震局）"
    db.session.commit()
    p = flows.handling(world, title="关于" + "加快推进城乡融合发展" * 8 + "的建议")
    a = loaded(p, "assignments").assignments[0]
    flows.delivered_reply(world, a)
    for n in db.session.scalars(select(Notification)):
        assert n.short_text and len(n.short_text) <= SHORT_MAX, n.short_text
        assert "城乡融合" not in n.short_text


# --- each person's choices ---------------------------------------------------------------------


def test_channels_follow_the_persons_choice_and_in_app_off_arrives_read(world, app):
    world.clerk_a.email = "clerk@example.org"
    world.head_a.email = "head@example.org"
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1")
    try:
        preferences.save(world.head_a, {"kinds": {"assignment_new": ["in_app"]}})
        preferences.save(world.clerk_a, {"kinds": {"assignment_new": ["email"]}})
        db.session.commit()
        flows.assigned(world)
        by_user = {
            n.recipient.username: n
            for n in db.session.scalars(
                select(Notification)
                .where(Notification.kind == "assignment_new")
                .options(selectinload(Notification.deliveries))
            )
        }
        assert [d.channel for d in by_user["head_a"].deliveries] == []
        assert by_user["head_a"].read_at is None
        assert [d.address for d in by_user["clerk_a"].deliveries] == ["clerk@example.org"]
        assert by_user["clerk_a"].read_at is not None  # not in the app: arrives read
    finally:
        app.config.update(MAIL_SERVER=None)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.mark.parametrize(
    "hour, minute, wait_until",
    [(23, 0, (1, 7, 30)), (3, 0, (0, 7, 30)), (7, 29, (0, 7, 30)), (7, 30, None), (12, 0, None)],
)
def test_an_sms_in_the_quiet_period_waits_until_its_end(hour, minute, wait_until, ctx):
    day = datetime(2026, 3, 2).date()
    now = at(day, hour, minute)
    expected = now if wait_until is None else at(day + timedelta(days=wait_until[0]), 7, 30)
    assert preferences.after_quiet(now, "22:00", "07:30") == expected
    assert preferences.after_quiet(at(day, 13), "12:00", "14:00") == at(day, 14)
    assert preferences.after_quiet(at(day, 13), "08:00", "08:00") == at(day, 13)


def test_sms_deliveries_are_made_when_sms_is_on_and_held_in_the_quiet_period(world):
    committee_settings.set_value("sms_enabled", "true")
    world.clerk_a.phone = "13900000002"
    db.session.commit()
    night = at(datetime(2026, 3, 2).date(), 23)
    p = flows.filed(world)
    ops.assign_proposal(world.secretariat, p, [{"code": "ZJJ", "role": "lead"}], now=night)
    db.session.commit()
    sms = db.session.scalars(
        select(Delivery).where(Delivery.channel == "sms", Delivery.address.contains("13900000002"))
    ).one()
    assert sms.address == "+8613900000002"
    assert sms.next_attempt_at == at(datetime(2026, 3, 3).date(), 7, 30)


def test_preferences_are_checked_and_bad_ones_change_nothing(world):
    for bad in (
        {"kinds": {"assignment_new": ["fax"]}},
        {"kinds": {"no_such_kind": ["email"]}},
        {"kinds": []},
        {"sms_quiet": ["25:00", "07:30"]},
        {"sms_quiet": "22:00"},
        {"digest": "yes"},
        [],
    ):
        with pytest.raises(ValidationError):
            preferences.save(world.member, bad)
    db.session.rollback()
    assert preferences.as_json(world.member)["kinds"]["assignment_new"] == [
        "in_app",
        "email",
        "sms",
        "wecom",
    ]


def test_reminders_have_a_short_sms_text_without_the_title(world):
    from proposals.reminders.sweep import run_sweep

    p = flows.assigned(world, title="关于" + "加快推进城乡融合发展" * 8 + "的建议")
    a = loaded(p, "assignments").assignments[0]
    run_sweep(now=at(a.accept_due, 9), dispatch=lambda ids: 0)
    reminder = db.session.scalars(
        select(Notification).where(Notification.kind == "accept_due_1")
    ).first()
    assert reminder.short_text and len(reminder.short_text) <= SHORT_MAX
    assert "签收期限提醒" in reminder.short_text and "城乡融合" not in reminder.short_text
    due = a.accept_due
    assert f"{due.month}月{due.day}日" in reminder.short_text


def test_the_daily_digest_replaces_single_emails_and_comes_once_a_day(world, app):
    from proposals.reminders.sweep import run_sweep

    world.clerk_a.email = "clerk@example.org"
    db.session.commit()
    preferences.save(world.clerk_a, {"digest": True})
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1")
    try:
        day = datetime(2026, 3, 2).date()
        p = flows.filed(world)
        ops.assign_proposal(
            world.secretariat, p, [{"code": "ZJJ", "role": "lead"}], now=at(day, 15)
        )
        db.session.commit()
        mine = (
            select(Delivery).join(Notification).where(Notification.recipient_id == world.clerk_a.id)
        )
        assert db.session.scalars(mine).all() == []  # no single e-mail: the digest carries it
        assert run_sweep(now=at(day, 20), dispatch=lambda ids: 0)["digests_created"] == 0
        next_day = day + timedelta(days=1)
        assert run_sweep(now=at(next_day, 7), dispatch=lambda ids: 0)["digests_created"] == 0
        assert run_sweep(now=at(next_day, 8, 5), dispatch=lambda ids: 0)["digests_created"] == 1
        assert run_sweep(now=at(next_day, 9), dispatch=lambda ids: 0)["digests_created"] == 0
        digest = db.session.scalars(
            select(Notification).where(Notification.kind == "daily_digest")
        ).one()
        assert digest.recipient_id == world.clerk_a.id and digest.read_at is not None
        assert p.number_label in digest.text and "共 1 条" in digest.text
        [delivery] = db.session.scalars(mine.where(Notification.kind == "daily_digest")).all()
        assert delivery.channel == "email" and delivery.address == "clerk@example.org"
        # the head, without the digest, had the single e-mail (no address: none) and no digest
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(
                    Notification.kind == "daily_digest",
                    Notification.recipient_id != world.clerk_a.id,
                )
            )
            == 0
        )
    finally:
        app.config.update(MAIL_SERVER=None)


def test_when_every_proposer_rates_every_proposer_hears_of_the_reply(world):
    from proposals.committee import settings as committee_settings

    committee_settings.set_value("rating_by", "all")
    p = flows.handling(world, cosigners=[world.member2])
    a = loaded(p, "assignments").assignments[0]
    flows.delivered_reply(world, a)
    assert told("reply_delivered") == ["m1", "m2"]
