"""The periodic sweep over stored deadlines: it moves the records whose deadline has passed
(expired co-signing invitations, acceptance windows, rating windows), creates every reminder
that is due, and hands out the deliveries that are waiting. Each step is safe to run twice and
catches up with whatever was missed."""

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.models import User
from ..committee import settings as committee_settings
from ..committee.calendar import load_calendar, local_date, utcnow
from ..extensions import db
from ..handling.operations import expire_ratings, settle_acceptances
from ..notifications import delivery
from ..notifications.models import Delivery, JobRun, Notification
from ..notifications.tasks import queue_deliveries
from ..security import audit
from ..tasks import make_celery
from ..workflow.operations import expire_invitations
from .rules import due_reminders

log = logging.getLogger("proposals.sweep")


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)


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
            link=d.link,
            created_at=now,
        )
        for d in due_reminders(today, conf, load_calendar())
    ]
    created = []
    # one statement with parameters, sent in batches (SQLAlchemy's insertmanyvalues), rather
    # than the rows written into the statement, which would be compiled afresh on every sweep
    stmt = (
        _insert(Notification.__table__)
        .on_conflict_do_nothing(
            index_elements=["recipient_id", "kind", "record_type", "record_id", "deadline"]
        )
        .returning(Notification.id, Notification.recipient_id)
    )
    if rows:
        created = db.session.execute(stmt, rows).all()
    if created:
        _create_deliveries(created, conf, now)
    return len(created)


def _create_deliveries(created, conf, now):
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({uid for _, uid in created})))
    }
    email_on = bool(current_app.config.get("MAIL_SERVER"))
    rows = []
    for notification_id, uid in created:
        user = users[uid]
        if email_on and user.email:
            rows.append(
                dict(
                    notification_id=notification_id,
                    channel="email",
                    address=user.email,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )
        if conf["sms_enabled"] and user.phone:
            rows.append(
                dict(
                    notification_id=notification_id,
                    channel="sms",
                    address=user.phone,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )
    if rows:
        db.session.execute(
            _insert(Delivery.__table__).on_conflict_do_nothing(
                index_elements=["notification_id", "channel"]
            ),
            rows,
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
    db.session.commit()
    ids = delivery.due_deliveries(now)
    db.session.commit()  # SQLite: release the write lock before handing out (slow on a queue)
    counts["deliveries_dispatched"] = (dispatch or default_dispatch)(ids)
    counts["audit_pruned"] = audit.prune(now)
    _mark_run("last_finished_at", utcnow(), result=repr(counts))
    db.session.commit()
    log.info("sweep at %s: %s", now.isoformat(), counts)
    return counts


def default_dispatch(ids):
    """With Redis: queue one task per delivery; without: send here and now."""
    if current_app.config.get("REDIS_URL"):
        if "celery" not in current_app.extensions:  # `reminders scan`, the web app: bind
            make_celery(current_app)  # Celery (and Redis) on first use
        return queue_deliveries(ids)
    for delivery_id in ids:
        delivery.send_delivery(delivery_id)
    return len(ids)


def sweep_overdue(now=None):
    """True when the sweep has not finished within twice its interval (admin warning)."""
    now = now or utcnow()
    run = db.session.get(JobRun, "sweep")
    interval = current_app.config.get("SWEEP_INTERVAL_SECONDS", 300)
    if run is None or run.last_finished_at is None:
        return True
    return (now - run.last_finished_at).total_seconds() > 2 * interval
