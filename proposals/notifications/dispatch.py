"""Handing out the deliveries that are due (the outbox's relay): every few seconds
(DISPATCH_INTERVAL_SECONDS) by the Celery beat's ``proposals.notifications.dispatch`` or the
embedded loop, and at the end of each sweep. With Redis each delivery becomes a Celery task;
without, they are sent here, one after the other. A delivery handed out but never sent (a
worker killed, Redis stopped) is handed out again after the lease (delivery.py)."""

from celery import shared_task
from flask import current_app

from ..extensions import db
from ..tasks import make_celery
from . import delivery
from .tasks import queue_deliveries


def default_dispatch(ids):
    """With Redis: queue one task per delivery; without: send here and now."""
    if current_app.config.get("REDIS_URL"):
        if "celery" not in current_app.extensions:  # `reminders scan`, the web app: bind
            make_celery(current_app)  # Celery (and Redis) on first use
        return queue_deliveries(ids)
    for delivery_id in ids:
        delivery.send_delivery(delivery_id)
    return len(ids)


def dispatch_due(now=None, dispatch=None):
    """Hand out the deliveries due at ``now``; ``dispatch(ids)`` (default: by configuration)
    returns how many it handed out."""
    ids = delivery.due_deliveries(now)
    db.session.commit()  # SQLite: release the write lock before handing out (slow on a queue)
    return (dispatch or default_dispatch)(ids)


@shared_task(name="proposals.notifications.dispatch", ignore_result=True)
def dispatch_task():
    """The beat's relay, every DISPATCH_INTERVAL_SECONDS: queue what is due."""
    return dispatch_due()
