"""Celery tasks: explicit names, ids as arguments, safe to run twice."""
import logging

from celery import shared_task

from ..notifications import delivery

log = logging.getLogger("proposals.tasks")


@shared_task(name="proposals.reminders.sweep", ignore_result=True)
def sweep_task():
    from .sweep import run_sweep
    return run_sweep()


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
