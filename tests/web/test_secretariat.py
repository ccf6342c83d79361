"""The secretariat's pages: review, assignment, key proposals, consultations, reassignment and
extension decisions, reply review, queues; and the proposal page's secretariat panels."""

import re
from datetime import timedelta

import pytest

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Assignment
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry

from .. import flows


def text(resp):
    return resp.get_data(as_text=True)


def history_count(p):
    return db.session.query(HistoryEntry).filter_by(proposal_id=p.id).count()


def snapshot(p):
    """What must not change when an action is refused."""
    db.session.expire_all()
    return (
        p.state,
        p.number,
        p.is_key,
        p.consultation_due,
        history_count(p),
        tuple((a.state, a.extended_to) for a in loaded(p, "assignments").assignments),
        tuple(
            r.state
            for a in loaded(p, "assignments").assignments
            for r in loaded(a, "replies").replies
        ),
    )


def reassignment_requested(world):
    p = flows.assigned(world)
    hops.request_reassignment(
        world.clerk_a, loaded(p, "assignments").assignments[0], "不属于本单位职责"
    )
    db.session.commit()
    return p, loaded(p, "assignments").assignments[0]


def extension_requested(world):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    until = a.reply_due + timedelta(days=30)
    hops.request_extension(
        world.clerk_a, a, {"until": until.isoformat(), "reason": "需要协调多个部门"}
    )
    db.session.commit()
    return p, a, until


def reply_awaiting_review(world):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {"result": "A", "text": "逐条答复如下。", "signer": "局长 王某", "contact": "赵某 0571-1"},
    )
    hops.signoff_reply(world.head_a, reply, {"approve": True})
    db.session.commit()
    return p, reply


def consultation_due(world):
    p, reply = flows.replied(world)
    hops.rate_reply(world.member, reply, {"rating": "unsatisfied", "comment": "没有解决"})
    db.session.commit()
    second = flows.delivered_reply(world, loaded(p, "assignments").assignments[0])
    hops.rate_reply(world.member, second, {"rating": "unsatisfied", "comment": "仍未解决"})
    db.session.commit()
    assert p.consultation_due
    return p


# ---------------------------------------------------------------- review


def test_review_page_offers_the_four_decisions_and_the_managed_reasons(world, web):
    p = flows.submitted(world)
    page = text(web(world.secretariat).get(f"/proposals/{p.id}/review"))
    for word in (
        "立案",
        "不予立案",
        "并案",
        "退回修改",
        "内容空泛、没有具体建议",
        "转为委员来信",
        p.title,
    ):
        assert word in page


def test_every_secretariat_form_carries_the_csrf_token_and_needs_it(world, web, app):
    sub = flows.submitted(world)
    filed = flows.filed(world, title="关于建设口袋公园的建议")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = web(world.secretariat)
        for url in (
            f"/proposals/{sub.id}/review",
            f"/proposals/{filed.id}/assign",
            f"/proposals/{filed.id}/key",
            f"/proposals/{filed.id}",
        ):
            assert 'name="csrf_token"' in text(client.get(url)), url
        before = snapshot(sub)
        r = client.post(f"/proposals/{sub.id}/review", data={"decision": "file"})
        assert r.status_code == 400 and snapshot(sub) == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_file_gets_a_number_and_may_correct_the_category(world, web):
    p = flows.submitted(world)
    r = web(world.secretariat).post(
        f"/proposals/{p.id}/review",
        follow_redirects=True,
        data={"decision": "file", "category": "economy"},
    )
    assert r.status_code == 200 and "已立案" in text(r)
    db.session.expire_all()
    assert p.state == "filed" and p.number == 1 and p.category.code == "economy"


def test_not_file_records_reason_and_disposition(world, web):
    p = flows.submitted(world)
    r = web(world.secretariat).post(
        f"/proposals/{p.id}/review",
        follow_redirects=True,
        data={
            "decision": "not_file",
            "reason_code": "no_suggestion",
            "disposition": "letter",
            "comment": "建议内容不具体",
        },
    )
    assert "已决定不予立案" in text(r)
    db.session.expire_all()
    assert p.state == "not_filed"
    assert loaded(p, "not_filed_reason").not_filed_reason.code == "no_suggestion"
    assert p.not_filed_disposition == "letter"


