"""Nothing lost, nothing doubled, proved with real parts on loopback: a
redis-server, an SMTP server (aiosmtpd), a Celery worker and beat as separate processes, all
started here on free ports and stopped afterwards (tests/infra.py).

(a) a batch of over 1,000 due reminders: every notification created once, every e-mail received
    once; (b) the worker killed with SIGKILL mid-batch and restarted: no notification lost or
    doubled, every e-mail received, at most those in flight at the kill received twice;
(c) Redis stopped in the middle of a sweep and started again: the next sweeps deliver everything,
    including what fell due while it was down (and ``reminders scan`` with Redis queues for the
    worker); (d) two beats at once: no duplicates; (e) the embedded default without Redis:
    ``reminders loop`` delivers, ``reminders scan`` twice creates each reminder once.

The batches are inserted in bulk (the operations are not what is under test here): handling
assignments whose reply is due tomorrow, each reminding every clerk of its unit 30, 7 and 1 days
before, so 3 reminders per assignment and clerk; the clerks have e-mail addresses.
"""

import re
import shutil
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from proposals.committee.calendar import local_date, utcnow
from proposals.committee.models import Category
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.notifications.models import Delivery, Notification
from proposals.workflow.models import Proposal

from .. import infra
from ..infra import wait_until

# Redis, the worker and the SMTP server behave the same over either database: one pass
# (PostgreSQL, the production database) keeps the suite inside its time budget
pytestmark = [pytest.mark.services, pytest.mark.one_database("postgresql")]
needs_redis = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="redis-server is not installed (scripts/test.sh installs it)",
)

CONCURRENCY = 2
SWEEP_INTERVAL = 2  # seconds, for beat
# DELIVERY_LEASE_SECONDS (also Redis' visibility timeout): short, so that a killed sender's
# claim is handed out again within the test, but longer than any healthy send takes on a busy
# machine (a send that outlived it would be handed out again, and sent twice)
LEASE = 8
KINDS = ("reply_due_30", "reply_due_7", "reply_due_1")


# --- the database, read in short transactions (a worker writes beside us) -----------------


def read(stmt):
    try:
        return db.session.execute(stmt).all()
    finally:
        db.session.commit()  # never hold a transaction (SQLite: a lock) while others write


def notification_identities():
    return Counter(
        tuple(r)
        for r in read(
            select(
                Notification.recipient_id,
                Notification.kind,
                Notification.record_type,
                Notification.record_id,
                Notification.deadline,
            )
        )
    )


def deliveries():
    """{delivery id: (notification id, channel, address, status)}"""
    return {
        r[0]: tuple(r[1:])
        for r in read(
            select(
                Delivery.id,
                Delivery.notification_id,
                Delivery.channel,
                Delivery.address,
                Delivery.status,
            )
        )
    }


class Batch:
    """Due reminders inserted in bulk; ``expected`` is the set of reminder identities
    (recipient, kind, record type, record id, deadline) the sweep must create."""

    def __init__(self, make):
        self.make = make
        self.session_id = make.session().id
        self.proposer_id = make.user("member", name="张委员").id
        self.category_id = db.session.scalar(select(Category.id).order_by(Category.id))
        self.expected = set()
        self.addresses = {}
        self.units = 0
        db.session.commit()

    def add(self, assignments, clerks=2):
        self.units += 1
        unit = self.make.department(f"提醒测试单位{self.units}", f"TX{self.units:02d}")
        staff = [
            self.make.user(
                "clerk",
                unit,
                name=f"办理员{self.units}-{i}",
                email=f"clerk{self.units}-{i}@example.org",
            )
            for i in range(clerks)
        ]
        now = utcnow()
        today = local_date(now)
        due = today + timedelta(days=1)
        proposal_ids = db.session.scalars(
            insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True),
            [
                dict(
                    session_id=self.session_id,
                    proposer_id=self.proposer_id,
                    kind="individual",
                    state="assigned",
                    category_id=self.category_id,
                    title=f"关于提醒测试的建议（{self.units}-{i}）",
                    analysis="情况分析",
                    suggestions="具体建议",
                    submitted_at=now,
                    filed_at=now,
                    created_at=now,
                )
                for i in range(assignments)
            ],
        ).all()
        assignment_ids = db.session.scalars(
            insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True),
            [
                dict(
                    proposal_id=pid,
                    department_id=unit.id,
                    role="lead",
                    state="handling",
                    round=1,
                    assigned_at=now,
                    accepted_at=now,
                    accept_due=today,
                    contact_due=today + timedelta(days=40),
                    round_started_on=today,
                    reply_due=due,
                )
                for pid in proposal_ids
            ],
        ).all()
        for user in staff:
            self.addresses[user.id] = user.email
            for aid in assignment_ids:
                for kind in KINDS:
                    self.expected.add((user.id, kind, "assignment", aid, due))
        db.session.commit()
        return assignment_ids


