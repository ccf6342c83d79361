"""The handling units' pages (承办): each page calls the same operation as the JSON API; the
right clerk or head gets the page and the action works; everyone else is refused (403/404) or
told the state does not allow it (409), and nothing changes; bad input comes back on its field."""

from datetime import timedelta

import pytest

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Contact, ExtensionRequest, FollowUp, Opinion, Reply
from proposals.workflow.core import loaded

from .. import flows


def today():
    return local_date(utcnow())


def text(resp):
    return resp.get_data(as_text=True)


def snapshot(p):
    """What a refused or rejected request must leave untouched."""
    db.session.expire_all()
    units = loaded(p, "assignments").assignments
    return (
        [(a.id, a.state, a.version, a.follow_up_open, a.extended_to) for a in units],
        [(r.id, r.state, r.version) for a in units for r in loaded(a, "replies").replies],
        len(loaded(p, "history").history),
        db.session.query(Contact).count(),
        db.session.query(Opinion).count(),
        db.session.query(ExtensionRequest).count(),
        db.session.query(FollowUp).count(),
        db.session.query(Reply).count(),
    )


def field_error(page, field_id, message):
    """The operation's message is shown under the named field, which is marked invalid."""
    assert message in page
    at = page.find(f'id="{field_id}"')
    assert at != -1, field_id
    tag_start = page.rfind("<", 0, at)
    tag = page[tag_start : page.find(">", at)]
    assert "is-invalid" in tag, tag
    assert page.find(message, at) > at


def reply_data(**kw):
    data = {
        "result": "A",
        "text": "答复正文：逐条答复如下。一、……二、……",
        "signer": "局长 王某",
        "contact": "赵某 0571-88888888",
        "promised_date": "",
    }
    data.update(kw)
    return data


def contacted(world, p):
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a,
        a,
        {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通办理思路"},
    )
    db.session.commit()
    return a


def awaiting_signoff(world, result="A"):
    p = flows.handling(world)
    a = contacted(world, p)
    data = reply_data(result=result)
    if result == "B":
        data["promised_date"] = "2099-12-31"
    reply = hops.draft_reply(world.clerk_a, a, data)
    db.session.commit()
    return p, a, reply


# --- the whole journey ---------------------------------------------------------------------------