def test_not_file_without_reason_shows_the_message_and_changes_nothing(world, web):
    p = flows.submitted(world)
    before = snapshot(p)
    r = web(world.secretariat).post(
        f"/proposals/{p.id}/review", data={"decision": "not_file", "disposition": "none"}
    )
    assert r.status_code == 400 and "请选择有效的不予立案理由" in text(r)
    assert snapshot(p) == before


def test_merge_search_without_js_lists_filed_candidates_as_radio_buttons(world, web):
    host = flows.filed(world, title="关于老旧小区加装电梯的建议")
    other = flows.filed(world, title="关于发展夜间经济的建议")
    flows.submitted(world, title="关于老旧小区停车难的建议")  # not filed: no target
    p = flows.submitted(world, title="关于老旧小区电梯改造的建议")
    page = text(web(world.secretariat).get(f"/proposals/{p.id}/review?q=老旧 电梯"))
    assert 'name="merge_into"' in page and f'value="{host.id}"' in page
    assert other.title not in page and "停车难" not in page
    assert re.search(r'<input checked[^>]*value="merge"', page)  # the merge part is open


def test_merge_candidates_json_for_the_script(world, web):
    host = flows.filed(world, title="关于老旧小区加装电梯的建议")
    p = flows.submitted(world, title="关于老旧小区电梯改造的建议")
    r = web(world.secretariat).get(f"/proposals/merge-candidates?q=电梯&exclude={p.id}")
    items = r.get_json()["items"]
    assert [i["id"] for i in items] == [host.id] and items[0]["number"] == "第0001号"
    by_number = web(world.secretariat).get("/proposals/merge-candidates?q=第0001号").get_json()
    assert [i["id"] for i in by_number["items"]] == [host.id]
    assert web(world.member).get("/proposals/merge-candidates?q=电梯").status_code == 403
    assert web(world.clerk_a).get("/proposals/merge-candidates?q=电梯").status_code == 403


def test_merge_into_a_filed_proposal(world, web):
    host = flows.filed(world, title="关于老旧小区加装电梯的建议")
    p = flows.submitted(world, proposer=world.member2, title="关于老旧小区电梯改造的建议")
    r = web(world.secretariat).post(
        f"/proposals/{p.id}/review?q=电梯",
        follow_redirects=True,
        data={"decision": "merge", "merge_into": str(host.id)},
    )
    assert "已并案" in text(r)
    db.session.expire_all()
    assert p.state == "merged" and p.merged_into_id == host.id


def test_merge_without_target_shows_the_message_and_changes_nothing(world, web):
    flows.filed(world, title="关于老旧小区加装电梯的建议")
    p = flows.submitted(world)
    before = snapshot(p)
    r = web(world.secretariat).post(f"/proposals/{p.id}/review?q=电梯", data={"decision": "merge"})
    assert r.status_code == 400 and "请指定并入的已立案提案" in text(r)
    assert "关于老旧小区加装电梯的建议" in text(r)  # the candidates are still offered
    assert snapshot(p) == before


def test_merge_into_a_proposal_not_filed_is_refused(world, web):
    other = flows.submitted(world, title="关于老旧小区停车难的建议")
    p = flows.submitted(world)
    before = snapshot(p)
    r = web(world.secretariat).post(
        f"/proposals/{p.id}/review", data={"decision": "merge", "merge_into": str(other.id)}
    )
    assert r.status_code == 400 and "只能并入一件已立案的提案" in text(r)
    assert snapshot(p) == before


def test_return_needs_a_comment(world, web):
    p = flows.submitted(world)
    before = snapshot(p)
    client = web(world.secretariat)
    r = client.post(f"/proposals/{p.id}/review", data={"decision": "return", "comment": " "})
    assert r.status_code == 400 and "请填写审查意见" in text(r)
    assert snapshot(p) == before
    r = client.post(
        f"/proposals/{p.id}/review",
        follow_redirects=True,
        data={"decision": "return", "comment": "请补充具体建议"},
    )
    assert "已退回提案人修改" in text(r)
    db.session.expire_all()
    assert p.state == "draft" and p.review_comment == "请补充具体建议"


