"""Events go out within seconds, with real parts on loopback (tests/infra.py): a redis-server,
an SMTP server, a Celery worker and beat. The sweep is set to run once an hour, so what arrives
was handed out by beat's ``dispatch`` task; and with Redis stopped the action still succeeds
(it only writes rows) and its e-mail goes out once Redis is back."""

import time

import pytest
from sqlalchemy import select

from proposals.extensions import db
from proposals.notifications.models import Delivery, JobRun, Notification

from .. import flows, infra
from ..infra import wait_until
from ..reminders.test_redis_celery_smtp import Stack, needs_redis, read

# the broker and the worker behave the same over either database: the PostgreSQL pass
pytestmark = [pytest.mark.services, pytest.mark.one_database("postgresql")]


class EventStack(Stack):
    def env(self, redis=True):
        return infra.child_env(
            DATABASE_URL=self.app.config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=self.redis.url if redis else None,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=self.smtp.port,
            SWEEP_INTERVAL_SECONDS=3600,  # no sweep during the test
            DISPATCH_INTERVAL_SECONDS=1,
            DELIVERY_LEASE_SECONDS=8,
            APP_BASE_URL="https://proposals.example.org",
        )


@pytest.fixture()
def stack(app, make, tmp_path):
    s = EventStack(app, tmp_path)
    try:
        yield s
    finally:
        infra.Service.stop_all()


def emails_to(smtp, address):
    return [m for m in smtp.received() if m["to"] == [address]]


@needs_redis
@pytest.mark.timeout(150)
def test_an_events_email_goes_out_within_seconds_and_survives_redis_stopping(app, stack, world):
    world.clerk_a.email = "clerk@example.org"
    db.session.commit()
    redis = stack.start_redis()
    smtp = stack.start_smtp()
    stack.start_celery()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    try:
        p = flows.assigned(world, title="关于即时提醒的建议")
        started = time.monotonic()
        wait_until(
            lambda: emails_to(smtp, "clerk@example.org"),
            30,
            0.2,
            "the assignment's e-mail",
            stack.diagnostics,
        )
        took = time.monotonic() - started
        [message] = emails_to(smtp, "clerk@example.org")
        assert p.number_label in message["body"] and "签收" in message["body"]
        assert f"https://proposals.example.org/proposals/{p.id}" in message["body"]
        assert took < 30
        assert read(select(JobRun.name).where(JobRun.name == "sweep")) == []  # no sweep ran

        # from here on, as under systemd: a worker that exits when Redis goes away (a Celery /
        # kombu race, see Stack.supervise) is started again
        stack.supervised = True
        redis.kill()
        q = flows.assigned(world, title="关于中断后补发的建议")  # the action needs no Redis
        assert read(select(Notification.id).where(Notification.proposal_id == q.id))
        redis.start()  # same port, empty

        def second_arrived():
            stack.supervise()
            return len(emails_to(smtp, "clerk@example.org")) >= 2

        wait_until(
            second_arrived,
            90,
            0.5,
            "the e-mail of the event written while Redis was down",
            stack.diagnostics,
        )
        for _ in range(15):  # a few more dispatch ticks: nothing is sent twice
            stack.supervise()
            time.sleep(0.2)
        bodies = [m["body"] for m in emails_to(smtp, "clerk@example.org")]
        assert len(bodies) == 2 and q.number_label in bodies[1]
        statuses = read(select(Delivery.status).where(Delivery.address == "clerk@example.org"))
        assert [s for (s,) in statuses] == ["sent", "sent"]
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