def test_unit_journey_accept_contact_opinion_reply_b_signoff_extension_follow_up(world, web):
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    lead, co = sorted(loaded(p, "assignments").assignments, key=lambda a: a.role != "lead")
    clerk_a, clerk_b, head_a = web(world.clerk_a), web(world.clerk_b), web(world.head_a)

    page = text(clerk_a.get(f"/proposals/{p.id}"))
    assert f"/assignments/{lead.id}/accept" in page and "申请调整" in page
    assert f"/assignments/{co.id}/accept" not in page  # the co-unit's card is not ours
    detail = clerk_a.get(f"/assignments/{lead.id}")
    assert detail.status_code == 200 and "签收" in text(detail) and "剩" in text(detail)

    # 签收
    r = clerk_a.post(f"/assignments/{lead.id}/accept", follow_redirects=True)
    assert r.status_code == 200 and "已签收" in text(r)
    assert lead.state == "handling" and lead.accepted_at is not None
    assert clerk_b.post(f"/assignments/{co.id}/accept").status_code == 302
    assert co.state == "handling"

    # 办前沟通
    assert clerk_a.get(f"/assignments/{lead.id}/contacts").status_code == 200
    r = clerk_a.post(
        f"/assignments/{lead.id}/contacts",
        follow_redirects=True,
        data={
            "mode": "meeting",
            "date": today().isoformat(),
            "summary": "到提案人单位面谈，听取意见",
        },
    )
    assert "已记录办前沟通" in text(r)
    assert [(c.mode, c.day) for c in loaded(lead, "contacts").contacts] == [("meeting", today())]

    # 会办意见 (the co-unit to the lead)
    assert "会办意见" in text(clerk_b.get(f"/proposals/{p.id}"))
    assert clerk_b.get(f"/assignments/{co.id}/opinion").status_code == 200
    r = clerk_b.post(
        f"/assignments/{co.id}/opinion",
        follow_redirects=True,
        data={"text": "我局将在资金安排上予以支持。"},
    )
    assert "会办意见已提交主办单位" in text(r)
    assert (
        co.state == "closed"
        and loaded(co, "opinion").opinion.text == "我局将在资金安排上予以支持。"
    )

    # 答复 B with the promised date; the form shows the suggestions and the co-unit's opinion
    form = text(clerk_a.get(f"/assignments/{lead.id}/reply"))
    assert "加快老旧小区改造" in form and "我局将在资金安排上予以支持。" in form
    assert "正在解决或列入计划" in form and 'name="promised_date"' in form
    promised = (today() + timedelta(days=200)).isoformat()
    r = clerk_a.post(
        f"/assignments/{lead.id}/reply",
        follow_redirects=True,
        data=reply_data(result="B", promised_date=promised),
    )
    assert "答复已提交" in text(r)
    (reply,) = loaded(lead, "replies").replies
    assert (reply.state, reply.result, reply.promised_date.isoformat()) == (
        "awaiting_signoff",
        "B",
        promised,
    )
    assert f"/replies/{reply.id}/signoff" not in text(clerk_a.get(f"/proposals/{p.id}"))

    # 签发 by the head
    assert f"/replies/{reply.id}/signoff" in text(head_a.get(f"/proposals/{p.id}"))
    page = head_a.get(f"/replies/{reply.id}/signoff")
    assert page.status_code == 200 and "逐条答复" in text(page)
    r = head_a.post(
        f"/replies/{reply.id}/signoff",
        data={"approve": "yes", "comment": ""},
        follow_redirects=True,
    )
    assert "答复已签发" in text(r)
    assert reply.state == "awaiting_review" and reply.signed_off_by_id == world.head_a.id

    # 申请延期, within the 6-month limit
    page = text(clerk_a.get(f"/assignments/{lead.id}/extension-request"))
    limit = hops.extension_limit(lead)
    assert lead.reply_due.isoformat() in page and limit.isoformat() in page
    until = (lead.reply_due + timedelta(days=30)).isoformat()
    r = clerk_a.post(
        f"/assignments/{lead.id}/extension-request",
        follow_redirects=True,
        data={"until": until, "reason": "涉及跨年度资金安排"},
    )
    assert "延期申请已提交" in text(r)
    (ext,) = loaded(lead, "extension_requests").extension_requests
    assert (ext.state, ext.until.isoformat()) == ("pending", until)
    assert "申请延期" not in text(clerk_a.get(f"/assignments/{lead.id}")).split("可办理的操作")[1]

    # the secretariat delivers it; the B reply opens a follow-up (跟踪办理)
    hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.commit()
    assert lead.state == "replied" and lead.follow_up_open
    page = text(clerk_a.get(f"/proposals/{p.id}"))
    assert f"/assignments/{lead.id}/follow-up" in page
    assert clerk_a.get(f"/assignments/{lead.id}/follow-up").status_code == 200
    r = clerk_a.post(
        f"/assignments/{lead.id}/follow-up",
        follow_redirects=True,
        data={"text": "改造工程已开工，完成 40%"},
    )
    assert "已记录跟踪办理情况" in text(r) and lead.follow_up_open
    r = clerk_a.post(
        f"/assignments/{lead.id}/follow-up",
        follow_redirects=True,
        data={"text": "改造工程已全部完工", "done": "y"},
    )
    assert not lead.follow_up_open
    assert [f.done for f in loaded(lead, "follow_ups").follow_ups] == [False, True]
    assert "改造工程已全部完工" in text(r)
    actions = [h.action for h in loaded(p, "history").history]
    for action in (
        "accept",
        "record_contact",
        "submit_opinion",
        "draft_reply",
        "signoff",
        "request_extension",
        "follow_up",
    ):
        assert action in actions


