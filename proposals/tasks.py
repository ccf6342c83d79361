"""Celery bound to the app factory: every task runs inside an app context."""
from celery import Celery, Task


def make_celery(app):
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("REDIS_URL") or "memory://"
    celery = Celery(app.import_name, task_cls=FlaskTask, broker=broker,
                    backend=None, include=[])
    celery.conf.update(task_acks_late=True, task_reject_on_worker_lost=True,
                       worker_prefetch_multiplier=1, timezone="Asia/Shanghai",
                       broker_connection_retry_on_startup=True)
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
