"""The public disclosure portal (办理结果公开, docs/domain.md): publication N working days after
delivery on the official calendar, not-for-disclosure and unpublished proposals hidden (404),
search and pagination, contact details removed — checked on every public page of the demo."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from proposals.accounts.models import User
from proposals.committee import settings as committee_settings
from proposals.committee.calendar import WorkCalendar
from proposals.disclosure.operations import set_disclosure
from proposals.disclosure.redact import redact
from proposals.disclosure.rules import cutoff, publication_date
from proposals.errors import InvalidState, NotPermitted, ValidationError
from proposals.extensions import db
from proposals.handling.models import Assignment, Reply
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry, Proposal

from .. import flows

SHANGHAI = timezone(timedelta(hours=8))
HIDDEN = "〔已隐去〕"


def at(y, m, d, hour=12, minute=0):
    """A moment given in Asia/Shanghai, as stored (UTC)."""
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture()
def clock(monkeypatch):
    """Set the portal's 'now' (a moment in Asia/Shanghai)."""

    def set_(moment):
        monkeypatch.setattr("proposals.web.portal.utcnow", lambda: moment)

    return set_


def published_case(world, delivered, **content):
    """A filed proposal whose (sole) reply was delivered at ``delivered``."""
    p, reply = flows.replied(world, **content)
    reply.delivered_at = delivered
    db.session.commit()
    return p, reply


def listed_ids(resp):
    return [int(i) for i in re.findall(r'href="/public/proposals/(\d+)"', resp.get_data(True))]


# ---------------------------------------------------------------- the rule, on the calendar


def test_a_reply_delivered_before_national_day_is_published_20_working_days_later():
    cal = WorkCalendar()
    # 2026-09-30 (Wed); 1–7 Oct are holidays, Sat 10 Oct is a make-up working day: the 20th
    # working day after is Tue 3 Nov (weekends only would give Wed 28 Oct)
    assert publication_date(date(2026, 9, 30), 20, cal) == date(2026, 11, 3)
    assert cutoff(date(2026, 11, 2), 20, cal) < date(2026, 9, 30)
    # on 3 Nov everything delivered up to the end of the holidays is public
    assert cutoff(date(2026, 11, 3), 20, cal) == date(2026, 10, 7)
    assert publication_date(date(2026, 9, 29), 20, cal) == date(2026, 11, 2)
    # 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 October
    assert publication_date(date(2026, 9, 30), 5, cal) == date(2026, 10, 13)
    assert cutoff(date(2026, 10, 12), 5, cal) == date(2026, 9, 29)
    # no delay: public on the day of delivery
    assert cutoff(date(2026, 10, 3), 0, cal) == date(2026, 10, 3)


@pytest.mark.parametrize("delay", [1, 3, 20])
def test_cutoff_and_publication_date_agree_every_day_around_the_autumn_holidays(delay):
    cal = WorkCalendar()
    day = date(2026, 9, 1)
    while day < date(2027, 1, 1):
        last = cutoff(day, delay, cal)
        assert publication_date(last, delay, cal) <= day
        assert publication_date(last + timedelta(days=1), delay, cal) > day
        day += timedelta(days=1)


def test_publication_follows_the_delivery_date_in_shanghai_and_the_holidays(world, web, clock):
    # 01:00 on 30 Sep in Shanghai is still 29 Sep in UTC: the Shanghai date counts
    p, reply = published_case(world, at(2026, 9, 30, 1, 0))
    public = web()
    clock(at(2026, 11, 2, 23, 59))
    assert p.id not in listed_ids(public.get("/public"))
    assert public.get(f"/public/proposals/{p.id}").status_code == 404
    clock(at(2026, 11, 3, 0, 1))
    assert listed_ids(public.get("/public")) == [p.id]
    page = public.get(f"/public/proposals/{p.id}")
    assert page.status_code == 200
    assert "答复正文：逐条答复如下。" in page.get_data(True)