def test_review_without_a_decision_shows_the_message(world, web):
    p = flows.submitted(world)
    before = snapshot(p)
    r = web(world.secretariat).post(f"/proposals/{p.id}/review", data={})
    assert r.status_code == 400 and "审查结论应为" in text(r)
    assert snapshot(p) == before


def test_review_of_a_proposal_already_filed_is_a_conflict(world, web):
    p = flows.filed(world)
    client = web(world.secretariat)
    assert client.get(f"/proposals/{p.id}/review").status_code == 409
    before = snapshot(p)
    assert client.post(f"/proposals/{p.id}/review", data={"decision": "file"}).status_code == 409
    assert snapshot(p) == before


# ---------------------------------------------------------------- assignment


def assign_data(*rows, due=""):
    data = {"due_date": due}
    for i, (code, role) in enumerate(rows):
        data[f"units-{i}-code"], data[f"units-{i}-role"] = code, role
    return data


def test_assign_page_explains_the_three_modes_and_lists_units_by_name(world, web):
    p = flows.filed(world)
    page = text(web(world.secretariat).get(f"/proposals/{p.id}/assign"))
    for word in ("单办", "主办＋会办", "分办", "市住房和城乡建设局", "市财政局", "会办"):
        assert word in page


def test_assign_sole(world, web):
    p = flows.filed(world)
    r = web(world.secretariat).post(
        f"/proposals/{p.id}/assign", follow_redirects=True, data=assign_data(("ZJJ", "lead"))
    )
    assert "已交办" in text(r)
    db.session.expire_all()
    assert p.state == "assigned"
    assert [(a.department.code, a.role) for a in loaded(p, "assignments").assignments] == [
        ("ZJJ", "lead")
    ]


def test_assign_lead_with_co_units_and_a_due_date(world, web):
    p = flows.filed(world)
    due = local_date(utcnow()) + timedelta(days=60)
    web(world.secretariat).post(
        f"/proposals/{p.id}/assign",
        data=assign_data(
            ("ZJJ", "lead"), ("", "lead"), ("CZJ", "co"), ("JYJ", "co"), due=due.isoformat()
        ),
    )
    db.session.expire_all()
    got = sorted(
        (a.department.code, a.role, a.reply_due) for a in loaded(p, "assignments").assignments
    )
    assert got == [("CZJ", "co", due), ("JYJ", "co", due), ("ZJJ", "lead", due)]


def test_assign_split(world, web):
    p = flows.filed(world)
    web(world.secretariat).post(
        f"/proposals/{p.id}/assign", data=assign_data(("ZJJ", "lead"), ("CZJ", "lead"))
    )
    db.session.expire_all()
    assert sorted((a.department.code, a.role) for a in loaded(p, "assignments").assignments) == [
        ("CZJ", "split"),
        ("ZJJ", "split"),
    ]


@pytest.mark.parametrize(
    "rows,due,message",
    [
        ((("ZJJ", "lead"), ("CZJ", "lead"), ("JYJ", "co")), "", "分办时不设会办单位"),
        ((), "", "请至少指定一个承办单位"),
        ((("CZJ", "co"),), "", "须有一个主办单位"),
        ((("ZJJ", "lead"), ("ZJJ", "co")), "", "单位重复"),
        ((("ZJJ", "lead"),), "2000-01-01", "答复期限应在今天之后"),
        ((("ZJJ", "lead"),), "not-a-date", "答复期限应为 YYYY-MM-DD"),
    ],
)
def test_assign_bad_plan_shows_the_message_and_changes_nothing(world, web, rows, due, message):
    p = flows.filed(world)
    before = snapshot(p)
    r = web(world.secretariat).post(f"/proposals/{p.id}/assign", data=assign_data(*rows, due=due))
    assert r.status_code == 400 and message in text(r)
    assert snapshot(p) == before and loaded(p, "assignments").assignments == []


# ---------------------------------------------------------------- key proposals, consultation