def test_reassignment_request_within_the_window(world, web):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    client = web(world.clerk_a)
    page = client.get(f"/assignments/{a.id}/reassignment-request")
    assert page.status_code == 200 and "签收期限" in text(page)
    before = snapshot(p)
    r = client.post(f"/assignments/{a.id}/reassignment-request", data={"reason": "  "})
    assert r.status_code == 200
    field_error(text(r), "reason", "请填写申请调整理由")
    assert snapshot(p) == before
    r = client.post(
        f"/assignments/{a.id}/reassignment-request",
        follow_redirects=True,
        data={"reason": "此事属市城管局职责"},
    )
    assert "调整申请已提交" in text(r)
    assert a.state == "reassignment_requested" and a.reassignment_reason == "此事属市城管局职责"


def test_reassignment_after_the_window_is_refused_by_the_operation(world, web):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    a.accept_due = today() - timedelta(days=1)
    db.session.commit()
    client = web(world.clerk_a)
    assert "申请调整" not in text(client.get(f"/proposals/{p.id}"))
    before = snapshot(p)
    r = client.post(f"/assignments/{a.id}/reassignment-request", data={"reason": "不属本单位"})
    assert r.status_code == 409 and "签收期限已过" in text(r)
    assert snapshot(p) == before


def test_head_returns_the_reply_with_a_comment_and_the_clerk_redrafts(world, web):
    p, a, reply = awaiting_signoff(world)
    head = web(world.head_a)
    before = snapshot(p)
    r = head.post(f"/replies/{reply.id}/signoff", data={"approve": "no", "comment": ""})
    assert r.status_code == 200
    field_error(text(r), "comment", "请填写退回意见")
    assert snapshot(p) == before
    r = head.post(
        f"/replies/{reply.id}/signoff",
        follow_redirects=True,
        data={"approve": "no", "comment": "第二条答复不具体"},
    )
    assert "答复已退回经办人修改" in text(r)
    assert reply.state == "returned" and reply.return_comment == "第二条答复不具体"
    # the clerk sees the comment and starts from the returned draft
    form = text(web(world.clerk_a).get(f"/assignments/{a.id}/reply"))
    assert "第二条答复不具体" in form and "逐条答复如下" in form
    r = web(world.clerk_a).post(f"/assignments/{a.id}/reply", data=reply_data(text="新的答复稿"))
    assert r.status_code == 302
    assert [x.state for x in loaded(a, "replies").replies] == ["returned", "awaiting_signoff"]


def test_a_signoff_without_a_decision_is_shown_on_the_field(world, web):
    p, a, reply = awaiting_signoff(world)
    before = snapshot(p)
    r = web(world.head_a).post(f"/replies/{reply.id}/signoff", data={"comment": "好"})
    assert r.status_code == 200 and "请说明是否签发" in text(r)
    assert snapshot(p) == before


# --- refusals change nothing ----------------------------------------------------------------------

UNIT_FORMS = [
    "reassignment-request",
    "contacts",
    "opinion",
    "reply",
    "extension-request",
    "follow-up",
]


@pytest.mark.parametrize("path", [""] + [f"/{x}" for x in UNIT_FORMS])
def test_a_clerk_of_another_unit_gets_404(world, web, path):
    p = flows.handling(world)
    a = contacted(world, p)
    client = web(world.clerk_b)
    before = snapshot(p)
    assert client.get(f"/assignments/{a.id}{path}").status_code == 404
    if path:
        r = client.post(
            f"/assignments/{a.id}{path}",
            data=reply_data(
                mode="phone", date=today().isoformat(), summary="x", reason="x", until="2099-01-01"
            ),
        )
        assert r.status_code == 404
    assert client.post(f"/assignments/{a.id}/accept").status_code == 404
    assert snapshot(p) == before


