"""Real services for the service tests (tests/reminders/test_redis_celery_smtp.py and others),
each a subprocess on a free loopback port in its own process group, stopped (SIGTERM, then
SIGKILL to the whole group) even when a test fails:

- ``redis-server`` without persistence (a restart starts empty, as after a crash),
- an SMTP sink (aiosmtpd) that appends one JSON line per received message, with its
  X-Proposals-Delivery header, so that a test can count lost and duplicate e-mails,
- a Celery worker and beat (``celery -A celery_worker …``) and the embedded
  ``flask --app wsgi reminders loop``, configured through the environment like production.

Run as a script, this module is the SMTP sink: ``python tests/infra.py smtp PORT FILE [DELAY]``.
"""

import atexit
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# what the children must not inherit from the shell that runs the tests
CONFIG_VARS = (
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "SWEEP_INTERVAL_SECONDS",
    "DELIVERY_LEASE_SECONDS",
    "PROPOSALS_ENV",
    "FLASK_APP",
    "APP_BASE_URL",
    "MAIL_DEFAULT_SENDER",
    "SECRET_KEY",
)
# and every variable of these families: a developer's real SMS or WeChat Work keys never reach
# the processes a test starts
CONFIG_PREFIXES = ("SMS_", "TENCENTCLOUD_", "WECOM_", "LOGIN_", "DEVICE_", "AUDIT_", "DISPATCH_")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1, what="condition", diagnostics=None):
    """Poll ``predicate`` until it returns a true value (returned) or ``timeout`` seconds pass
    (AssertionError, with the diagnostics' text)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = diagnostics() if diagnostics else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{extra}")
        time.sleep(interval)


def _die_with_parent():
    """In the child, before exec: SIGKILL when the test process dies, however it dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _group_members(pgid):
    """Live (non-zombie) processes of a process group, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


class Service:
    """A subprocess in its own session (so its children can be killed with it), logging to a
    file."""

    _all = []

    def __init__(self, name, argv, log_dir, env=None, cwd=ROOT):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.proc = None

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, f"{self.name} is running"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        Service._all.append(self)
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self, tail=6000):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return text[-tail:] if tail else text

    def diagnostics(self):
        state = "running" if self.running else f"exited {self.proc and self.proc.returncode}"
        return f"--- {self.name} ({state}), log tail ---\n{self.log()}"

    def wait_for_log(self, text, timeout):
        def seen():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited\n{self.diagnostics()}")
            return text in self.log(tail=0)

        return wait_until(seen, timeout, 0.1, f"{text!r} in the {self.name} log", self.diagnostics)

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self):
        """SIGKILL to the process and its children at once (a crash)."""
        if self.proc is None:
            return
        self.signal_group(signal.SIGKILL)
        self._reap(10)

    def stop(self, grace=5.0):
        if self.proc is None:
            return
        if self.proc.poll() is None and grace:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)  # children left behind, or a process that hangs
        self._reap(10)

    def _reap(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + timeout
        while _group_members(self.proc.pid) and time.monotonic() < deadline:
            self.signal_group(signal.SIGKILL)
            time.sleep(0.05)

    @classmethod
    def stop_all(cls, grace=2.0):
        """SIGTERM to every service started, a common grace period, then SIGKILL."""
        services, cls._all[:] = list(cls._all), []
        for service in services:
            if service.running:
                service.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(s.running for s in services) and time.monotonic() < deadline:
            time.sleep(0.05)
        for service in reversed(services):
            service.stop(grace=0)


atexit.register(Service.stop_all)


def child_env(**settings):
    """The test process's environment without the application's settings, plus ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CONFIG_VARS and not k.startswith(CONFIG_PREFIXES)
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: str(v) for k, v in settings.items() if v is not None})
    return env


# --- Redis --------------------------------------------------------------------------------


