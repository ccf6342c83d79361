"""The daily digest (每日汇总): for each person who chose it (preferences), one e-mail a day
instead of one per notification, listing what they were told in the day before.

The first sweep after DIGEST_HOUR (8:00 Beijing time) makes it: a notification of kind
``daily_digest`` (already read: it only carries the e-mail), whose identity (person, day) makes
it exist once however often the sweep runs, and its e-mail delivery. The day covered runs from
8:00 the day before to 8:00 today; a person with nothing in it gets no e-mail.
"""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..committee.calendar import LOCAL_TZ
from ..extensions import db, insert
from .models import Delivery, Notification, NotificationPreference

DIGEST_HOUR = 8
KIND = "daily_digest"
MAX_LINES = 50


def create_digests(now):
    """Make today's digests that are due and not made yet; return how many were made."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    local = now.astimezone(LOCAL_TZ)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    end = datetime.combine(today, time(DIGEST_HOUR), tzinfo=LOCAL_TZ)
    start = end - timedelta(days=1)
    people = db.session.scalars(
        select(User)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.digest, User.active, User.email.is_not(None))
    ).all()
    made = 0
    for user in people:
        texts = db.session.scalars(
            select(Notification.text)
            .where(
                Notification.recipient_id == user.id,
                Notification.kind != KIND,
                Notification.created_at >= start,
                Notification.created_at < end,
            )
            .order_by(Notification.created_at, Notification.id)
        ).all()
        if not texts:
            continue
        lines = [f"{n}. {text}" for n, text in enumerate(texts[:MAX_LINES], 1)]
        if len(texts) > MAX_LINES:
            lines.append(f"……另有 {len(texts) - MAX_LINES} 条，请登录系统查看。")
        created = db.session.execute(
            insert(Notification.__table__)
            .on_conflict_do_nothing(
                index_elements=["recipient_id", "kind", "record_type", "record_id", "deadline"]
            )
            .returning(Notification.id),
            [
                dict(
                    recipient_id=user.id,
                    kind=KIND,
                    record_type="digest",
                    record_id=user.id,
                    deadline=today,
                    text=f"过去一天的提醒共 {len(texts)} 条：\n" + "\n".join(lines),
                    link="/notifications",
                    created_at=now,
                    read_at=now,
                )
            ],
        ).all()
        if created:
            db.session.add(
                Delivery(
                    notification_id=created[0].id,
                    channel="email",
                    address=user.email,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )
            made += 1
    db.session.flush()
    return made