# --- the services --------------------------------------------------------------------------


class Stack:
    """The services of one test; everything started is stopped at the end of the test."""

    def __init__(self, app, tmp_path):
        self.app, self.dir = app, str(tmp_path)
        self.redis = self.smtp = None
        self.workers, self.beats = [], []
        self.supervised, self.restarts = False, []

    def start_redis(self):
        self.redis = infra.Redis(self.dir).start()
        return self.redis

    def start_smtp(self, delay=0.0):
        self.smtp = infra.SmtpSink(self.dir, delay).start()
        return self.smtp

    def env(self, redis=True):
        return infra.child_env(
            DATABASE_URL=self.app.config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=self.redis.url if redis else None,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=self.smtp.port,
            SWEEP_INTERVAL_SECONDS=SWEEP_INTERVAL,
            DELIVERY_LEASE_SECONDS=LEASE,
            APP_BASE_URL="https://proposals.example.org",
        )

    def start_worker(self, wait=True):
        worker = infra.celery_worker(
            self.dir, self.env(), f"worker{len(self.workers) + 1}", CONCURRENCY
        ).start()
        self.workers.append(worker)
        if wait:
            worker.wait_for_log(" ready.", 60)
        return worker

    def start_beat(self, wait=True):
        beat = infra.celery_beat(self.dir, self.env(), f"beat{len(self.beats) + 1}").start()
        self.beats.append(beat)
        if wait:
            beat.wait_for_log("beat: Starting", 60)
        return beat

    def start_celery(self, beats=1):
        """A worker and ``beats`` beats, started together; returns when all are up."""
        worker = self.start_worker(wait=False)
        started = [self.start_beat(wait=False) for _ in range(beats)]
        worker.wait_for_log(" ready.", 60)
        for beat in started:
            beat.wait_for_log("beat: Starting", 60)
        return worker, started

    def supervise(self):
        """With ``supervised`` on, what systemd's Restart=always does in production: start a
        new worker when the last one has exited. (Celery 5.7 / kombu 5.7 sometimes exit with
        "Unrecoverable error: AttributeError(... 'hostname')" when Redis goes away while a
        message is unacknowledged: a library race that a supervisor absorbs.)"""
        worker = self.workers[-1] if self.workers else None
        if self.supervised and worker is not None and not worker.running:
            self.restarts.append(worker.name)
            self.start_worker(wait=False)

    def diagnostics(self):
        parts = [s.diagnostics() for s in self.workers + self.beats]
        if self.smtp:
            parts.append(f"SMTP received {len(self.smtp.received())} messages")
        states = Counter(status for *_, status in deliveries().values())
        parts.append(f"deliveries by status: {dict(states)}")
        return "\n".join(parts)


@pytest.fixture()
def stack(app, make, tmp_path):
    s = Stack(app, tmp_path)
    try:
        yield s
    finally:
        infra.Service.stop_all()


@contextmanager
def configured(app, **settings):
    """The session-scoped app configured like the processes, for the duration of a block."""
    saved = {k: app.config.get(k) for k in settings}
    app.config.update(settings)
    try:
        yield
    finally:
        app.config.update(saved)


