"""Hostile text (HTML, script, template syntax, spreadsheet formulas, header line breaks) in
titles, analysis, suggestions, replies, comments and names is shown as text everywhere: every
page escapes it, the CSV/XLSX exports keep it as text (no formula cell) and the reminder
e-mails are plain text with the text preserved and a one-line subject."""

import csv
import io
from datetime import UTC, datetime, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from proposals.committee.calendar import LOCAL_TZ
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.notifications.channels import email as email_channel
from proposals.notifications.models import Delivery
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows

# escaping happens in the templates and exports: the SQLite pass only (conftest.py)
pytestmark = pytest.mark.one_database

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
FORMULA = '=HYPERLINK("http://evil.example","点我")'
RAW = (SCRIPT, "<img src=x onerror=alert(1)>")  # must never reach a page as markup
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
HOSTILE = f"{SCRIPT}{IMG}{TEMPLATE}"


@pytest.fixture()
def hostile(world):
    """Proposals, a reply, comments and a name carrying hostile text, in several states."""
    world.member.name = "张委员" + IMG
    db.session.commit()
    body = dict(
        analysis="情况分析：" + HOSTILE + "我市老旧小区数量多、设施老化。" * 3,
        suggestions="具体建议：" + HOSTILE + "加快老旧小区改造，完善配套设施。" * 6,
    )
    first = flows.assigned(
        world,
        title="关于" + HOSTILE + "的建议",
        cosigners=[world.member2],
        plan=[(world.unit_a, "lead"), (world.unit_b, "co")],
        **body,
    )
    p = flows.submitted(world, title=FORMULA, **body)
    ops.review_proposal(world.secretariat, p, {"decision": "file", "comment": "立案" + HOSTILE})
    ops.assign_proposal(world.secretariat, p, [{"code": "ZJJ", "role": "lead"}])
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a)
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "沟通" + HOSTILE}
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {
            "result": "A",
            "text": "答复" + HOSTILE,
            "signer": "局长" + IMG,
            "contact": "=1+2" + SCRIPT,
        },
    )
    hops.signoff_reply(world.head_a, reply, {"approve": True, "comment": "签发" + HOSTILE})
    hops.review_reply(world.secretariat, reply, {"approve": True, "comment": "审核" + HOSTILE})
    hops.rate_reply(world.member, reply, {"rating": "unsatisfied", "comment": "不满意" + HOSTILE})
    other = flows.submitted(world, title="撤回" + SCRIPT, **body)
    ops.withdraw_proposal(world.member, other, "理由" + HOSTILE)
    db.session.commit()
    return {"first": first, "formula": p, "reply": reply, "withdrawn": other}


def pages(h):
    ids = {
        "proposal_id": h["first"].id,
        "assignment_id": loaded(h["first"], "assignments").assignments[0].id,
        "reply_id": h["reply"].id,
    }
    out = [
        "/",
        "/proposals",
        "/assignments",
        "/notifications",
        "/secretariat/queues",
        "/stats",
        "/key-proposals",
        "/account/audit",
        "/public",
        "/proposals/merge-candidates",
    ]
    for p in (h["first"], h["formula"], h["withdrawn"]):
        out += [
            f"/proposals/{p.id}",
            f"/proposals/{p.id}/edit",
            f"/proposals/{p.id}/review",
            f"/proposals/{p.id}/withdraw",
            f"/proposals/{p.id}/assign",
        ]
    for a in (
        loaded(h["first"], "assignments").assignments
        + loaded(h["formula"], "assignments").assignments
    ):
        out += [
            f"/assignments/{a.id}",
            f"/assignments/{a.id}/reply",
            f"/assignments/{a.id}/contacts",
            f"/assignments/{a.id}/opinion",
        ]
    out += [
        f"/replies/{ids['reply_id']}/rate",
        f"/replies/{ids['reply_id']}/signoff",
        f"/replies/{ids['reply_id']}/review",
    ]
    return out


def assert_no_markup(html, where):
    for raw in RAW:
        assert raw not in html, f"{where}: unescaped {raw!r}"