class Redis(Service):
    def __init__(self, log_dir, port=None):
        self.port = port or free_port()
        self.data_dir = os.path.join(log_dir, "redis-data")
        os.makedirs(self.data_dir, exist_ok=True)
        super().__init__(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.data_dir,
            ],
            log_dir,
            env=child_env(),
        )

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        super().start()
        wait_until(
            lambda: self.ping() or (self.proc.poll() is not None and self._died()),
            timeout,
            0.05,
            "redis-server to answer PING",
            self.diagnostics,
        )
        return self

    def _died(self):
        raise AssertionError(f"redis-server exited\n{self.diagnostics()}")

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *args):
        """One command over RESP; the reply's first line (enough for LLEN, DBSIZE, …)."""
        payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a))}\r\n{a}\r\n" for a in args)
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(payload.encode())
            return s.recv(4096).split(b"\r\n", 1)[0].decode()


# --- SMTP sink ----------------------------------------------------------------------------


class SmtpSink(Service):
    """aiosmtpd in its own process; ``received()`` lists what arrived, in order."""

    def __init__(self, log_dir, delay=0.0):
        self.port = free_port()
        self.path = os.path.join(log_dir, "smtp-received.jsonl")
        super().__init__(
            "smtp",
            [
                sys.executable,
                os.path.abspath(__file__),
                "smtp",
                str(self.port),
                self.path,
                str(delay),
            ],
            log_dir,
            env=child_env(),
        )

    def start(self, timeout=15):
        super().start()
        wait_until(
            lambda: self.running and os.path.exists(self.path + ".ready"),
            timeout,
            0.05,
            "the SMTP sink to listen",
            self.diagnostics,
        )
        return self

    def received(self):
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        lines = data.split(b"\n")[:-1]  # only complete lines
        return [json.loads(line) for line in lines if line.strip()]

    def received_count(self):
        try:
            with open(self.path, "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0

    def delivery_ids(self):
        return [int(m["delivery"]) for m in self.received()]


def run_smtp_sink(port, path, delay):
    """The sink: record the message (header, recipients, subject) then, after ``delay``
    seconds, accept it. A sender killed during the delay has delivered a message it does not
    know about: the case that may legitimately be sent twice."""
    import asyncio
    from email import message_from_bytes
    from email.policy import default as policy

    from aiosmtpd.controller import Controller

    out = open(path, "a", encoding="utf-8")  # noqa: SIM115  (open while the sink runs)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            msg = message_from_bytes(envelope.content, policy=policy)
            body = msg.get_body(("plain",))
            out.write(
                json.dumps(
                    {
                        "delivery": msg["X-Proposals-Delivery"],
                        "to": envelope.rcpt_tos,
                        "subject": str(msg["Subject"]),
                        "body": body.get_content() if body is not None else "",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            out.flush()
            if delay:
                await asyncio.sleep(delay)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    open(path + ".ready", "w").close()
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    try:
        while not stop:
            time.sleep(0.2)
    finally:
        controller.stop()
        out.close()


# --- the application's processes ----------------------------------------------------------


def celery_worker(log_dir, env, name="worker", concurrency=2):
    return Service(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "celery_worker",
            "worker",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "-l",
            "info",
            "-n",
            f"{name}-{os.getpid()}@127.0.0.1",
            "--without-mingle",
            "--without-gossip",
        ],
        log_dir,
        env=env,
    )


def celery_beat(log_dir, env, name="beat"):
    return Service(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "celery_worker",
            "beat",
            "-l",
            "info",
            "-s",
            os.path.join(log_dir, f"{name}-schedule"),
            "--pidfile",
            os.path.join(log_dir, f"{name}.pid"),
        ],
        log_dir,
        env=env,
    )


def flask_command(log_dir, env, name, *args):
    return Service(name, [sys.executable, "-m", "flask", "--app", "wsgi", *args], log_dir, env=env)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "smtp":
        run_smtp_sink(
            int(sys.argv[2]), sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
        )
    else:
        sys.exit("usage: python tests/infra.py smtp PORT FILE [DELAY_SECONDS]")