@contextmanager
def celery_bound(app):
    """This process queues tasks on Redis like the web app does; the default Celery app is
    restored afterwards (the app fixture outlives this test)."""
    from celery import _state

    from proposals.tasks import make_celery

    before_default, before_current = _state.default_app, getattr(_state._tls, "current_app", None)
    had = app.extensions.get("celery")
    celery = make_celery(app)
    try:
        yield celery
    finally:
        celery.close()
        if had is None:
            app.extensions.pop("celery", None)
        else:
            app.extensions["celery"] = had
        _state.set_default_app(before_default)
        _state._tls.current_app = before_current


def worker_settings(app):
    """The Celery settings the worker runs with: built the same way, nothing connected."""
    with (
        configured(app, REDIS_URL="redis://127.0.0.1:1/0", DELIVERY_LEASE_SECONDS=LEASE),
        celery_bound(app) as celery,
    ):
        conf = celery.conf
        return {
            "prefetch": conf.worker_prefetch_multiplier,
            "acks_late": conf.task_acks_late,
            "reject_on_worker_lost": conf.task_reject_on_worker_lost,
            "visibility_timeout": conf.broker_transport_options["visibility_timeout"],
        }


# --- what is checked after every run --------------------------------------------------------


def count(stmt):
    return read(stmt)[0][0]


def wait_all_created(stack, batch, timeout=60):
    def done():
        stack.supervise()
        return count(select(func.count()).select_from(Notification)) >= len(batch.expected)

    wait_until(done, timeout, 0.5, "every due reminder to be created", stack.diagnostics)


def wait_all_delivered(stack, batch, timeout=90):
    """Every reminder created, its e-mail sent (in the database) and received (at the SMTP
    server). Polled cheaply (counts), so as not to slow down the processes under test."""
    wait_all_created(stack, batch, timeout)
    expected = len(batch.expected)

    def done():
        stack.supervise()
        total, unsent = read(
            select(func.count(), func.count().filter(Delivery.status != "sent")).select_from(
                Delivery
            )
        )[0]
        return total >= expected and unsent == 0 and stack.smtp.received_count() >= total

    wait_until(done, timeout, 0.5, "every e-mail to be sent and received", stack.diagnostics)


def wait_one_more_sweep(stack, timeout=30):
    """A whole sweep run after everything was delivered (it must send nothing more)."""
    after = datetime.now()  # the worker logs local time

    def swept():
        stack.supervise()
        return any(start > after for start, _ in sweep_spans(stack.workers[-1]))

    wait_until(swept, timeout, 0.2, "one more sweep", stack.diagnostics)


def assert_notifications_exactly_once(batch):
    identities = notification_identities()
    lost = batch.expected - set(identities)
    doubled = {k: n for k, n in identities.items() if n > 1}
    assert not lost, f"{len(lost)} reminders lost, e.g. {sorted(lost)[:3]}"
    assert not doubled, f"{len(doubled)} reminders doubled: {list(doubled.items())[:3]}"
    assert set(identities) == batch.expected  # and nothing else was created
    rows = deliveries()
    by_notification = Counter((n, channel) for n, channel, *_ in rows.values())
    assert len(rows) == len(identities) and max(by_notification.values()) == 1
    assert {channel for _, channel, *_ in rows.values()} == {"email"}
    return rows


def email_counts(stack, rows):
    """(lost ids, {id: times received beyond the first}) at the SMTP server."""
    received = Counter(stack.smtp.delivery_ids())
    lost = set(rows) - set(received)
    extra = {d: n - 1 for d, n in received.items() if n > 1}
    assert set(received) <= set(rows), "an e-mail for no delivery arrived"
    return lost, extra


def assert_emails_well_formed(stack, rows, batch):
    for message in stack.smtp.received():
        _, _, address, _ = rows[int(message["delivery"])]
        assert message["to"] == [address] and address in batch.addresses.values()
        assert message["subject"].startswith("【提案办理系统】")
        assert "应于" in message["body"] and "前答复" in message["body"]
        assert re.search(
            r"https://proposals\.example\.org/proposals/\d+#assignment-\d+", message["body"]
        )


def sweeps_logged(service):
    """The results of the sweeps a worker ran (it logs each task's return value)."""
    return [
        int(n)
        for n in re.findall(
            r"proposals\.reminders\.sweep\[[^\]]+\] succeeded "
            r"[^\n]*'notifications_created': (\d+)",
            service.log(tail=0),
        )
    ]