def test_the_delay_is_the_committees_setting(world, web, clock):
    committee_settings.set_value("disclosure_delay_working_days", "5")
    db.session.commit()
    p, _ = published_case(world, at(2026, 9, 30, 16))
    clock(at(2026, 10, 12, 18))
    assert web().get(f"/public/proposals/{p.id}").status_code == 404
    clock(at(2026, 10, 13, 8))
    assert web().get(f"/public/proposals/{p.id}").status_code == 200


# ---------------------------------------------------------------- what is never public


def test_unpublished_proposals_are_404_and_not_listed(world, web, clock):
    long_ago = at(2026, 3, 2)
    shown, _ = published_case(world, long_ago, title="关于已公开事项的建议")
    submitted = flows.submitted(world, title="关于待审查事项的建议")
    filed = flows.filed(world, title="关于已立案未答复事项的建议")
    withdrawn = flows.submitted(world, title="关于撤案事项的建议")
    ops.withdraw_proposal(world.member, withdrawn, "撤回")
    not_filed = flows.submitted(world, title="关于不予立案事项的建议")
    ops.review_proposal(
        world.secretariat,
        not_filed,
        {"decision": "not_file", "reason_code": "other", "disposition": "none"},
    )
    merged = flows.submitted(world, proposer=world.member2, title="关于并案事项的建议")
    ops.review_proposal(world.secretariat, merged, {"decision": "merge", "merge_into": shown.id})
    recent, _ = published_case(world, at(2026, 11, 2), title="关于刚答复事项的建议")
    drafted = flows.handling(world, title="关于答复待审核事项的建议")
    db.session.commit()
    clock(at(2026, 11, 3, 9))
    public = web()
    assert listed_ids(public.get("/public")) == [shown.id]
    for p in (submitted, filed, withdrawn, not_filed, merged, recent, drafted):
        assert public.get(f"/public/proposals/{p.id}").status_code == 404, p.title
    assert public.get("/public/proposals/999999").status_code == 404
    # an unpublished proposal's words are not searchable either
    assert listed_ids(public.get("/public?q=刚答复")) == []


def test_only_the_published_replies_of_a_split_proposal_are_shown(world, web, clock):
    p = flows.handling(world, plan=[(world.unit_a, "lead"), (world.unit_b, "lead")])
    first, second = loaded(p, "assignments").assignments
    old = flows.delivered_reply(world, first)
    new = flows.delivered_reply(world, second)
    old.delivered_at, old.text = at(2026, 6, 1), "第一份答复：已列入计划。"
    new.delivered_at, new.text = at(2026, 11, 2), "第二份答复：尚未到公开时间。"
    db.session.commit()
    clock(at(2026, 11, 3, 9))
    html = web().get(f"/public/proposals/{p.id}").get_data(True)
    assert "第一份答复" in html and "第二份答复" not in html
    assert listed_ids(web().get("/public?q=尚未到公开")) == []
    assert listed_ids(web().get("/public?q=已列入计划")) == [p.id]


