"""A person's own notifications: list, unread count, mark read."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..committee.calendar import utcnow
from ..errors import NotFound
from ..extensions import db
from ..i18n import _
from .models import Delivery, Notification


def own_notifications(user):
    return (
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(user):
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    )


def mark_read(user, notification_id, *, now=None):
    """Only its recipient may mark a notification read (others: not found)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        raise NotFound(_("提醒不存在"))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
    db.session.flush()
    return notification


def mark_all_read(user, *, now=None):
    db.session.execute(
        Notification.__table__.update()
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )


def failed_deliveries(limit=200):
    """For the admin: deliveries that failed or gave up, newest first."""
    return db.session.scalars(
        select(Delivery)
        .where(Delivery.status.in_(("failed", "dead")))
        .options(joinedload(Delivery.notification))  # home/admin.html: its recipient
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