def sweep_spans(service):
    """(received, finished) of each sweep the worker ran, in order. With acks_late and a
    prefetch of one per process, a task is received only when a pool process is free for it,
    so two overlapping spans are two sweeps running at once."""
    events = {}
    for stamp, task, what in re.findall(
        r"^\[([^\]]+?): INFO/[^\]]+\] Task proposals\.reminders\.sweep\[([^\]]+)\] "
        r"(received|succeeded)",
        service.log(tail=0),
        re.M,
    ):
        events.setdefault(task, {})[what] = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
    return sorted((e["received"], e["succeeded"]) for e in events.values() if len(e) == 2)


# --- (a) a batch of over 1,000 ----------------------------------------------------------------


@needs_redis
@pytest.mark.timeout(150)
def test_a_batch_of_over_1000_reminders_is_delivered_once_each(stack, make):
    batch = Batch(make)
    batch.add(170, clerks=2)  # 170 × 2 clerks × 3 reminders
    assert len(batch.expected) == 1020
    stack.start_redis()
    stack.start_smtp()
    started = time.monotonic()
    worker, _ = stack.start_celery()

    wait_all_delivered(stack, batch)
    elapsed = time.monotonic() - started
    wait_one_more_sweep(stack)

    rows = assert_notifications_exactly_once(batch)
    lost, extra = email_counts(stack, rows)
    assert not lost and not extra, f"e-mails lost: {len(lost)}, doubled: {extra}"
    assert len(stack.smtp.received()) == len(rows) == 1020
    assert_emails_well_formed(stack, rows, batch)
    assert sum(sweeps_logged(worker)) == 1020  # created once, by one sweep or several
    print(f"\n(a) 1020 reminders delivered {elapsed:.1f}s after the worker and beat started")


# --- (b) the worker killed mid-batch ----------------------------------------------------------


@needs_redis
@pytest.mark.timeout(150)
def test_b_worker_killed_mid_batch_and_restarted_loses_nothing(app, stack, make):
    conf = worker_settings(app)
    # a killed worker's messages come back (acknowledged only after the task, redelivered by
    # Redis after the visibility timeout), and e-mails in flight are at most one per pool
    # process and prefetched message
    assert conf["acks_late"] and conf["reject_on_worker_lost"]
    assert conf["visibility_timeout"] == LEASE
    in_flight_bound = CONCURRENCY * conf["prefetch"]
    batch = Batch(make)
    batch.add(170, clerks=2)
    stack.start_redis()
    # the SMTP server answers 5 ms after it has the message: a sender killed in that window
    # has sent an e-mail it will send again (the "in flight" case)
    smtp = stack.start_smtp(delay=0.005)
    worker, _ = stack.start_celery()

    wait_until(
        lambda: smtp.received_count() >= 150,
        60,
        0.02,
        "the batch to be under way",
        stack.diagnostics,
    )
    worker.kill()  # SIGKILL to the worker and its pool processes at once
    at_kill = len(smtp.received())
    in_flight = {d for d, (*_, status) in deliveries().items() if status == "sending"}
    total = len(batch.expected)
    assert at_kill < total, "the batch finished before the kill: make it longer"
    time.sleep(0.5)  # a message already written by a dying sender may still land
    quiet = len(smtp.received())
    time.sleep(1.0)
    assert len(smtp.received()) == quiet, "e-mails still sent with the worker dead"
    assert not worker.running and not infra._group_members(worker.proc.pid)

    stack.start_worker()
    wait_all_delivered(stack, batch, timeout=100)
    wait_one_more_sweep(stack)

    rows = assert_notifications_exactly_once(batch)
    lost, extra = email_counts(stack, rows)
    assert not lost, f"{len(lost)} e-mails never arrived"
    # only an e-mail being sent at the kill may arrive twice: at most one per pool process
    assert sum(extra.values()) <= in_flight_bound, extra
    assert set(extra) <= in_flight, (extra, in_flight)
    assert_emails_well_formed(stack, rows, batch)
    print(
        f"\n(b) killed at {at_kill}/{total} e-mails, {len(in_flight)} in flight; "
        f"received twice after the restart: {sorted(extra)}"
    )