@pytest.mark.parametrize("who,status", [("member", 403), ("member2", 404), ("secretariat", 403)])
@pytest.mark.parametrize("path", UNIT_FORMS)
def test_members_and_the_secretariat_cannot_use_the_unit_forms(world, web, who, status, path):
    p = flows.handling(world)
    a = contacted(world, p)
    client = web(getattr(world, who))
    before = snapshot(p)
    assert client.get(f"/assignments/{a.id}/{path}").status_code == status
    r = client.post(
        f"/assignments/{a.id}/{path}",
        data=reply_data(
            mode="phone",
            date=today().isoformat(),
            summary="x",
            reason="x",
            until="2099-01-01",
            done="y",
        ),
    )
    assert r.status_code == status
    assert snapshot(p) == before


def test_accept_is_refused_to_members_and_others(world, web):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    before = snapshot(p)
    assert web(world.member).post(f"/assignments/{a.id}/accept").status_code == 403
    assert web(world.member2).post(f"/assignments/{a.id}/accept").status_code == 404
    assert web(world.secretariat).post(f"/assignments/{a.id}/accept").status_code == 403
    assert web(world.clerk_b).post(f"/assignments/{a.id}/accept").status_code == 404
    assert web(world.clerk_a).get(f"/assignments/{a.id}/accept").status_code == 405
    assert web().post(f"/assignments/{a.id}/accept").status_code in (302, 401)
    assert snapshot(p) == before


def test_a_clerk_cannot_sign_off(world, web):
    p, a, reply = awaiting_signoff(world)
    client = web(world.clerk_a)
    assert f"/replies/{reply.id}/signoff" not in text(client.get(f"/proposals/{p.id}"))
    before = snapshot(p)
    assert client.get(f"/replies/{reply.id}/signoff").status_code == 403
    r = client.post(f"/replies/{reply.id}/signoff", data={"approve": "yes"})
    assert r.status_code == 403 and "没有权限" in text(r)
    assert snapshot(p) == before and reply.state == "awaiting_signoff"


def test_the_head_of_another_unit_and_members_cannot_see_or_sign_a_draft(world, web):
    p, a, reply = awaiting_signoff(world)
    before = snapshot(p)
    for user in (world.head_b, world.member, world.member2):
        client = web(user)
        assert client.get(f"/replies/{reply.id}/signoff").status_code == 404
        assert (
            client.post(f"/replies/{reply.id}/signoff", data={"approve": "yes"}).status_code == 404
        )
    assert (
        web(world.secretariat)
        .post(f"/replies/{reply.id}/signoff", data={"approve": "yes"})
        .status_code
        == 403
    )
    assert snapshot(p) == before


