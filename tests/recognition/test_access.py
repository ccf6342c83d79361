"""The API and the page of year-end recognition: only the secretariat reads, nominates and
decides; the API answers in its usual shapes, and nothing changes on any refusal."""

import pytest
from sqlalchemy import select

from proposals.extensions import db
from proposals.recognition.models import Recognition
from proposals.workflow.models import Proposal

from .helpers import Year, changes, fingerprint, history_of, nominations


@pytest.fixture()
def year(world):
    return Year(world)


OTHERS = ["member", "org", "clerk_a", "head_a", "admin"]


def body(y, **kw):
    return {
        "year": y.year,
        "kind": "proposal",
        "proposal_id": y.handled.id,
        "reason": "调研深入",
        **kw,
    }


# ---------------------------------------------------------------- the API


def test_the_secretariat_nominates_decides_and_lists(year, world, api):
    sec = api(world.secretariat)
    resp = sec.post("/recognitions", json=body(year))
    assert resp.status_code == 201, resp.get_json()
    made = resp.get_json()
    assert made["state"] == "nominated" and made["kind"] == "proposal"
    assert made["proposal"]["id"] == year.handled.id
    assert made["proposal"]["number_label"] == "第0001号"
    assert made["proposal"]["proposer_name"] == "张委员"
    assert made["nominated_by"] == "sec" and made["nominated_at"].endswith("+08:00")
    assert made["decided_at"] is None and made["decided_by"] is None

    unit = sec.post(
        "/recognitions",
        json={"year": year.year, "kind": "department", "department": "CZJ", "reason": "办理认真"},
    )
    assert unit.status_code == 201 and unit.get_json()["department_name"] == "市财政局"

    resp = sec.post(f"/recognitions/{made['id']}/decision", json={"award": True, "comment": "同意"})
    assert resp.status_code == 200, resp.get_json()
    decided = resp.get_json()
    assert (decided["state"], decided["decided_by"], decided["decision_comment"]) == (
        "awarded",
        "sec",
        "同意",
    )
    assert decided["decided_at"].endswith("+08:00")
    assert db.session.get(Proposal, year.handled.id).is_excellent is True

    listed = sec.get(f"/recognitions?year={year.year}").get_json()
    assert listed["total"] == 2 and listed["page"] == 1
    assert [(i["kind"], i["state"]) for i in listed["items"]] == [
        ("proposal", "awarded"),
        ("department", "nominated"),
    ]
    assert sec.get(f"/recognitions?year={year.year - 1}").get_json()["total"] == 0
    assert sec.get("/recognitions").get_json()["total"] == 2  # this year by default