def test_mark_and_unmark_a_key_proposal_with_a_supervisor_by_name(world, web):
    p = flows.filed(world)
    client = web(world.secretariat)
    page = text(client.get(f"/proposals/{p.id}/key"))
    assert "督办领导" in page and "李委员" in page
    r = client.post(
        f"/proposals/{p.id}/key", follow_redirects=True, data={"key": "true", "supervisor": "m2"}
    )
    assert "已列为重点提案" in text(r)
    db.session.expire_all()
    assert p.is_key and loaded(p, "supervisor").supervisor.username == "m2"
    r = client.post(f"/proposals/{p.id}/key", follow_redirects=True, data={"key": "false"})
    assert "已取消重点提案" in text(r)
    db.session.expire_all()
    assert not p.is_key and loaded(p, "supervisor").supervisor is None


def test_key_without_a_supervisor_shows_the_message(world, web):
    p = flows.filed(world)
    before = snapshot(p)
    r = web(world.secretariat).post(f"/proposals/{p.id}/key", data={"key": "true"})
    assert r.status_code == 400 and "请指定督办领导" in text(r)
    assert snapshot(p) == before


def test_record_a_consultation_after_the_second_unsatisfied_rating(world, web):
    p = consultation_due(world)
    client = web(world.secretariat)
    assert client.get(f"/proposals/{p.id}/consultation").status_code == 200
    before = snapshot(p)
    r = client.post(f"/proposals/{p.id}/consultation", data={"note": ""})
    assert r.status_code == 400 and "请填写协商情况" in text(r)
    assert snapshot(p) == before
    r = client.post(
        f"/proposals/{p.id}/consultation",
        follow_redirects=True,
        data={"note": "3 月 5 日在委员之家当面协商，提案人表示理解。"},
    )
    assert "已记录当面协商" in text(r)
    db.session.expire_all()
    assert not p.consultation_due and "委员之家" in p.consultation_note


def test_consultation_when_none_is_due_is_a_conflict(world, web):
    p = flows.assigned(world)
    before = snapshot(p)
    r = web(world.secretariat).post(f"/proposals/{p.id}/consultation", data={"note": "x"})
    assert r.status_code == 409 and snapshot(p) == before


# ---------------------------------------------------------------- decisions


def test_approve_a_reassignment_naming_the_new_unit(world, web):
    p, a = reassignment_requested(world)
    client = web(world.secretariat)
    page = text(client.get(f"/assignments/{a.id}/reassignment-decision"))
    assert "不属于本单位职责" in page and "市财政局" in page
    r = client.post(
        f"/assignments/{a.id}/reassignment-decision",
        follow_redirects=True,
        data={"approve": "approve", "department": "CZJ", "comment": ""},
    )
    assert "已同意调整" in text(r)
    db.session.expire_all()
    assert a.state == "reassigned"
    assert [(x.department.code, x.state) for x in loaded(p, "assignments").assignments] == [
        ("ZJJ", "reassigned"),
        ("CZJ", "pending"),
    ]


def test_refuse_a_reassignment(world, web):
    p, a = reassignment_requested(world)
    r = web(world.secretariat).post(
        f"/assignments/{a.id}/reassignment-decision",
        follow_redirects=True,
        data={"approve": "refuse", "comment": "请原单位办理"},
    )
    assert "由原单位办理" in text(r)
    db.session.expire_all()
    assert a.state == "handling" and len(loaded(p, "assignments").assignments) == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"approve": "approve", "department": ""}, "请指定调整后的承办单位"),
        ({"approve": "approve", "department": "ZJJ"}, "该单位已承办此提案"),
        ({"department": "CZJ"}, "请说明是否同意"),
    ],
)
def test_reassignment_decision_bad_input(world, web, data, message):
    p, a = reassignment_requested(world)
    before = snapshot(p)
    r = web(world.secretariat).post(f"/assignments/{a.id}/reassignment-decision", data=data)
    assert r.status_code == 400 and message in text(r)
    assert snapshot(p) == before


def test_reassignment_decision_without_a_request_is_a_conflict(world, web):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    assert (
        web(world.secretariat).get(f"/assignments/{a.id}/reassignment-decision").status_code == 409
    )


