"""Many people at once on the embedded default: gunicorn with two workers on one SQLite file.

The secretariat reads the statistics (page and API), the list pages and the list API while
members create and submit proposals and a unit drafts, signs off and has its replies
reviewed. Nothing may answer 5xx ("database is locked" among them), and every action that
answered success is stored, exactly once."""

import json
import os
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from proposals import create_app
from proposals.accounts.models import ApiToken
from proposals.extensions import db
from proposals.handling.models import Reply
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from ..conftest import FAST_HASH, Factory, World
from ..infra import ROOT, Service, child_env, free_port, wait_until

pytestmark = [pytest.mark.services, pytest.mark.one_database("sqlite")]

PASSWORD = "load-test-password"
MEMBERS, PROPOSALS_EACH, REPLIES, READS_EACH = 6, 8, 6, 30


class Client:
    """HTTP on loopback with a cookie jar (for the pages) or a bearer token (for the API)."""

    def __init__(self, base, token=None):
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, method, path, body=None, form=None):
        headers, data = {}, None
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=120) as resp:  # noqa: S310 (loopback)
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def log_in(self, username):
        status, page = self.open("GET", "/login")
        assert status == 200
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, page[:500]
        status, page = self.open(
            "POST",
            "/login",
            form={
                "csrf_token": token.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            },
        )
        assert status == 200 and "退出".encode() in page, page[:500]


@pytest.fixture()
def committee(tmp_path):
    """A committee on its own SQLite file: the world's people (with passwords), proposals
    in handling for the unit's replies, and API tokens."""
    url = f"sqlite:///{tmp_path / 'load.db'}"
    app = create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "load-test",
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": FAST_HASH,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        world = World(Factory())
        members = [world.make.user("member") for _ in range(MEMBERS)]
        for user in (world.secretariat, world.member):
            user.set_password(PASSWORD)
        handling = []
        for i in range(REPLIES):
            p = flows.handling(world, title=f"关于第{i}项民生工作的建议")
            a = loaded(p, "assignments").assignments[0]
            flows.hops.record_contact(
                world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
            )
            handling.append(a.id)
        tokens = {
            "secretariat": ApiToken.issue(world.secretariat),
            "clerk": ApiToken.issue(world.clerk_a),
            "head": ApiToken.issue(world.head_a),
            "members": [ApiToken.issue(m) for m in members],
        }
        db.session.commit()
        names = (world.secretariat.username, world.member.username)
        content = world.content()
        # (a transaction left open here would hold SQLite's write lock: extensions.py begins
        # every transaction outside a GET request with BEGIN IMMEDIATE)
        db.session.remove()
        yield app, url, *names, tokens, handling, content
        db.session.remove()
        db.engine.dispose()


def test_many_requests_at_once_on_sqlite_with_two_workers_no_5xx_and_nothing_lost(
    committee, tmp_path
):
    app, url, secretariat, member, tokens, handling, content = committee
    port = free_port()
    server = Service(
        "gunicorn",
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        str(tmp_path),
        env=child_env(DATABASE_URL=url, SECRET_KEY="load-test"),
        cwd=ROOT,
    ).start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _healthy(base), 60, 0.2, "gunicorn to answer", server.diagnostics)
        pages = Client(base)
        pages.log_in(secretariat)
        member_pages = Client(base)
        member_pages.log_in(member)
        outcomes, lock = [], threading.Lock()

        def note(what, status, body, **extra):
            with lock:
                outcomes.append(dict(what=what, status=status, body=body[:300], **extra))

        def reader(client, paths):
            for n in range(READS_EACH):
                path = paths[n % len(paths)]
                status, body = client.open("GET", path)
                note("GET " + path, status, body)

        def proposer(token, i):
            client = Client(base, token)
            for n in range(PROPOSALS_EACH):
                status, body = client.open(
                    "POST", "/api/v1/proposals", dict(content, title=f"关于第{i}-{n}项工作的建议")
                )
                pid = json.loads(body)["id"] if status == 201 else None
                note("create", status, body, proposal=pid)
                if pid is not None:
                    status, body = client.open("POST", f"/api/v1/proposals/{pid}/submit")
                    note("submit", status, body, proposal=pid)

        def unit():
            clerk, head, staff = (Client(base, tokens[k]) for k in ("clerk", "head", "secretariat"))
            for aid in handling:
                status, body = clerk.open(
                    "POST",
                    f"/api/v1/assignments/{aid}/reply",
                    {
                        "result": "A",
                        "text": "答复正文：逐条答复如下。",
                        "signer": "局长 王某",
                        "contact": "赵某 0571-88888888",
                    },
                )
                note("reply", status, body, assignment=aid)
                if status != 201:
                    continue
                rid = json.loads(body)["id"]
                status, body = head.open(
                    "POST", f"/api/v1/replies/{rid}/signoff", {"approve": True}
                )
                note("signoff", status, body, reply=rid)
                status, body = staff.open(
                    "POST", f"/api/v1/replies/{rid}/review", {"approve": True}
                )
                note("review", status, body, reply=rid)

        api_staff = Client(base, tokens["secretariat"])
        threads = [
            threading.Thread(target=reader, args=(pages, ["/stats", "/proposals", "/assignments"])),
            threading.Thread(
                target=reader,
                args=(
                    api_staff,
                    ["/api/v1/stats/annual", "/api/v1/proposals", "/api/v1/proposals?page=2"],
                ),
            ),
            threading.Thread(target=reader, args=(member_pages, ["/proposals", "/"])),
            threading.Thread(target=unit),
            *[
                threading.Thread(target=proposer, args=(tok, i))
                for i, tok in enumerate(tokens["members"])
            ],
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads)
    finally:
        server.stop()

    failed = [(o["what"], o["status"]) for o in outcomes if o["status"] >= 500]
    errors = [line for line in server.log(tail=0).splitlines() if "Error" in line]
    assert not failed, (
        f"{len(failed)} answers of {len(outcomes)} were 5xx: {failed[:10]}; "
        f"the server logged: {errors[-5:]}"
    )
    refused = [o for o in outcomes if o["status"] >= 400]
    assert not refused, refused[:5]
    expected = MEMBERS * PROPOSALS_EACH + 3 * REPLIES + 3 * READS_EACH + MEMBERS * PROPOSALS_EACH
    assert len(outcomes) == expected

    with app.app_context():
        created = {o["proposal"] for o in outcomes if o["what"] == "create"}
        stored = dict(
            db.session.execute(
                select(Proposal.id, Proposal.state).where(Proposal.id.in_(created))
            ).all()
        )
        assert set(stored) == created
        assert all(state == "submitted" for state in stored.values()), stored
        assert (
            db.session.scalar(select(func.count()).select_from(Proposal)) == len(created) + REPLIES
        )
        delivered = db.session.scalar(
            select(func.count()).select_from(Reply).where(Reply.delivered_at.is_not(None))
        )
        assert delivered == REPLIES


def _healthy(base):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:  # noqa: S310
            return resp.status == 200
    except OSError:
        return False