def test_a_decision_is_taken_once(year, world, api):
    sec = api(world.secretariat)
    r = year.nominate(year.handled)
    assert sec.post(f"/recognitions/{r.id}/decision", json={"award": False}).status_code == 200
    before = fingerprint()
    again = sec.post(f"/recognitions/{r.id}/decision", json={"award": True})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"
    assert "不能再次决定" in again.get_json()["error"]["message"]
    assert changes(before) == {}


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"year": "2026"}, "year"),
        ({"year": 10**20}, "year"),
        ({"kind": "unit"}, "kind"),
        ({"proposal_id": "1"}, "proposal_id"),
        ({"proposal_id": 0}, "proposal_id"),
        ({"reason": ""}, "reason"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_nominations_are_400_naming_the_field(year, world, api, sent, field):
    sec = api(world.secretariat)
    before = fingerprint()
    resp = sec.post("/recognitions", json=body(year, **sent))
    assert resp.status_code == 400, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    assert changes(before) == {}


def test_a_second_nomination_is_refused_clearly(year, world, api):
    sec = api(world.secretariat)
    assert sec.post("/recognitions", json=body(year)).status_code == 201
    before = fingerprint()
    resp = sec.post("/recognitions", json=body(year, reason="再次提名"))
    assert resp.status_code == 400
    assert "不能重复提名" in resp.get_json()["error"]["fields"]["proposal_id"]
    assert changes(before) == {}


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_else_reads_nominates_or_decides(year, world, api, who):
    r = year.nominate(year.handled)
    client = api(getattr(world, who))
    before = fingerprint()
    assert client.get("/recognitions").status_code == 403
    assert (
        client.post("/recognitions", json=body(year, proposal_id=year.filed.id)).status_code == 403
    )
    resp = client.post(f"/recognitions/{r.id}/decision", json={"award": True})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert changes(before) == {}
    assert db.session.get(Recognition, r.id).state == "nominated"


def test_without_a_token_the_api_answers_401(year, api):
    anon = api()
    assert anon.get("/recognitions").status_code == 401
    assert anon.post("/recognitions", json=body(year)).status_code == 401
    assert nominations() == 0


def test_an_unknown_nomination_is_404(world, api):
    sec = api(world.secretariat)
    for ident in (12345, 2**31, 10**30):
        resp = sec.post(f"/recognitions/{ident}/decision", json={"award": True})
        assert resp.status_code == 404, ident
        assert resp.get_json()["error"]["code"] == "not_found"


def test_a_bad_year_in_the_list_is_400(world, api):
    sec = api(world.secretariat)
    for bad in ("abc", "1899", "99999", str(10**30)):
        resp = sec.get(f"/recognitions?year={bad}")
        assert resp.status_code == 400 and "year" in resp.get_json()["error"]["fields"], bad


# ---------------------------------------------------------------- the page


def page_of(client, year):
    resp = client.get(f"/secretariat/recognition?year={year}")
    return resp, resp.get_data(as_text=True)


def test_the_page_nominates_by_number_and_decides(year, world, web):
    sec = web(world.secretariat)
    resp, html = page_of(sec, year.year)
    assert resp.status_code == 200
    assert "本年度还没有提名优秀提案" in html
    assert 'value="WGLJ"' not in html and 'value="ZJJ"' in html  # units that may be nominated

    resp = sec.post(
        "/secretariat/recognition",
        data={"year": str(year.year), "kind": "proposal", "number": "第0002号", "reason": "好建议"},
    )
    assert resp.status_code == 302
    r = db.session.scalars(select(Recognition)).one()
    assert r.proposal_id == year.second.id and r.reason == "好建议"
    assert f"#recognition-{r.id}" in resp.headers["Location"]

    resp = sec.post(
        "/secretariat/recognition",
        data={"year": str(year.year), "kind": "department", "department": "JYJ", "reason": "认真"},
    )
    assert resp.status_code == 302 and nominations() == 2

    _resp, html = page_of(sec, year.year)
    assert "关于推进垃圾分类的建议" in html and "市教育局" in html
    assert html.count('data-testid="decision-form"') == 2
    assert 'value="JYJ"' not in html  # nominated already: no longer offered

    resp = sec.post(
        f"/secretariat/recognition/{r.id}/decision", data={"decision": "award", "comment": "同意"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Recognition, r.id).state == "awarded"
    assert history_of(year.second)[-1] == "award_excellent"
    shown = sec.get(f"/proposals/{year.second.id}").get_data(as_text=True)
    assert 'data-testid="excellent-badge"' in shown
    assert "评为优秀提案" in shown  # the history entry's label

    again = sec.post(f"/secretariat/recognition/{r.id}/decision", data={"decision": "decline"})
    assert again.status_code == 409
    assert db.session.get(Recognition, r.id).state == "awarded"


def test_a_bad_nomination_on_the_page_shows_why_and_changes_nothing(year, world, web):
    sec = web(world.secretariat)
    before = fingerprint()
    resp = sec.post(
        "/secretariat/recognition",
        data={
            "year": str(year.year),
            "kind": "proposal",
            "proposal_id": str(year.submitted.id),
            "reason": "理由",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "未立案" in html  # only submitted
    resp = sec.post(
        "/secretariat/recognition",
        data={"year": str(year.year), "kind": "proposal", "number": "第9号", "reason": "理由"},
    )
    assert resp.status_code == 400 and "没有第0009号提案" in resp.get_data(as_text=True)
    resp = sec.post(
        "/secretariat/recognition",
        data={"year": str(year.year), "kind": "department", "department": "WGLJ", "reason": "x"},
    )
    assert resp.status_code == 400 and "没有签收办理过提案" in resp.get_data(as_text=True)
    resp = sec.post(
        "/secretariat/recognition",
        data={"year": "1800", "kind": "proposal", "number": "1", "reason": "理由"},
    )
    assert resp.status_code == 400 and "年度应为" in resp.get_data(as_text=True)
    r = year.nominate(year.handled)
    before = fingerprint()
    resp = sec.post(f"/secretariat/recognition/{r.id}/decision", data={"comment": "没选"})
    assert resp.status_code == 302  # back to the page, with the message
    assert "请选择评定或不评定" in sec.get(resp.headers["Location"]).get_data(as_text=True)
    assert changes(before) == {}


@pytest.mark.parametrize("who", OTHERS)
def test_the_page_is_the_secretariats(year, world, web, who):
    r = year.nominate(year.handled)
    client = web(getattr(world, who))
    before = fingerprint()
    assert client.get("/secretariat/recognition").status_code == 403
    resp = client.post(
        "/secretariat/recognition",
        data={"year": str(year.year), "kind": "proposal", "number": "2", "reason": "理由"},
    )
    assert resp.status_code == 403
    resp = client.post(f"/secretariat/recognition/{r.id}/decision", data={"decision": "award"})
    assert resp.status_code == 403
    assert changes(before) == {}
    assert "/secretariat/recognition" not in client.get("/").get_data(as_text=True)


def test_the_secretariat_finds_the_page_in_its_navigation(world, web):
    html = web(world.secretariat).get("/").get_data(as_text=True)
    assert 'href="/secretariat/recognition"' in html


def test_a_bad_year_on_the_page_is_explained(world, web):
    resp = web(world.secretariat).get("/secretariat/recognition?year=abc")
    assert resp.status_code == 400
    assert 'data-testid="year-error"' in resp.get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_log_in(world, web):
    resp = web().get("/secretariat/recognition")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_proposer_sees_the_award_but_not_the_deliberation(year, world, web):
    r = year.nominate(year.handled, reason="内部推荐意见甲")
    year.decide(r, True, "内部评定意见乙")
    for who in (world.member, world.clerk_a):
        html = web(who).get(f"/proposals/{year.handled.id}").get_data(as_text=True)
        assert 'data-testid="excellent-badge"' in html
        assert "提名优秀提案" in html and "评为优秀提案" in html
        assert "内部推荐意见甲" not in html and "内部评定意见乙" not in html
