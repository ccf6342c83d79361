"""The periodic sweep over stored deadlines: it moves the records whose deadline has passed
(expired co-signing invitations, acceptance windows, rating windows), creates every reminder
that is due, and hands out the deliveries that are waiting. Each step is safe to run twice and
catches up with whatever was missed."""

import logging

from flask import current_app
from sqlalchemy import select, update

from ..accounts.models import User
from ..committee import settings as committee_settings
from ..committee.calendar import load_calendar, local_date, utcnow
from ..extensions import db, insert
from ..handling.operations import expire_ratings, settle_acceptances
from ..notifications import digest, preferences
from ..notifications.dispatch import dispatch_due
from ..notifications.models import Delivery, JobRun, Notification
from ..security import audit
from ..workflow.operations import expire_invitations
from .rules import due_reminders

log = logging.getLogger("proposals.sweep")


def short_text(kind, deadline):
    """A reminder's SMS text: what kind of reminder and its date, without the title (one SMS)."""
    label = preferences.KINDS.get(preferences.family(kind), "提案办理提醒")
    return (
        f"您有一条提案办理提醒（{label}），期限{deadline.month}月{deadline.day}日，请登录系统查看。"
    )


def create_notifications(now):
    """Insert every due reminder once (ON CONFLICT DO NOTHING on its identity); return the
    number created. Deliveries are created for the new ones by channel."""
    today = local_date(now)
    conf = committee_settings.all_settings()
    rows = [
        dict(
            recipient_id=d.recipient_id,
            kind=d.kind,
            record_type=d.record_type,
            record_id=d.record_id,
            deadline=d.deadline,
            proposal_id=d.proposal_id,
            text=d.text,
            short_text=short_text(d.kind, d.deadline),
            link=d.link,
            created_at=now,
        )
        for d in due_reminders(today, conf, load_calendar())
    ]
    created = []
    # one statement with parameters, sent in batches (SQLAlchemy's insertmanyvalues), rather
    # than the rows written into the statement, which would be compiled afresh on every sweep
    stmt = (
        insert(Notification.__table__)
        .on_conflict_do_nothing(
            index_elements=["recipient_id", "kind", "record_type", "record_id", "deadline"]
        )
        .returning(Notification.id, Notification.recipient_id, Notification.kind)
    )
    if rows:
        created = db.session.execute(stmt, rows).all()
    if created:
        _create_deliveries(created, conf, now)
    return len(created)


def _create_deliveries(created, conf, now):
    """The deliveries each new reminder's recipient chose (notifications/preferences.py); a
    reminder whose kind they keep out of the app arrives already read."""
    ids = {uid for _nid, uid, _kind in created}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    prefs = preferences.load(ids)
    rows, read = [], []
    for notification_id, uid, kind in created:
        choice = preferences.Choice(users[uid], kind, prefs.get(uid), conf, now)
        if not choice.in_app:
            read.append(notification_id)
        for channel, address, not_before in choice.deliveries:
            rows.append(
                dict(
                    notification_id=notification_id,
                    channel=channel,
                    address=address,
                    status="pending",
                    attempts=0,
                    next_attempt_at=not_before,
                )
            )
    if rows:
        db.session.execute(
            insert(Delivery.__table__).on_conflict_do_nothing(
                index_elements=["notification_id", "channel"]
            ),
            rows,
        )
    if read:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(read))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )


def _mark_run(field, now, result=None):
    run = db.session.get(JobRun, "sweep")
    if run is None:
        run = JobRun(name="sweep")
        db.session.add(run)
    setattr(run, field, now)
    if result is not None:
        run.last_result = result


def run_sweep(now=None, dispatch=None):
    """One sweep. ``dispatch(ids)`` hands deliveries to the senders (the Celery queue, or
    inline); the default picks by configuration."""
    now = now or utcnow()
    counts = {
        "invitations_expired": len(expire_invitations(now=now)),
        "assignments_auto_accepted": len(settle_acceptances(now=now)),
        "replies_unrated": len(expire_ratings(now=now)),
    }
    db.session.commit()
    counts["notifications_created"] = create_notifications(now)
    counts["digests_created"] = digest.create_digests(now)
    db.session.commit()
    counts["deliveries_dispatched"] = dispatch_due(now, dispatch)
    counts["audit_pruned"] = audit.prune(now)
    _mark_run("last_finished_at", utcnow(), result=repr(counts))
    db.session.commit()
    log.info("sweep at %s: %s", now.isoformat(), counts)
    return counts


def sweep_overdue(now=None):
    """True when the sweep has not finished within twice its interval (admin warning)."""
    now = now or utcnow()
    run = db.session.get(JobRun, "sweep")
    interval = current_app.config.get("SWEEP_INTERVAL_SECONDS", 300)
    if run is None or run.last_finished_at is None:
        return True
    return (now - run.last_finished_at).total_seconds() > 2 * interval
