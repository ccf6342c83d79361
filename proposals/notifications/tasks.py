"""Celery task that sends one delivery (e-mail or SMS), and the queueing of deliveries."""

import logging

from celery import shared_task

from . import delivery

log = logging.getLogger("proposals.tasks")


@shared_task(name="proposals.notifications.send", ignore_result=True, acks_late=True)
def send_delivery_task(delivery_id):
    return delivery.send_delivery(delivery_id)


def queue_deliveries(ids):
    """Queue each delivery; one the broker refuses stays pending for the next sweep."""
    queued = []
    for delivery_id in ids:
        try:
            send_delivery_task.apply_async(args=[delivery_id], retry=False)
        except Exception as exc:  # broker down: the next sweep hands it out again
            log.warning("could not queue delivery %s: %s", delivery_id, exc)
            break
        queued.append(delivery_id)
    delivery.mark_dispatched(queued)
    return len(queued)
