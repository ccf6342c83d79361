"""Sending notifications through their channels (channels/), with retries and back-off. A
delivery is claimed with a conditional UPDATE before it is sent, so two workers (or a task
queued twice) never both send it; a sender that dies leaves a claim that expires after the
lease, and a later sweep hands the delivery out again."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from ..committee.calendar import utcnow
from ..extensions import db
from .channels import CHANNELS, DeliveryFailed
from .models import Delivery

log = logging.getLogger("proposals.delivery")
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)


def backoff(attempts):
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def lease():
    return timedelta(seconds=current_app.config.get("DELIVERY_LEASE_SECONDS", 600))


def send_delivery(delivery_id, now=None):
    """Claim, send and record one delivery; safe to run twice or concurrently."""
    now = now or utcnow()
    claimable = or_(
        and_(Delivery.status.in_(("pending", "failed")), Delivery.next_attempt_at <= now),
        and_(Delivery.status == "sending", Delivery.claimed_at < now - lease()),
    )
    claimed = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, claimable)
        .values(status="sending", claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return "skipped"
    delivery = db.session.scalars(
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(joinedload(Delivery.notification))
        .execution_options(populate_existing=True)
    ).one()
    try:
        CHANNELS[delivery.channel].send(delivery)
    except DeliveryFailed as exc:
        delivery.last_error = str(exc)[:500]
        if not exc.retry or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "dead"
        else:
            delivery.status = "failed"
            wait = max(backoff(delivery.attempts), timedelta(seconds=exc.wait or 0))
            delivery.next_attempt_at = utcnow() + wait
        log.warning(
            "delivery %s (%s to %s) failed, attempt %s: %s",
            delivery.id,
            delivery.channel,
            delivery.address,
            delivery.attempts,
            delivery.last_error,
        )
    else:
        delivery.status, delivery.sent_at, delivery.last_error = "sent", utcnow(), None
        log.info("delivery %s (%s) sent", delivery.id, delivery.channel)
    db.session.commit()
    return delivery.status


def due_deliveries(now=None, limit=5000):
    """Deliveries to hand out: new or failed ones whose time has come and that were not handed
    out within the lease, and claims that expired (a sender died)."""
    now = now or utcnow()
    stale = now - lease()
    query = (
        select(Delivery.id)
        .where(
            or_(
                and_(
                    Delivery.status.in_(("pending", "failed")),
                    Delivery.next_attempt_at <= now,
                    or_(Delivery.dispatched_at.is_(None), Delivery.dispatched_at < stale),
                ),
                and_(Delivery.status == "sending", Delivery.claimed_at < stale),
            )
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def mark_dispatched(ids, now=None):
    if ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(dispatched_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