# --- (c) Redis stopped during a sweep ------------------------------------------------------


@needs_redis
@pytest.mark.timeout(150)
def test_c_redis_stopped_during_a_sweep_then_the_next_sweeps_deliver_everything(app, stack, make):
    from proposals.notifications.tasks import queue_deliveries
    from proposals.reminders.sweep import run_sweep

    batch = Batch(make)
    batch.add(30, clerks=2)  # 180 reminders
    redis = stack.start_redis()
    smtp = stack.start_smtp()
    stack.start_worker()
    stack.supervised = True  # from here on, as under systemd (see Stack.supervise)
    handed_out = {}

    def dispatch_then_lose_redis(ids):
        """The sweep's hand-out, with Redis dying halfway: its queue is lost with it."""
        half = len(ids) // 2
        handed_out["before"] = queue_deliveries(ids[:half])
        redis.kill()
        started = time.monotonic()
        handed_out["after"] = queue_deliveries(ids[half:])
        handed_out["refused_in"] = time.monotonic() - started
        return handed_out["before"] + handed_out["after"]

    with (
        configured(
            app,
            REDIS_URL=redis.url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=smtp.port,
            DELIVERY_LEASE_SECONDS=LEASE,
            SWEEP_INTERVAL_SECONDS=SWEEP_INTERVAL,
        ),
        celery_bound(app),
    ):
        counts = run_sweep(dispatch=dispatch_then_lose_redis)
        db.session.commit()
    assert counts["notifications_created"] == 180
    assert handed_out["before"] == 90 and handed_out["after"] == 0
    assert handed_out["refused_in"] < 10
    assert set(notification_identities()) == batch.expected  # in the database, not in Redis
    assert not redis.running

    # while Redis is down: more reminders fall due, beat starts and its ticks fail
    batch.add(10, clerks=2)  # 60 more
    beat = stack.start_beat()
    down_until = time.monotonic() + SWEEP_INTERVAL + 0.5
    while time.monotonic() < down_until:
        stack.supervise()
        time.sleep(0.1)
    assert len(notification_identities()) == 180
    arrived_while_down = len(smtp.received())
    assert arrived_while_down <= 90

    redis.start()  # same port, empty: whatever was queued is gone
    wait_all_delivered(stack, batch, timeout=90)
    wait_one_more_sweep(stack)

    rows = assert_notifications_exactly_once(batch)
    assert len(rows) == 240
    lost, extra = email_counts(stack, rows)
    assert not lost, f"{len(lost)} e-mails never arrived"
    # none twice, unless the worker died with Redis (a kill, as in (b))
    allowed = CONCURRENCY * worker_settings(app)["prefetch"] if stack.restarts else 0
    assert sum(extra.values()) <= allowed, (extra, stack.restarts)
    assert_emails_well_formed(stack, rows, batch)
    assert beat.running
    print(
        f"\n(c) {arrived_while_down} e-mails arrived before Redis came back, the rest after; "
        f"worker restarts: {len(stack.restarts)}, e-mails twice: {sum(extra.values())}"
    )


@needs_redis
@pytest.mark.timeout(90)
def test_c_reminders_scan_with_redis_queues_the_e_mails_for_the_worker(stack, make):
    """The command line's sweep hands out on Redis too (it used to publish to Celery's
    default broker, amqp://localhost, and leave everything for the worker's next sweep)."""
    batch = Batch(make)
    batch.add(10, clerks=2)  # 60 reminders
    redis = stack.start_redis()
    stack.start_smtp()
    scan = infra.flask_command(stack.dir, stack.env(), "scan", "reminders", "scan").start()
    scan.proc.wait(timeout=60)
    output = scan.log(tail=0)
    assert scan.proc.returncode == 0, output
    assert "notifications_created: 60" in output and "deliveries_dispatched: 60" in output
    assert redis.command("LLEN", "celery") == ":60"  # queued, no worker yet
    stack.start_worker()  # no beat: the scan's hand-out is all there is

    wait_all_delivered(stack, batch, timeout=60)
    rows = assert_notifications_exactly_once(batch)
    lost, extra = email_counts(stack, rows)
    assert not lost and not extra, f"e-mails lost: {len(lost)}, doubled: {extra}"