def test_not_for_disclosure_hides_the_proposal_and_is_recorded(world, web, clock, api):
    p, _ = published_case(world, at(2026, 3, 2))
    clock(at(2026, 11, 3, 9))
    assert web().get(f"/public/proposals/{p.id}").status_code == 200
    sec = web(world.secretariat)
    resp = sec.post(f"/proposals/{p.id}/disclosure", data={"reason": "", "withhold": "1"})
    assert resp.status_code == 400  # a reason is required
    resp = sec.post(
        f"/proposals/{p.id}/disclosure", data={"reason": "涉及个人隐私", "withhold": "1"}
    )
    assert resp.status_code == 302
    db.session.refresh(p)
    assert p.not_for_disclosure and p.not_for_disclosure_reason == "涉及个人隐私"
    assert web().get(f"/public/proposals/{p.id}").status_code == 404
    assert p.id not in listed_ids(web().get("/public"))
    entry = db.session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.proposal_id == p.id)
        .order_by(HistoryEntry.id.desc())
    ).first()
    assert (entry.action, entry.comment, entry.actor_id) == (
        "withhold_disclosure",
        "涉及个人隐私",
        world.secretariat.id,
    )
    assert "设为不公开" in sec.get(f"/proposals/{p.id}").get_data(True)  # the timeline's label
    # only the secretariat: units, members, the admin are refused
    for user in (world.clerk_a, world.member, world.admin):
        assert (
            web(user).post(f"/proposals/{p.id}/disclosure", data={"allow": "1"}).status_code == 403
        )
    assert web().get(f"/proposals/{p.id}/disclosure").status_code == 302  # login first
    resp = sec.post(f"/proposals/{p.id}/disclosure", data={"allow": "1"})
    assert resp.status_code == 302
    assert web().get(f"/public/proposals/{p.id}").status_code == 200


def test_the_disclosure_operation_checks_role_state_and_reason(world):
    p = flows.submitted(world)
    with pytest.raises(NotPermitted):
        set_disclosure(world.clerk_a, p, False, "理由")
    with pytest.raises(InvalidState):
        set_disclosure(world.secretariat, p, False, "理由")  # not filed yet
    filed = flows.filed(world)
    with pytest.raises(ValidationError) as exc:
        set_disclosure(world.secretariat, filed, False, "  ")
    assert "reason" in exc.value.fields
    with pytest.raises(InvalidState):
        set_disclosure(world.secretariat, filed, True)  # already public


def test_no_contact_details_on_the_public_pages(world, web, clock):
    p, reply = published_case(
        world,
        at(2026, 3, 2),
        proposer=None,
        analysis="情况分析：请与我联系，手机13912345678，邮箱 zhang@example.org。" * 2,
    )
    reply.text = (
        "答复如下。联系人：赵经办，联系电话：0571-87654321。\n"
        "如有疑问请发邮件至 unit.clerk@example.gov.cn。"
    )
    db.session.commit()
    clock(at(2026, 11, 3, 9))
    for path in ("/public", f"/public/proposals/{p.id}"):
        html = web().get(path).get_data(True)
        for secret in (
            "13912345678",
            "zhang@example.org",
            "赵经办",
            "0571-87654321",
            "unit.clerk@example.gov.cn",
            reply.contact,
            reply.signer,
            world.member.phone,
            world.member.email,
        ):
            assert secret not in html, (path, secret)
    html = web().get(f"/public/proposals/{p.id}").get_data(True)
    assert html.count(HIDDEN) >= 4 and world.member.name in html  # the proposer's name is public


def test_public_pages_are_cacheable_and_set_no_cookie(world, web, clock):
    p, _ = published_case(world, at(2026, 3, 2))
    clock(at(2026, 11, 3, 9))
    for path in ("/public", f"/public/proposals/{p.id}"):
        resp = web().get(path)
        assert resp.status_code == 200
        assert resp.cache_control.public and resp.cache_control.max_age == 300
        assert "Set-Cookie" not in resp.headers
    missing = web().get("/public/proposals/999999")
    assert missing.status_code == 404 and missing.cache_control.no_store


# ---------------------------------------------------------------- search, filters, pages


