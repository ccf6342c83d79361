"""Celery bound to the app factory: every task runs inside an app context."""

from celery import Celery, Task


def make_celery(app):
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("REDIS_URL") or "memory://"
    celery = Celery(
        app.import_name,
        task_cls=FlaskTask,
        broker=broker,
        backend=None,
        include=[
            "proposals.reminders.tasks",
            "proposals.notifications.tasks",
            "proposals.notifications.dispatch",
            "proposals.documents.jobs",
        ],
    )
    interval = app.config.get("SWEEP_INTERVAL_SECONDS", 300)
    every = app.config.get("DISPATCH_INTERVAL_SECONDS", 5)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        timezone="Asia/Shanghai",
        broker_connection_retry_on_startup=True,
        # a task that Redis holds for a dead worker comes back after this (seconds)
        broker_transport_options={
            "visibility_timeout": app.config.get("DELIVERY_LEASE_SECONDS", 600)
        },
        beat_schedule={
            "sweep": {"task": "proposals.reminders.sweep", "schedule": float(interval)},
            # the events' deliveries, written with their actions, go out within seconds
            "dispatch": {"task": "proposals.notifications.dispatch", "schedule": float(every)},
            # exports: crashed builds, lost messages, old files (documents/jobs.py)
            "exports": {
                "task": "proposals.documents.maintain_exports",
                "schedule": float(interval),
            },
        },
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