# --- (d) two beats at once -------------------------------------------------------------------


@needs_redis
@pytest.mark.timeout(120)
def test_d_two_beats_at_once_create_and_send_nothing_twice(stack, make):
    batch = Batch(make)
    batch.add(20, clerks=2)  # 120 reminders
    stack.start_redis()
    stack.start_smtp()
    beats = [stack.start_beat(wait=False), stack.start_beat(wait=False)]
    # both beats tick before the worker is up: their first sweeps wait in Redis side by side
    # and start together in the two pool processes, whatever the phase between the beats
    wait_until(
        lambda: all("Sending due task sweep" in b.log(tail=0) for b in beats),
        60,
        0.1,
        "both beats to tick",
        stack.diagnostics,
    )
    stack.start_worker()

    wait_all_delivered(stack, batch)
    wait_until(
        lambda: all(b.log(tail=0).count("Sending due task sweep") >= 2 for b in beats),
        30,
        0.2,
        "both beats to tick twice",
        stack.diagnostics,
    )
    wait_one_more_sweep(stack)

    rows = assert_notifications_exactly_once(batch)
    lost, extra = email_counts(stack, rows)
    assert not lost and not extra, f"e-mails lost: {len(lost)}, doubled: {extra}"
    # every worker the supervisor ran (one that exits is replaced: see Stack.supervise)
    created = [n for w in stack.workers for n in sweeps_logged(w)]
    assert len(created) >= 4 and sum(created) == 120, (created, stack.restarts)
    # the premise: sweeps did run at the same time (in the two pool processes)
    spans = [sweep_spans(w) for w in stack.workers]
    assert any(b[0] < a[1] for each in spans for a, b in zip(each, each[1:])), spans
    print(f"\n(d) {len(created)} sweeps from two beats; created per sweep: {created}")


# --- (e) the embedded default: no Redis ------------------------------------------------------


@pytest.mark.timeout(90)
def test_e_reminders_loop_without_redis_delivers_by_itself(stack, make):
    batch = Batch(make)
    batch.add(20, clerks=2)  # 120 reminders
    smtp = stack.start_smtp()
    env = stack.env(redis=False)
    assert "REDIS_URL" not in env
    loop = infra.flask_command(
        stack.dir, env, "loop", "reminders", "loop", "--interval", "1"
    ).start()
    stack.workers.append(loop)  # its log in the diagnostics

    wait_all_delivered(stack, batch, timeout=60)
    wait_until(
        lambda: loop.log(tail=0).count(" sweep {") >= 2,
        20,
        0.2,
        "the loop to sweep again",
        stack.diagnostics,
    )
    rows = assert_notifications_exactly_once(batch)
    lost, extra = email_counts(stack, rows)
    assert not lost and not extra, f"e-mails lost: {len(lost)}, doubled: {extra}"
    assert len(smtp.received()) == 120
    assert_emails_well_formed(stack, rows, batch)
    assert "sweep failed" not in loop.log(tail=0)


@pytest.mark.timeout(90)
def test_e_reminders_scan_twice_creates_and_sends_each_reminder_once(stack, make):
    batch = Batch(make)
    batch.add(10, clerks=2)  # 60 reminders
    smtp = stack.start_smtp()
    env = stack.env(redis=False)
    outputs = []
    for run in (1, 2):
        scan = infra.flask_command(stack.dir, env, f"scan{run}", "reminders", "scan").start()
        scan.proc.wait(timeout=60)
        outputs.append(scan.log(tail=0))
        assert scan.proc.returncode == 0, outputs[-1]
    assert "notifications_created: 60" in outputs[0] and "deliveries_dispatched: 60" in outputs[0]
    assert "notifications_created: 0" in outputs[1] and "deliveries_dispatched: 0" in outputs[1]

    rows = assert_notifications_exactly_once(batch)
    assert all(status == "sent" for *_, status in rows.values())
    lost, extra = email_counts(stack, rows)
    assert not lost and not extra, f"e-mails lost: {len(lost)}, doubled: {extra}"
    assert len(smtp.received()) == 60