def test_search_filters_and_pagination(world, web, clock, make):
    ids = []
    for n in range(20):
        p, _ = published_case(
            world,
            at(2026, 3, 2),
            title=f"关于第{n:02d}号公开事项的建议",
            category="economy" if n < 3 else "society",
        )
        ids.append(p.id)
    other, _ = published_case(
        world, at(2026, 3, 2), title="关于校车安全的建议", plan=[(world.unit_b, "lead")]
    )
    clock(at(2026, 11, 3, 9))
    public = web()
    first = public.get("/public")
    assert "共 21 件，第 1/2 页" in first.get_data(True)
    second = public.get("/public?page=2")
    seen = listed_ids(first) + listed_ids(second)
    assert sorted(seen) == sorted(ids + [other.id]) and len(set(seen)) == 21
    assert listed_ids(public.get("/public?page=99")) == listed_ids(second)  # the last page
    assert listed_ids(public.get("/public?q=校车")) == [other.id]
    assert listed_ids(public.get("/public?q=第05号")) == [ids[5]]
    assert sorted(listed_ids(public.get("/public?category=economy"))) == sorted(ids[:3])
    assert listed_ids(public.get("/public?unit=CZJ")) == [other.id]
    assert listed_ids(public.get(f"/public?year={world.session.year}&q=校车")) == [other.id]
    assert listed_ids(public.get(f"/public?year={world.session.year - 1}")) == []
    assert public.get("/public?year=abc").status_code == 400
    assert listed_ids(public.get("/public?q=%25")) == []  # LIKE wildcards are literal


def test_a_search_does_not_reveal_what_redaction_hides(world, web, clock):
    p, reply = published_case(world, at(2026, 3, 2))
    reply.text = "答复如下。联系人：钱经办，电话 13712345678。"
    db.session.commit()
    clock(at(2026, 11, 3, 9))
    assert listed_ids(web().get("/public?q=答复如下")) == [p.id]
    assert listed_ids(web().get("/public?q=13712345678")) == []
    assert listed_ids(web().get("/public?q=钱经办")) == []


# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    "text, secrets",
    [
        ("请联系13812345678。", ["13812345678"]),
        ("手机：138 1234 5678", ["138 1234 5678"]),
        ("电话+86-13912345678或0086", ["13912345678"]),
        ("办公室电话0571-88888888，传真（0571）87654321", ["88888888", "87654321"]),
        ("座机 010 1234 5678 转 123", ["1234 5678"]),
        ("热线400-800-1234", ["400-800-1234"]),
        ("邮箱 zhang.san@example.gov.cn", ["zhang.san", "example.gov.cn"]),
        ("E-mail：li@ex.org", ["li@ex.org"]),
        ("全角 wang＠example.com 也算", ["wang"]),
        ("联系人：赵某某，联系电话：12345", ["赵某某", "12345"]),
        ("（联系人: 钱某 0571-1234567）", ["钱某", "1234567"]),
        ("联系人 孙某 电话未留", ["孙某"]),
        ("拨打 88886666 咨询", ["88886666"]),
    ],
)
def test_redact_removes_contact_details(text, secrets):
    out = redact(text)
    for secret in secrets:
        assert secret not in out, out
    assert HIDDEN in out


@pytest.mark.parametrize(
    "text",
    [
        "要密切联系人民群众，2023年投入资金1350万元，建成200个充电桩。",
        "第0017号提案，2026-09-30答复，增长12.5%。",
        "通过电话 沟通了办理思路。",
        "",
    ],
)
def test_redact_leaves_ordinary_text_alone(text):
    assert redact(text) == text


# ---------------------------------------------------------------- the demo, every public page

PHONE_PATTERNS = [
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"),
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
]


@pytest.fixture(scope="module")
def demo(app):
    """The demo committee (~30 s), with contact details planted in the published texts as a
    unit would write them, and the clock two months ahead so that every reply is public."""
    from proposals.demo import generate, new_password

    from ..conftest import wipe

    with app.app_context():
        wipe()
        generate(new_password())
        now = datetime.now(UTC)
        replies = db.session.scalars(
            select(Reply)
            .where(Reply.delivered_at.is_not(None))
            .options(joinedload(Reply.assignment))
            .order_by(Reply.id)
        ).all()
        staff = {
            u.department_id: u for u in db.session.scalars(select(User).where(User.role == "clerk"))
        }
        for n, reply in enumerate(replies):
            clerk = staff[reply.assignment.department_id]
            reply.text += (
                f"\n联系人：{clerk.name}，联系电话：{clerk.phone}。"
                if n % 2
                else f"\n如有疑问，请致电 {clerk.phone} 或发邮件至 {clerk.email}。"
            )
        for proposal in db.session.scalars(
            select(Proposal).where(Proposal.number.is_not(None)).order_by(Proposal.id)
        ).all()[::3]:
            proposer = proposal.proposer
            proposal.analysis += (
                "（提案人联系方式："
                + " ".join(filter(None, [proposer.phone, proposer.email]))
                + "）"
            )
        db.session.commit()
        yield now + timedelta(days=60)
        db.session.rollback()
        wipe()