def test_extension_decision_shows_the_request_and_the_limit_then_approves(world, web):
    p, a, until = extension_requested(world)
    client = web(world.secretariat)
    page = text(client.get(f"/assignments/{a.id}/extension-decision"))
    limit = hops.extension_limit(a)
    assert until.isoformat() in page and "需要协调多个部门" in page
    assert limit.isoformat() in page and "6 个月" in page
    r = client.post(
        f"/assignments/{a.id}/extension-decision",
        follow_redirects=True,
        data={"approve": "approve", "comment": "同意"},
    )
    assert "已同意延期" in text(r)
    db.session.expire_all()
    assert a.extended_to == until
    assert loaded(a, "extension_requests").extension_requests[0].state == "approved"


def test_extension_refused_and_bad_input(world, web):
    p, a, until = extension_requested(world)
    client = web(world.secretariat)
    before = snapshot(p)
    r = client.post(f"/assignments/{a.id}/extension-decision", data={"comment": "x"})
    assert r.status_code == 400 and "请说明是否同意" in text(r)
    assert snapshot(p) == before
    client.post(f"/assignments/{a.id}/extension-decision", data={"approve": "refuse"})
    db.session.expire_all()
    assert a.extended_to is None
    assert loaded(a, "extension_requests").extension_requests[0].state == "refused"
    # nothing pending any more
    assert client.get(f"/assignments/{a.id}/extension-decision").status_code == 409


def test_review_a_reply_correcting_its_result_code(world, web):
    p, reply = reply_awaiting_review(world)
    client = web(world.secretariat)
    page = text(client.get(f"/replies/{reply.id}/review"))
    assert "逐条答复如下" in page and "局长 王某" in page
    r = client.post(
        f"/replies/{reply.id}/review",
        follow_redirects=True,
        data={"approve": "approve", "result": "C"},
    )
    assert "审核通过并送达" in text(r)
    db.session.expire_all()
    assert reply.state == "delivered" and reply.result == "C"
    assert loaded(p, "assignments").assignments[0].state == "replied"


def test_return_a_reply_needs_a_comment(world, web):
    p, reply = reply_awaiting_review(world)
    client = web(world.secretariat)
    before = snapshot(p)
    r = client.post(f"/replies/{reply.id}/review", data={"approve": "return"})
    assert r.status_code == 400 and "请填写审核意见" in text(r)
    assert snapshot(p) == before
    r = client.post(
        f"/replies/{reply.id}/review",
        follow_redirects=True,
        data={"approve": "return", "comment": "请逐条答复"},
    )
    assert "答复已退回承办单位" in text(r)
    db.session.expire_all()
    assert reply.state == "returned" and reply.return_comment == "请逐条答复"


def test_correcting_to_b_without_a_promised_date_is_refused(world, web):
    p, reply = reply_awaiting_review(world)
    before = snapshot(p)
    r = web(world.secretariat).post(
        f"/replies/{reply.id}/review", data={"approve": "approve", "result": "B"}
    )
    assert r.status_code == 400 and "承诺完成日期" in text(r)
    assert snapshot(p) == before


# ---------------------------------------------------------------- queues and the proposal page


def test_queues_link_to_each_decision_form(world, web):
    submitted = flows.submitted(world, title="关于发展夜间经济的建议")
    filed = flows.filed(world, title="关于建设口袋公园的建议")
    _, a = reassignment_requested(world)
    _, ext, _ = extension_requested(world)
    _, reply = reply_awaiting_review(world)
    page = text(web(world.secretariat).get("/secretariat/queues"))
    assert f"/proposals/{submitted.id}/review" in page
    assert f"/proposals/{filed.id}/assign" in page
    assert f"/assignments/{a.id}/reassignment-decision" in page
    assert f"/assignments/{ext.id}/extension-decision" in page
    assert f"/replies/{reply.id}/review" in page


