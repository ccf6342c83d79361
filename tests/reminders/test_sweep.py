"""The deadline sweep moves what is due, once, whenever it runs."""

from datetime import UTC, datetime, timedelta

from proposals.extensions import db
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry

from .. import flows


def later(days):
    return datetime.now(UTC) + timedelta(days=days)


def test_sweep_expires_invitations_and_submits_the_proposal_as_individual(world, runner):
    p = flows.draft(world, cosigners=[world.member2])
    from proposals.workflow import operations as ops

    ops.submit_proposal(world.member, p)
    db.session.commit()
    assert p.state == "awaiting_cosigners"
    result = runner.invoke(args=["reminders", "scan", "--now", later(30).isoformat()])
    assert result.exit_code == 0, result.output
    assert "invitations_expired: 1" in result.output
    db.session.expire_all()
    assert p.state == "submitted" and p.kind == "individual"
    assert loaded(p, "cosigners").cosigners[0].state == "expired"
    again = runner.invoke(args=["reminders", "scan", "--now", later(31).isoformat()])
    assert "invitations_expired: 0" in again.output


def test_sweep_counts_an_unanswered_assignment_as_accepted_after_the_window(world, runner):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    result = runner.invoke(args=["reminders", "scan", "--now", later(20).isoformat()])
    assert "assignments_auto_accepted: 1" in result.output
    db.session.expire_all()
    assert a.state == "handling"
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(HistoryEntry)
            .where(HistoryEntry.action == "auto_accept")
        )
        == 1
    )


def test_sweep_closes_an_unrated_reply_after_the_rating_window(world, runner):
    p, reply = flows.replied(world)
    result = runner.invoke(args=["reminders", "scan", "--now", later(40).isoformat()])
    assert "replies_unrated: 1" in result.output
    db.session.expire_all()
    assert reply.state == "unrated"
    assert loaded(p, "assignments").assignments[0].state == "closed" and p.state == "closed"


def test_sweep_rejects_a_malformed_time(world, runner):
    result = runner.invoke(args=["reminders", "scan", "--now", "yesterday"])
    assert result.exit_code != 0 and "ISO" in result.output