@pytest.mark.slow
@pytest.mark.one_database  # a crawl of rendered pages; the queries run on PostgreSQL above
def test_every_public_page_of_the_demo_is_free_of_contact_details(app, demo, monkeypatch):
    from ..conftest import WebClient

    monkeypatch.setattr("proposals.web.portal.utcnow", lambda: demo)
    with app.app_context():
        # withhold one published proposal: it must disappear everywhere
        secretariat = db.session.scalar(select(User).where(User.username == "sec"))
        delivered = (
            select(Assignment.proposal_id).join(Reply).where(Reply.delivered_at.is_not(None))
        )
        withheld = db.session.scalar(
            select(Proposal)
            .where(Proposal.id.in_(delivered), Proposal.state.in_(("assigned", "closed")))
            .order_by(Proposal.id)
        )
        set_disclosure(secretariat, withheld, False, "演示：不公开")
        db.session.commit()

        expected = set(
            db.session.scalars(
                select(Proposal.id).where(
                    Proposal.id.in_(delivered),
                    Proposal.state.in_(("assigned", "closed")),
                    Proposal.not_for_disclosure.is_(False),
                )
            )
        )
        assert len(expected) > 50
        people = db.session.scalars(select(User)).all()
        secrets = {u.email for u in people if u.email} | {u.phone for u in people if u.phone}
        public_names = {u.name for u in people if u.role == "member"}
        staff_names = {
            u.name for u in people if u.role in ("clerk", "department_head", "secretariat")
        }
        # a staff name inside a public member's name ("王伟" in "王伟民") cannot be told apart
        secrets |= {n for n in staff_names if not any(n in m for m in public_names)}
        secrets |= set(db.session.scalars(select(Reply.contact)))
        secrets |= set(db.session.scalars(select(Reply.signer)))
        assert len(secrets) > 100

        client = WebClient(app, app.response_class, use_cookies=False)
        pages, found, listed = {}, [], set()
        first = client.get("/public")
        total = int(re.search(r"共 (\d+) 件，第 1/(\d+) 页", first.get_data(True)).group(1))
        last = int(re.search(r"共 \d+ 件，第 1/(\d+) 页", first.get_data(True)).group(1))
        for n in range(1, last + 1):
            resp = client.get(f"/public?page={n}")
            assert resp.status_code == 200
            pages[f"/public?page={n}"] = resp.get_data(True)
            listed |= set(listed_ids(resp))
        for code in re.findall(r'<option value="([A-Z]+)"', first.get_data(True)):
            pages[f"/public?unit={code}"] = client.get(f"/public?unit={code}").get_data(True)
        assert listed == expected and total == len(expected)
        assert withheld.id not in listed
        assert client.get(f"/public/proposals/{withheld.id}").status_code == 404
        for pid in sorted(listed):
            resp = client.get(f"/public/proposals/{pid}")
            assert resp.status_code == 200, pid
            pages[f"/public/proposals/{pid}"] = resp.get_data(True)
        hidden = 0
        for path, html in pages.items():
            hidden += html.count(HIDDEN)
            for pattern in PHONE_PATTERNS:
                for match in pattern.findall(html):
                    found.append((path, match))
            found += [(path, s) for s in secrets if s in html]
        assert found == []
        assert hidden > len(expected)  # the planted details were there, and were removed