def test_every_page_shows_hostile_text_as_text(app, world, hostile, web):
    seen = {}
    for who in ("member", "member2", "secretariat", "clerk_a", "head_a", "clerk_b", "admin"):
        client = web(getattr(world, who))
        for path in pages(hostile):
            resp = client.get(path, query_string={"q": ""})
            if resp.status_code != 200 or "html" not in resp.content_type:
                continue
            html = resp.get_data(as_text=True)
            assert_no_markup(html, f"{path} as {who}")
            if ESCAPED_SCRIPT in html:
                seen.setdefault(path.split("/")[1] or "home", set()).add(who)
    # the hostile text was really on the pages that show it, escaped
    first = hostile["first"]
    for path, who in (
        (f"/proposals/{first.id}", "member"),
        (f"/proposals/{first.id}", "clerk_a"),
        ("/proposals", "secretariat"),
        ("/assignments", "clerk_a"),
    ):
        html = web(getattr(world, who)).get(path).get_data(as_text=True)
        assert ESCAPED_SCRIPT in html, (path, who)
        assert TEMPLATE in html, (path, who)  # shown literally, not evaluated
        assert (
            "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
            or "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
            or path != "/proposals"
        ), path
    detail = web(world.member).get(f"/proposals/{hostile['formula'].id}").get_data(as_text=True)
    for text in ("答复", "沟通", "不满意"):
        assert text + ESCAPED_SCRIPT in detail, text
    assert len(seen) >= 3, seen


def test_notifications_page_and_emails_keep_hostile_text_as_text(
    app, world, hostile, web, monkeypatch
):
    from proposals.notifications import delivery
    from proposals.reminders.sweep import run_sweep

    sent = []

    class FakeSMTP:
        def __init__(self, *a, **kw):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def login(self, *a):
            pass

        def send_message(self, msg):
            sent.append(msg)

    monkeypatch.setattr(email_channel.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.org")
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    for user in (world.clerk_a, world.head_a, world.clerk_b, world.head_b, world.member):
        user.email = f"{user.username}@example.org"
    # a title with a line break must not break the e-mail header (header injection)
    p = flows.filed(world, title="关于\r\nBcc: victim@example.org\r\n" + SCRIPT)
    ops.assign_proposal(world.secretariat, p, [{"code": "JYJ", "role": "lead"}])
    world.clerk_c.email = "clerk_c@example.org"
    db.session.commit()
    # on the acceptance deadline's day: the clerks are reminded to accept (签收)
    due = loaded(p, "assignments").assignments[0].accept_due
    at = datetime.combine(due, time(10, 0), tzinfo=LOCAL_TZ).astimezone(UTC)
    run_sweep(now=at, dispatch=lambda ids: [delivery.send_delivery(i, now=at) for i in ids])
    db.session.expire_all()
    bodies = [m.get_content() for m in sent]
    assert sent, "the sweep sent no e-mail"
    for msg in sent:
        assert msg.get_content_type() == "text/plain"  # plain text: nothing is rendered
        assert not msg.is_multipart()
        assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
        assert msg["Bcc"] is None
    assert any(SCRIPT in b and TEMPLATE in b for b in bodies), "hostile title not preserved"
    assert p.title == "关于 Bcc: victim@example.org " + SCRIPT  # a title is stored as one line
    # a notification text with line breaks still gives a one-line subject
    sent_delivery = db.session.scalars(
        select(Delivery).where(Delivery.status == "sent").options(joinedload(Delivery.notification))
    ).first()
    sent_delivery.notification.text = "第一行\r\nBcc: victim@example.org\n" + SCRIPT
    sent_delivery.status = "pending"
    db.session.commit()
    sent.clear()
    assert delivery.send_delivery(sent_delivery.id, now=at) == "sent"
    assert sent and "\n" not in str(sent[0]["Subject"]) and sent[0]["Bcc"] is None
    assert SCRIPT in sent[0].get_content()
    html = web(world.clerk_a).get("/notifications").get_data(as_text=True)
    assert ESCAPED_SCRIPT in html
    assert_no_markup(html, "/notifications")


def rows_of_csv(data):
    return list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))


def test_exports_keep_hostile_text_as_text(app, world, hostile, web):
    client = web(world.secretariat)
    for path in ("/proposals.csv", "/assignments.csv"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        cells = [c for row in rows_of_csv(resp.get_data(as_text=True)) for c in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], path
        assert "'" + FORMULA in cells, path  # the text kept, neutralised
        assert any(SCRIPT in c and TEMPLATE in c for c in cells), path
    workbooks = [client.get("/proposals.xlsx"), client.get("/stats/annual.xlsx")]
    from ..conftest import ApiClient

    workbooks.append(ApiClient(app.test_client(), world.secretariat).get("/stats/annual.xlsx"))
    for resp in workbooks:
        assert resp.status_code == 200
        book = load_workbook(io.BytesIO(resp.get_data()))
        texts = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for c in row:
                    assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        texts.append(c.value)
        assert any(FORMULA in t for t in texts)
        assert any(SCRIPT in t and TEMPLATE in t for t in texts)


def test_api_returns_hostile_text_verbatim_as_json(app, world, hostile, api):
    resp = api(world.member).get(f"/proposals/{hostile['first'].id}")
    assert resp.status_code == 200
    assert resp.content_type.startswith("application/json")
    data = resp.get_json()
    assert data["title"] == "关于" + HOSTILE + "的建议"
    assert data["proposers"]["first"]["name"] == "张委员" + IMG