def test_proposal_page_shows_the_secretariat_buttons_when_allowed(world, web):
    submitted = flows.submitted(world)
    filed = flows.filed(world, title="关于建设口袋公园的建议")
    sec = web(world.secretariat)
    assert f"/proposals/{submitted.id}/review" in text(sec.get(f"/proposals/{submitted.id}"))
    page = text(sec.get(f"/proposals/{filed.id}"))
    assert f"/proposals/{filed.id}/assign" in page and f"/proposals/{filed.id}/key" in page
    assert f"/proposals/{filed.id}/review" not in page
    member = text(web(world.member).get(f"/proposals/{submitted.id}"))
    assert "/review" not in member and 'data-testid="secretariat-actions"' not in member


def test_proposal_page_shows_decisions_inside_assignments_and_replies(world, web):
    p, a = reassignment_requested(world)
    page = text(web(world.secretariat).get(f"/proposals/{p.id}"))
    assert f"/assignments/{a.id}/reassignment-decision" in page
    assert f"/assignments/{a.id}/reassignment-decision" not in text(
        web(world.clerk_a).get(f"/proposals/{p.id}")
    )
    p2, reply = reply_awaiting_review(world)
    assert f"/replies/{reply.id}/review" in text(web(world.secretariat).get(f"/proposals/{p2.id}"))
    assert f"/replies/{reply.id}/review" not in text(web(world.head_a).get(f"/proposals/{p2.id}"))


# ---------------------------------------------------------------- everyone else is refused

OUTSIDERS = ["member", "member2", "clerk_a", "head_a", "clerk_b", "admin"]


def _targets(world):
    """Each secretariat page with a record in the state it acts on and a valid POST body."""
    sub = flows.submitted(world)
    filed = flows.filed(world, title="关于建设口袋公园的建议")
    _, ra = reassignment_requested(world)
    _, ext, _ = extension_requested(world)
    _, reply = reply_awaiting_review(world)
    consult = consultation_due(world)
    return [
        (sub, f"/proposals/{sub.id}/review", {"decision": "file"}),
        (filed, f"/proposals/{filed.id}/assign", assign_data(("ZJJ", "lead"))),
        (filed, f"/proposals/{filed.id}/key", {"key": "true", "supervisor": "m2"}),
        (consult, f"/proposals/{consult.id}/consultation", {"note": "协商"}),
        (
            loaded(ra, "proposal").proposal,
            f"/assignments/{ra.id}/reassignment-decision",
            {"approve": "approve", "department": "CZJ"},
        ),
        (
            loaded(ext, "proposal").proposal,
            f"/assignments/{ext.id}/extension-decision",
            {"approve": "approve"},
        ),
        (
            loaded(loaded(reply, "assignment").assignment, "proposal").proposal,
            f"/replies/{reply.id}/review",
            {"approve": "approve"},
        ),
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_other_roles_get_403_or_404_and_nothing_changes(world, web, who):
    targets = _targets(world)
    client = web(getattr(world, who))
    for record, url, data in targets:
        before = snapshot(record)
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, data=data).status_code in (403, 404), url
        assert snapshot(record) == before, url
    assert client.get("/secretariat/queues").status_code == 403


def test_a_unit_sees_its_own_assignment_but_may_not_decide_on_it(world, web):
    p, a = reassignment_requested(world)
    before = snapshot(p)
    r = web(world.clerk_a).post(
        f"/assignments/{a.id}/reassignment-decision", data={"approve": "refuse"}
    )
    assert r.status_code == 403 and snapshot(p) == before
    assert (
        web(world.clerk_b)
        .post(f"/assignments/{a.id}/reassignment-decision", data={"approve": "refuse"})
        .status_code
        == 404
    )


def test_pages_need_a_login(world, web):
    p = flows.submitted(world)
    r = web().get(f"/proposals/{p.id}/review")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert web().post(f"/proposals/{p.id}/review", data={"decision": "file"}).status_code == 302
    db.session.expire_all()
    assert p.state == "submitted"


def test_no_such_records_are_404(world, web):
    client = web(world.secretariat)
    for url in (
        "/proposals/999/review",
        "/proposals/999/assign",
        "/assignments/999/reassignment-decision",
        "/assignments/999/extension-decision",
        "/replies/999/review",
    ):
        assert client.get(url).status_code == 404
    assert db.session.query(Assignment).count() == 0
