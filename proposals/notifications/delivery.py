"""Sending notifications: e-mail over SMTP, SMS (logged only by default), with retries and
back-off. A delivery is claimed with a conditional UPDATE before it is sent, so two workers (or
a task queued twice) never both send it; a sender that dies leaves a claim that expires after
the lease, and a later sweep hands the delivery out again."""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from ..committee.calendar import utcnow
from ..extensions import db
from .models import Delivery

log = logging.getLogger("proposals.delivery")
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)


def backoff(attempts):
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def lease():
    return timedelta(seconds=current_app.config.get("DELIVERY_LEASE_SECONDS", 600))


def send_email(delivery):
    conf = current_app.config
    notification = delivery.notification
    base = conf.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    msg = EmailMessage()
    # one line: a line break in the text (a title) would break the header (header injection)
    msg["Subject"] = "【提案办理系统】" + " ".join(notification.text.split())[:60]
    msg["From"] = conf.get("MAIL_DEFAULT_SENDER") or "proposals@localhost"
    msg["To"] = delivery.address
    msg["Message-ID"] = make_msgid(idstring=f"delivery-{delivery.id}")
    msg["X-Proposals-Delivery"] = str(delivery.id)
    msg.set_content(
        f"{notification.recipient.name}：\n\n{notification.text}\n\n"
        f"请登录提案办理系统查看：{base}{notification.link}\n\n"
        "（本邮件由系统自动发送，请勿直接回复。）\n"
    )
    with smtplib.SMTP(conf["MAIL_SERVER"], conf.get("MAIL_PORT", 25), timeout=30) as smtp:
        if conf.get("MAIL_USE_TLS"):
            smtp.starttls()
        if conf.get("MAIL_USERNAME"):
            smtp.login(conf["MAIL_USERNAME"], conf.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def send_sms(delivery):
    """The pluggable SMS channel: by default it only logs what it would send."""
    log.info("SMS to %s: %s", delivery.address, delivery.notification.text)


CHANNELS = {"email": send_email, "sms": send_sms}


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
        CHANNELS[delivery.channel](delivery)
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "dead"
        else:
            delivery.status = "failed"
            delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
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