def test_wrong_state_is_409_and_changes_nothing(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    client = web(world.clerk_a)
    before = snapshot(p)
    r = client.post(f"/assignments/{a.id}/accept")  # already accepted
    assert r.status_code == 409
    r = client.post(f"/assignments/{a.id}/reply", data=reply_data())  # no contact yet
    assert r.status_code == 409 and "答复前须至少记录一次办前沟通" in text(r)
    r = client.post(f"/assignments/{a.id}/follow-up", data={"text": "进展", "done": "y"})
    assert r.status_code == 409
    r = client.post(f"/assignments/{a.id}/opinion", data={"text": "意见"})  # a lead unit
    assert r.status_code == 403
    assert snapshot(p) == before


def test_signing_off_twice_is_409(world, web):
    p, a, reply = awaiting_signoff(world)
    head = web(world.head_a)
    assert head.post(f"/replies/{reply.id}/signoff", data={"approve": "yes"}).status_code == 302
    before = snapshot(p)
    assert head.get(f"/replies/{reply.id}/signoff").status_code == 409
    assert head.post(f"/replies/{reply.id}/signoff", data={"approve": "yes"}).status_code == 409
    assert snapshot(p) == before


def test_a_second_extension_request_in_the_round_is_409(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    client = web(world.clerk_a)
    until = (a.reply_due + timedelta(days=10)).isoformat()
    assert (
        client.post(
            f"/assignments/{a.id}/extension-request", data={"until": until, "reason": "原因"}
        ).status_code
        == 302
    )
    before = snapshot(p)
    r = client.post(
        f"/assignments/{a.id}/extension-request", data={"until": until, "reason": "再次申请"}
    )
    assert r.status_code == 409 and "本轮办理已申请过延期" in text(r)
    assert snapshot(p) == before


# --- bad input is shown on its field --------------------------------------------------------------


def test_a_reply_without_text_is_shown_on_the_field(world, web):
    p = flows.handling(world)
    a = contacted(world, p)
    before = snapshot(p)
    r = web(world.clerk_a).post(f"/assignments/{a.id}/reply", data=reply_data(text=""))
    assert r.status_code == 200
    field_error(text(r), "text", "请填写答复正文")
    assert snapshot(p) == before


def test_a_b_reply_without_a_promised_date_is_shown_on_the_field(world, web):
    p = flows.handling(world)
    a = contacted(world, p)
    before = snapshot(p)
    r = web(world.clerk_a).post(f"/assignments/{a.id}/reply", data=reply_data(result="B"))
    assert r.status_code == 200
    page = text(r)
    field_error(page, "promised_date", "请填写承诺完成日期")
    assert (
        '<input checked class="form-check-input" id="result-1" name="result" type="radio" '
        'value="B">' in page
    )
    assert "<h1" in page and "答复提案" in page
    assert snapshot(p) == before


def test_a_reply_without_a_result_is_shown_on_the_field(world, web):
    p = flows.handling(world)
    a = contacted(world, p)
    before = snapshot(p)
    data = reply_data()
    del data["result"]
    r = web(world.clerk_a).post(f"/assignments/{a.id}/reply", data=data)
    assert r.status_code == 200 and "答复结果应为 A、B、C" in text(r)
    assert snapshot(p) == before


def test_a_contact_dated_in_the_future_is_shown_on_the_field(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    before = snapshot(p)
    r = web(world.clerk_a).post(
        f"/assignments/{a.id}/contacts",
        data={
            "mode": "phone",
            "date": (today() + timedelta(days=1)).isoformat(),
            "summary": "电话",
        },
    )
    assert r.status_code == 200
    field_error(text(r), "date", "沟通日期不能晚于今天")
    assert snapshot(p) == before
    r = web(world.clerk_a).post(
        f"/assignments/{a.id}/contacts",
        data={"mode": "pigeon", "date": today().isoformat(), "summary": ""},
    )
    field_error(text(r), "mode", "沟通方式应为")
    field_error(text(r), "summary", "请填写沟通情况")
    assert snapshot(p) == before


def test_an_extension_beyond_six_months_is_shown_on_the_field(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    limit = hops.extension_limit(a)
    before = snapshot(p)
    r = web(world.clerk_a).post(
        f"/assignments/{a.id}/extension-request",
        data={"until": (limit + timedelta(days=1)).isoformat(), "reason": "工程量大"},
    )
    assert r.status_code == 200
    field_error(text(r), "until", "延期不能超过交办后 6 个月")
    assert snapshot(p) == before
    r = web(world.clerk_a).post(
        f"/assignments/{a.id}/extension-request", data={"until": "not-a-date", "reason": ""}
    )
    field_error(text(r), "until", "延期至应为 YYYY-MM-DD 格式的日期")
    field_error(text(r), "reason", "请填写延期理由")
    assert snapshot(p) == before


def test_an_empty_opinion_is_shown_on_the_field(world, web):
    p = flows.handling(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    co = next(a for a in loaded(p, "assignments").assignments if a.role == "co")
    before = snapshot(p)
    r = web(world.clerk_b).post(f"/assignments/{co.id}/opinion", data={"text": ""})
    assert r.status_code == 200
    field_error(text(r), "text", "请填写会办意见")
    assert snapshot(p) == before


# --- the pages around the actions ----------------------------------------------------------------


def test_the_assignment_page_for_the_unit_and_the_secretariat(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    for user in (world.clerk_a, world.head_a, world.secretariat):
        page = web(user).get(f"/assignments/{a.id}")
        assert page.status_code == 200
        body = text(page)
        assert a.effective_due.isoformat() in body and "剩" in body
        assert hops.extension_limit(a).isoformat() in body
    clerk_page = text(web(world.clerk_a).get(f"/assignments/{a.id}"))
    assert f"/assignments/{a.id}/contacts" in clerk_page
    assert f"/assignments/{a.id}/contacts" not in text(
        web(world.secretariat).get(f"/assignments/{a.id}")
    )
    assert web(world.member).get(f"/assignments/{a.id}").status_code == 403
    assert web(world.clerk_b).get(f"/assignments/{a.id}").status_code == 404
    assert web(world.member2).get(f"/assignments/{a.id}").status_code == 404
    assert web(world.clerk_a).get("/assignments/999999").status_code == 404


def test_an_overdue_assignment_shows_the_days_overdue(world, web):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    a.reply_due = today() - timedelta(days=3)
    db.session.commit()
    assert "逾期 3 天" in text(web(world.clerk_a).get(f"/assignments/{a.id}"))


def test_the_proposal_page_shows_the_unit_summary_and_no_buttons_to_others(world, web):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    page = text(web(world.clerk_a).get(f"/proposals/{p.id}"))
    assert 'data-testid="unit-summary"' in page and f'data-testid="unit-actions-{a.id}"' in page
    for user in (world.member, world.secretariat):
        other = text(web(user).get(f"/proposals/{p.id}"))
        assert f"/assignments/{a.id}/accept" not in other
        assert 'data-testid="unit-summary"' not in other


def test_the_reply_form_loads_its_script_from_a_file(world, web):
    p = flows.handling(world)
    a = contacted(world, p)
    page = text(web(world.clerk_a).get(f"/assignments/{a.id}/reply"))
    assert "/static/js/unit.js" in page and "onclick" not in page and "onchange" not in page
    assert web(world.clerk_a).get("/static/js/unit.js").status_code == 200


def test_unit_forms_carry_the_csrf_token_and_a_post_without_it_is_refused(
    world, web, app, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    client = web(world.clerk_a)
    assert 'name="csrf_token"' in text(client.get(f"/proposals/{p.id}"))
    assert 'name="csrf_token"' in text(client.get(f"/assignments/{a.id}/reassignment-request"))
    before = snapshot(p)
    assert client.post(f"/assignments/{a.id}/accept").status_code == 400
    assert (
        client.post(
            f"/assignments/{a.id}/reassignment-request", data={"reason": "不属本单位"}
        ).status_code
        == 400
    )
    assert snapshot(p) == before


@pytest.mark.browser
@pytest.mark.parametrize("size,label", [((1366, 900), "desktop"), ((375, 812), "phone")])
def test_in_chromium_the_promised_date_is_asked_only_for_a_b_reply(world, app, size, label):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from ..chromium import LiveServer, make_driver, quit_driver, require_browser, shot

    require_browser()
    p = flows.handling(world)
    a = contacted(world, p)
    world.clerk_a.set_password("correct-horse-9")
    db.session.commit()
    assignment_id = a.id
    db.session.close()
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            driver.get(server.url + "/login")
            driver.find_element(By.ID, "username").send_keys("clerk_a")
            driver.find_element(By.ID, "password").send_keys("correct-horse-9")
            driver.find_element(By.ID, "submit").click()
            # wait for the login to land before leaving the page (else the next GET races it)
            WebDriverWait(driver, 20).until(
                EC.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=current-user]"))
            )
            driver.get(f"{server.url}/assignments/{assignment_id}/reply")
            date = driver.find_element(By.ID, "promised_date")
            assert not date.is_displayed()
            b = driver.find_element(By.ID, "result-1")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", b)
            b.click()  # B
            assert date.is_displayed() and date.is_enabled()
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= size[0], "the page must not scroll sideways"
            shot(driver, f"unit-reply-form-{label}")
            driver.find_element(By.ID, "result-0").click()  # A
            assert not date.is_displayed()
        finally:
            quit_driver(driver)
