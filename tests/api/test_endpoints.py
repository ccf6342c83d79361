"""Every endpoint of docs/api.md that exists, on its success path: status, the record's `state` and
the fields the contract names. Refusals are in test_api_refusals.py."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import add_months, load_calendar, local_date, utcnow
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry

from .. import flows


def ok(resp, status=200):
    assert resp.status_code == status, (resp.status_code, resp.get_json())
    return resp.get_json()


def today():
    return local_date(utcnow())


def reply_body(result="A", **kw):
    body = {
        "result": result,
        "text": "答复正文：逐条答复如下。",
        "signer": "局长 王某",
        "contact": "赵某 0571-88888888",
    }
    if result == "B":
        body["promised_date"] = (today() + timedelta(days=200)).isoformat()
    body.update(kw)
    return body


def set_setting(key, value):
    committee_settings.set_value(key, value)
    db.session.commit()


def actions_of(proposal_json):
    return [h["action"] for h in proposal_json["history"]]


# --- auth and reference data --------------------------------------------------------------------


def test_token_is_issued_for_the_right_password_and_authenticates_later_calls(world, api):
    world.member.set_password("正确的密码-123")
    db.session.commit()
    anon = api()
    body = ok(anon.post("/auth/token", {"username": "m1", "password": "正确的密码-123"}))
    assert body["token"] and body["user"]["username"] == "m1"
    assert body["user"]["role"] == "member"
    anon.token = body["token"]
    assert ok(anon.get("/me"))["username"] == "m1"


def test_wrong_password_or_unknown_user_gets_401_and_no_token(world, api):
    world.member.set_password("正确的密码-123")
    db.session.commit()
    anon = api()
    for creds in (
        {"username": "m1", "password": "wrong"},
        {"username": "nobody", "password": "正确的密码-123"},
    ):
        r = anon.post("/auth/token", creds)
        assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"
        assert "token" not in r.json


def test_inactive_user_gets_no_token(world, api):
    world.member.set_password("正确的密码-123")
    world.member.active = False
    db.session.commit()
    r = api().post("/auth/token", {"username": "m1", "password": "正确的密码-123"})
    assert r.status_code == 401


def test_revoked_token_gets_401_but_other_tokens_keep_working(world, api):
    client, other = api(world.member), api(world.member)
    assert ok(client.get("/me"))["username"] == "m1"
    r = client.delete("/auth/token")
    assert r.status_code == 204
    r = client.get("/me")
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"
    assert ok(other.get("/me"))["username"] == "m1"


@pytest.mark.parametrize(
    "who,expected",
    [
        (
            "member",
            {
                "username": "m1",
                "name": "张委员",
                "role": "member",
                "department": None,
                "kind": "individual",
            },
        ),
        (
            "org",
            {"username": "org1", "role": "member", "kind": "organisation", "org_type": "party"},
        ),
        ("clerk_a", {"username": "clerk_a", "role": "clerk", "department": "ZJJ", "kind": "clerk"}),
        ("head_b", {"username": "head_b", "role": "department_head", "department": "CZJ"}),
        ("secretariat", {"username": "sec", "role": "secretariat", "department": None}),
    ],
)
def test_me_names_the_user_role_department_and_kind(world, api, who, expected):
    body = ok(api(getattr(world, who)).get("/me"))
    for key, value in expected.items():
        assert body[key] == value, key


def test_reference_lists_departments_categories_sessions_and_not_filed_reasons(world, api):
    client = api(world.clerk_a)
    assert ok(client.get("/departments")) == [
        {"code": "CZJ", "name": "市财政局"},
        {"code": "JYJ", "name": "市教育局"},
        {"code": "ZJJ", "name": "市住房和城乡建设局"},
    ]
    categories = ok(client.get("/categories"))
    assert [c["code"] for c in categories] == [
        "economy",
        "politics",
        "culture",
        "society",
        "ecology",
    ]
    assert categories[0]["name"] == "经济建设"
    sessions = ok(client.get("/sessions"))
    assert len(sessions) == 1
    assert sessions[0]["id"] == world.session.id and sessions[0]["current"] is True
    assert sessions[0]["year"] == world.session.year
    assert sessions[0]["label"].startswith("第十届第") and sessions[0]["label"].endswith("次会议")
    reasons = ok(client.get("/not-filed-reasons"))
    assert len(reasons) == 12 and {"no_suggestion", "out_of_remit", "other"} <= {
        r["code"] for r in reasons
    }
    assert all(set(r) == {"code", "name"} for r in reasons)


def test_an_inactive_department_is_not_listed(world, api):
    world.unit_c.active = False
    db.session.commit()
    codes = [d["code"] for d in ok(api(world.member).get("/departments"))]
    assert codes == ["CZJ", "ZJJ"]


# --- proposals: drafting, submission, co-signing, withdrawal ------------------------------------


def test_member_creates_a_draft_with_cosigners_and_suggested_units(world, api):
    body = ok(
        api(world.member).post(
            "/proposals", world.content(cosigners=["m2"], suggested_departments=["ZJJ", "CZJ"])
        ),
        201,
    )
    assert body["state"] == "draft" and body["id"]
    assert body["title"] == "关于加快老旧小区改造的建议" and body["category"] == "society"
    assert body["kind"] == "individual" and body["proposer"] == "m1"
    assert body["number"] is None and body["receipt_serial"] is None
    assert body["suggested_departments"] == ["CZJ", "ZJJ"]
    assert [(c["username"], c["state"]) for c in body["proposers"]["cosigners"]] == [
        ("m2", "invited")
    ]
    assert body["session"] == world.session.id
    assert actions_of(body) == ["create"]


def test_organisation_account_creates_a_collective_proposal(world, api):
    body = ok(api(world.org).post("/proposals", world.content()), 201)
    assert body["kind"] == "collective" and body["state"] == "draft"


def test_first_proposer_edits_a_draft(world, api):
    p = flows.draft(world)
    version = p.version
    body = ok(
        api(world.member).patch(
            f"/proposals/{p.id}",
            {
                "title": "关于推进老旧小区加装电梯的建议",
                "category": "economy",
                "suggested_departments": ["JYJ"],
            },
        )
    )
    assert body["state"] == "draft"
    assert body["title"] == "关于推进老旧小区加装电梯的建议" and body["category"] == "economy"
    assert body["suggested_departments"] == ["JYJ"]
    assert body["version"] == version + 1
    assert actions_of(body) == ["create", "edit"]


def test_editing_cosigners_replaces_the_invitation_list(world, api):
    p = flows.draft(world, cosigners=[world.member2])
    body = ok(api(world.member).patch(f"/proposals/{p.id}", {"cosigners": ["m3"]}))
    assert [c["username"] for c in body["proposers"]["cosigners"]] == ["m3"]


def test_submitting_an_individual_draft_makes_it_submitted_with_a_receipt_serial(world, api):
    p = flows.draft(world)
    body = ok(api(world.member).post(f"/proposals/{p.id}/submit"))
    assert body["state"] == "submitted" and body["receipt_serial"] == 1
    assert body["submitted_at"] and body["is_plenary"] in (True, False)
    assert body["number"] is None
    assert body["history"][-1]["from_state"] == "draft"
    assert body["history"][-1]["to_state"] == "submitted"


def test_submitting_with_cosigners_waits_for_them_with_an_expiry_date(world, api):
    p = flows.draft(world, cosigners=[world.member2, world.member3])
    body = ok(api(world.member).post(f"/proposals/{p.id}/submit"))
    assert body["state"] == "awaiting_cosigners" and body["receipt_serial"] is None
    expected = load_calendar().add_working_days(today(), 5).isoformat()
    assert [(c["state"], c["expires_on"]) for c in body["proposers"]["cosigners"]] == [
        ("invited", expected),
        ("invited", expected),
    ]


def test_cosigners_confirming_make_a_joint_proposal_once_all_have_answered(world, api):
    p = flows.draft(world, cosigners=[world.member2, world.member3])
    ok(api(world.member).post(f"/proposals/{p.id}/submit"))
    body = ok(api(world.member2).post(f"/proposals/{p.id}/cosign", {"accept": True}))
    assert body["state"] == "awaiting_cosigners"
    body = ok(api(world.member3).post(f"/proposals/{p.id}/cosign", {"accept": False}))
    assert body["state"] == "submitted" and body["kind"] == "joint"
    assert body["receipt_serial"] == 1
    assert [c["state"] for c in body["proposers"]["cosigners"]] == ["accepted", "declined"]
    assert actions_of(body)[-2:] == ["cosign_accept", "cosign_decline"]


def test_when_every_cosigner_declines_the_proposal_is_submitted_as_individual(world, api):
    p = flows.draft(world, cosigners=[world.member2])
    ok(api(world.member).post(f"/proposals/{p.id}/submit"))
    body = ok(api(world.member2).post(f"/proposals/{p.id}/cosign", {"accept": False}))
    assert body["state"] == "submitted" and body["kind"] == "individual"


def test_first_proposer_withdraws_a_submitted_proposal_with_a_reason(world, api):
    p = flows.submitted(world)
    body = ok(api(world.member).post(f"/proposals/{p.id}/withdraw", {"reason": "已另行反映"}))
    assert body["state"] == "withdrawn" and body["withdraw_reason"] == "已另行反映"
    assert body["number"] is None
    assert body["history"][-1]["comment"] == "已另行反映"


def test_withdrawing_while_awaiting_cosigners_closes_the_invitations_and_counts_as_received(
    world, api
):
    p = flows.draft(world, cosigners=[world.member2])
    ok(api(world.member).post(f"/proposals/{p.id}/submit"))
    body = ok(api(world.member).post(f"/proposals/{p.id}/withdraw", {"reason": "撤回"}))
    assert body["state"] == "withdrawn"
    assert body["proposers"]["cosigners"][0]["state"] == "expired"
    assert body["receipt_serial"] == 1 and body["submitted_at"]


# --- review (立案审查) ------------------------------------------------------------------------


def test_filing_gives_the_next_number_and_may_correct_the_category(world, api):
    p = flows.submitted(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/review", {"decision": "file", "category": "economy"}
        )
    )
    assert body["state"] == "filed" and body["number"] == 1
    assert body["number_label"] == "第0001号" and body["category"] == "economy"
    assert body["filed_at"]
    p2 = flows.submitted(world, title="关于第二件事的建议")
    body = ok(api(world.secretariat).post(f"/proposals/{p2.id}/review", {"decision": "file"}))
    assert body["number"] == 2 and body["category"] == "society"


def test_not_filing_records_the_reason_code_and_disposition(world, api):
    p = flows.submitted(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/review",
            {
                "decision": "not_file",
                "reason_code": "personal",
                "disposition": "letter",
                "comment": "属个人诉求，转委员来信办理",
            },
        )
    )
    assert body["state"] == "not_filed" and body["number"] is None
    assert body["not_filed_reason"] == "personal" and body["not_filed_reason_name"]
    assert body["disposition"] == "letter"
    assert body["review_comment"] == "属个人诉求，转委员来信办理"
    # the proposer is told why
    mine = ok(api(world.member).get(f"/proposals/{p.id}"))
    assert mine["not_filed_reason"] == "personal" and mine["disposition"] == "letter"


def test_not_filing_without_a_disposition_means_none(world, api):
    p = flows.submitted(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/review", {"decision": "not_file", "reason_code": "other"}
        )
    )
    assert body["disposition"] == "none"


def test_merging_into_a_filed_proposal_links_both_and_lets_the_merged_proposer_see_the_host(
    world, api
):
    host = flows.filed(world)
    p = flows.submitted(world, proposer=world.member2, title="关于老旧小区改造的再建议")
    sec = api(world.secretariat)
    body = ok(sec.post(f"/proposals/{p.id}/review", {"decision": "merge", "merge_into": host.id}))
    assert body["state"] == "merged" and body["merged_into"] == host.id
    assert body["number"] is None
    host_json = ok(api(world.member2).get(f"/proposals/{host.id}"))
    assert [m["id"] for m in host_json["merged"]] == [p.id]
    assert host_json["history"][-1]["action"] == "absorb"


def test_returning_for_revision_sends_it_back_to_draft_with_the_comment(world, api):
    p = flows.submitted(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/review", {"decision": "return", "comment": "请补充具体建议"}
        )
    )
    assert body["state"] == "draft" and body["review_comment"] == "请补充具体建议"
    member = api(world.member)
    assert ok(member.get(f"/proposals/{p.id}"))["review_comment"] == "请补充具体建议"
    ok(
        member.patch(
            f"/proposals/{p.id}", {"suggestions": "补充后的具体建议：" + "完善机制。" * 30}
        )
    )
    body = ok(member.post(f"/proposals/{p.id}/submit"))
    assert body["state"] == "submitted" and body["receipt_serial"] == 1  # serial kept


# --- assignment (交办) and key proposals ----------------------------------------------------


def test_assigning_to_one_lead_unit_is_sole_handling_with_its_deadlines(world, api):
    p = flows.filed(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/assign", {"departments": [{"code": "ZJJ", "role": "lead"}]}
        )
    )
    assert body["state"] == "assigned"
    [a] = body["assignments"]
    cal, t = load_calendar(), today()
    assert (a["department"], a["role"], a["state"]) == ("ZJJ", "lead", "pending")
    assert a["proposal_id"] == p.id
    assert a["accept_due"] == cal.add_working_days(t, 5).isoformat()
    assert a["contact_due"] == cal.add_working_days(t, 15).isoformat()
    assert a["reply_due"] == add_months(t, 3).isoformat()
    assert a["opinion_due"] is None and a["extended_to"] is None


def test_assigning_a_lead_with_co_units_gives_the_co_units_an_opinion_due_date(world, api):
    p = flows.filed(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/assign",
            {
                "departments": [
                    {"code": "ZJJ", "role": "lead"},
                    {"code": "CZJ", "role": "co"},
                    {"code": "JYJ", "role": "co"},
                ]
            },
        )
    )
    roles = [(a["department"], a["role"], a["opinion_due"]) for a in body["assignments"]]
    month = add_months(today(), 1).isoformat()
    assert roles == [("ZJJ", "lead", None), ("CZJ", "co", month), ("JYJ", "co", month)]


def test_assigning_several_leads_is_split_handling(world, api):
    p = flows.filed(world)
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/assign",
            {"departments": [{"code": "ZJJ", "role": "lead"}, {"code": "CZJ", "role": "lead"}]},
        )
    )
    assert [(a["department"], a["role"]) for a in body["assignments"]] == [
        ("ZJJ", "split"),
        ("CZJ", "split"),
    ]
    assert all(a["opinion_due"] is None for a in body["assignments"])


def test_assigning_with_a_due_date_sets_the_reply_deadline(world, api):
    p = flows.filed(world)
    due = (today() + timedelta(days=45)).isoformat()
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/assign",
            {"departments": [{"code": "ZJJ", "role": "lead"}], "due_date": due},
        )
    )
    assert body["assignments"][0]["reply_due"] == due
    assert body["assignments"][0]["due"] == due


def test_secretariat_marks_and_unmarks_a_key_proposal_with_its_supervisor(world, api):
    world.make.user("secretariat", username="leader", name="督办领导甲")
    db.session.commit()
    p = flows.filed(world)
    sec = api(world.secretariat)
    body = ok(sec.post(f"/proposals/{p.id}/key", {"key": True, "supervisor": "leader"}))
    assert body["is_key"] is True and body["supervisor"]["username"] == "leader"
    assert body["state"] == "filed"
    body = ok(sec.post(f"/proposals/{p.id}/key", {"key": False}))
    assert body["is_key"] is False and body["supervisor"] is None
    assert actions_of(body)[-2:] == ["mark_key", "unmark_key"]


# --- lists and detail ---------------------------------------------------------------------------


@pytest.fixture()
def catalogue(world):
    """Proposals in several states, categories, units and flags."""
    out = {
        "draft": flows.draft(world, title="关于草稿的建议"),
        "submitted": flows.submitted(world, title="关于公交线路优化的建议", category="economy"),
        "assigned_a": flows.assigned(world, title="关于老旧小区加装电梯的建议"),
        "assigned_b": flows.assigned(
            world,
            plan=[(world.unit_b, "lead")],
            title="关于财政预算公开的建议",
            category="politics",
        ),
        "filed": flows.filed(world, title="关于校园安全的建议", category="culture"),
    }
    out["filed"].is_key = True
    db.session.commit()
    return out


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ["submitted", "assigned_a", "assigned_b", "filed"]),
        ("?state=assigned", ["assigned_a", "assigned_b"]),
        ("?state=filed", ["filed"]),
        ("?category=economy", ["submitted"]),
        ("?department=CZJ", ["assigned_b"]),
        ("?key=true", ["filed"]),
        ("?key=false", ["submitted", "assigned_a", "assigned_b"]),
        ("?q=电梯", ["assigned_a"]),
        ("?q=100%25", []),
        ("?state=assigned&department=ZJJ", ["assigned_a"]),
    ],
)
def test_proposal_list_filters(world, api, catalogue, query, expected):
    body = ok(
        api(world.secretariat).get("/proposals" + query + ("&" if query else "?") + "per_page=100")
    )
    assert sorted(i["id"] for i in body["items"]) == sorted(catalogue[k].id for k in expected)
    assert body["total"] == len(expected)


def test_proposal_list_filters_by_year_and_session(world, api, catalogue):
    sec = api(world.secretariat)
    year, sid = world.session.year, world.session.id
    assert ok(sec.get(f"/proposals?year={year}"))["total"] == 4
    assert ok(sec.get(f"/proposals?year={year - 1}"))["total"] == 0
    assert ok(sec.get(f"/proposals?session={sid}"))["total"] == 4
    assert ok(sec.get(f"/proposals?session={sid + 100}"))["total"] == 0


def test_proposal_list_paginates_with_total_page_and_per_page(world, api, catalogue):
    sec = api(world.secretariat)
    first = ok(sec.get("/proposals?per_page=3&page=1"))
    second = ok(sec.get("/proposals?per_page=3&page=2"))
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 3)
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert second["page"] == 2
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 4
    assert ok(sec.get("/proposals"))["per_page"] == 20
    assert ok(sec.get("/proposals?per_page=100"))["per_page"] == 100
    assert ok(sec.get("/proposals?per_page=3&page=9"))["items"] == []


def test_proposal_list_items_carry_id_state_number_and_title(world, api, catalogue):
    items = ok(api(world.secretariat).get("/proposals?state=filed"))["items"]
    assert items[0]["id"] == catalogue["filed"].id and items[0]["state"] == "filed"
    assert items[0]["number"] and items[0]["title"] == "关于校园安全的建议"


def test_proposal_detail_has_number_kind_proposers_assignments_replies_ratings_history(world, api):
    p, reply = flows.replied(world, cosigners=[world.member2])
    ok(api(world.member).post(f"/replies/{reply.id}/rating", {"rating": "satisfied"}))
    body = ok(api(world.member2).get(f"/proposals/{p.id}"))
    assert body["number"] == 1 and body["state"] == "closed" and body["kind"] == "joint"
    assert body["proposers"]["first"]["username"] == "m1"
    assert [c["username"] for c in body["proposers"]["cosigners"]] == ["m2"]
    assert [a["department"] for a in body["assignments"]] == ["ZJJ"]
    assert [r["id"] for r in body["replies"]] == [reply.id]
    assert [(r["rater"], r["rating"]) for r in body["ratings"]] == [("m1", "satisfied")]
    history = body["history"]
    assert history[0]["action"] == "create" and history[-1]["action"] == "close"
    assert all(
        {"action", "actor", "from_state", "to_state", "comment", "created_at"} <= set(h)
        for h in history
    )
    assert history[0]["created_at"].endswith("+08:00")  # shown in Asia/Shanghai


# --- assignments --------------------------------------------------------------------------------


def test_assignment_list_is_scoped_to_the_unit_and_complete_for_the_secretariat(world, api):
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    other = flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于财政的建议")
    mine = ok(api(world.clerk_a).get("/assignments"))
    assert [(i["proposal_id"], i["department"]) for i in mine["items"]] == [(p.id, "ZJJ")]
    b = ok(api(world.head_b).get("/assignments"))
    assert sorted((i["proposal_id"], i["role"]) for i in b["items"]) == sorted(
        [(p.id, "co"), (other.id, "lead")]
    )
    everything = ok(api(world.secretariat).get("/assignments"))
    assert everything["total"] == 3
    assert ok(api(world.clerk_c).get("/assignments"))["total"] == 0
    assert ok(api(world.member).get("/assignments"))["total"] == 0


def test_assignment_list_filters_by_state(world, api):
    flows.handling(world)
    flows.assigned(world, title="关于另一件事的建议")
    sec = api(world.secretariat)
    assert [i["state"] for i in ok(sec.get("/assignments?state=handling"))["items"]] == ["handling"]
    assert [i["state"] for i in ok(sec.get("/assignments?state=pending"))["items"]] == ["pending"]


def test_assignment_list_overdue_filter_uses_the_extended_deadline(world, api):
    late = loaded(flows.handling(world, title="关于逾期的建议"), "assignments").assignments[0]
    extended = loaded(flows.handling(world, title="关于已延期的建议"), "assignments").assignments[0]
    on_time = loaded(flows.handling(world, title="关于按期的建议"), "assignments").assignments[0]
    past = today() - timedelta(days=1)
    late.reply_due = past
    extended.reply_due, extended.extended_to = past, today() + timedelta(days=10)
    db.session.commit()
    clerk = api(world.clerk_a)
    overdue = ok(clerk.get("/assignments?overdue=true"))["items"]
    assert [i["id"] for i in overdue] == [late.id] and overdue[0]["overdue"] is True
    not_overdue = ok(clerk.get("/assignments?overdue=false"))["items"]
    assert sorted(i["id"] for i in not_overdue) == sorted([extended.id, on_time.id])


def test_unit_accepts_its_assignment(world, api):
    a = loaded(flows.assigned(world), "assignments").assignments[0]
    body = ok(api(world.clerk_a).post(f"/assignments/{a.id}/accept"))
    assert body["state"] == "handling" and body["accepted_at"] and body["id"] == a.id
    assert body["proposal_id"] == a.proposal_id and body["department"] == "ZJJ"


def test_department_head_may_accept_too(world, api):
    a = loaded(flows.assigned(world), "assignments").assignments[0]
    assert ok(api(world.head_a).post(f"/assignments/{a.id}/accept"))["state"] == "handling"


def test_unit_asks_for_reassignment_within_the_window(world, api):
    a = loaded(flows.assigned(world), "assignments").assignments[0]
    body = ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/reassignment-request", {"reason": "不属于本单位职责"}
        )
    )
    assert body["state"] == "reassignment_requested"
    assert body["reassignment_reason"] == "不属于本单位职责"


def test_approved_reassignment_ends_the_old_assignment_and_creates_one_for_the_new_unit(world, api):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/reassignment-request", {"reason": "非本单位职责"}
        )
    )
    body = ok(
        api(world.secretariat).post(
            f"/assignments/{a.id}/reassignment-decision",
            {"approve": True, "department": "CZJ", "comment": "调整至财政局"},
        )
    )
    assert body["state"] == "reassigned"
    detail = ok(api(world.secretariat).get(f"/proposals/{p.id}"))
    assert [(x["department"], x["role"], x["state"]) for x in detail["assignments"]] == [
        ("ZJJ", "lead", "reassigned"),
        ("CZJ", "lead", "pending"),
    ]
    new = detail["assignments"][1]
    assert new["reply_due"] == add_months(today(), 3).isoformat()
    assert [i["id"] for i in ok(api(world.clerk_b).get("/assignments"))["items"]] == [new["id"]]
    assert ok(api(world.clerk_b).post(f"/assignments/{new['id']}/accept"))["state"] == "handling"


def test_refused_reassignment_makes_the_unit_handle_it(world, api):
    a = loaded(flows.assigned(world), "assignments").assignments[0]
    ok(api(world.clerk_a).post(f"/assignments/{a.id}/reassignment-request", {"reason": "请调整"}))
    body = ok(
        api(world.secretariat).post(
            f"/assignments/{a.id}/reassignment-decision",
            {"approve": False, "comment": "属本单位职责"},
        )
    )
    assert body["state"] == "handling" and body["accepted_at"]


def test_unit_records_a_contact_with_the_proposer(world, api):
    a = loaded(flows.handling(world), "assignments").assignments[0]
    body = ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/contacts",
            {"mode": "meeting", "date": today().isoformat(), "summary": "与提案人面谈"},
        ),
        201,
    )
    assert body["state"] == "handling"
    assert body["contacts"] == [
        {"mode": "meeting", "date": today().isoformat(), "summary": "与提案人面谈"}
    ]


def test_co_unit_sends_its_opinion_and_its_part_closes(world, api):
    p = flows.handling(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    co = loaded(p, "assignments").assignments[1]
    body = ok(
        api(world.clerk_b).post(
            f"/assignments/{co.id}/opinion", {"text": "同意主办单位意见，财政予以支持"}
        ),
        201,
    )
    assert body["state"] == "closed" and body["role"] == "co"
    assert body["opinion"]["text"] == "同意主办单位意见，财政予以支持"
    lead = ok(api(world.clerk_a).get(f"/assignments/{loaded(p, 'assignments').assignments[0].id}"))
    assert lead["state"] == "handling"


def test_extension_request_and_approval_move_the_deadline(world, api):
    a = loaded(flows.handling(world), "assignments").assignments[0]
    until = add_months(today(), 5).isoformat()
    body = ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/extension-request", {"until": until, "reason": "需协调多部门"}
        ),
        201,
    )
    assert body["state"] == "handling" and body["extended_to"] is None
    assert [(e["until"], e["state"]) for e in body["extension_requests"]] == [(until, "pending")]
    body = ok(
        api(world.secretariat).post(
            f"/assignments/{a.id}/extension-decision", {"approve": True, "comment": "同意"}
        )
    )
    assert body["extended_to"] == until and body["due"] == until
    assert body["extension_requests"][0]["state"] == "approved"


def test_extension_up_to_exactly_six_months_after_assignment_is_granted(world, api):
    a = loaded(flows.handling(world), "assignments").assignments[0]
    limit = add_months(today(), 6).isoformat()
    ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/extension-request", {"until": limit, "reason": "需跨年度预算"}
        ),
        201,
    )
    body = ok(
        api(world.secretariat).post(f"/assignments/{a.id}/extension-decision", {"approve": True})
    )
    assert body["extended_to"] == limit


def test_refused_extension_keeps_the_deadline(world, api):
    a = loaded(flows.handling(world), "assignments").assignments[0]
    ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/extension-request",
            {"until": add_months(today(), 4).isoformat(), "reason": "事多"},
        ),
        201,
    )
    body = ok(
        api(world.secretariat).post(
            f"/assignments/{a.id}/extension-decision", {"approve": False, "comment": "请按期办理"}
        )
    )
    assert body["extended_to"] is None and body["due"] == add_months(today(), 3).isoformat()
    assert body["extension_requests"][0]["state"] == "refused"
    assert body["extension_requests"][0]["comment"] == "请按期办理"


@pytest.mark.parametrize("result", ["A", "B", "C"])
def test_unit_drafts_a_reply_awaiting_signoff(world, api, result):
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    clerk = api(world.clerk_a)
    ok(
        clerk.post(
            f"/assignments/{a.id}/contacts",
            {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通"},
        ),
        201,
    )
    body = ok(clerk.post(f"/assignments/{a.id}/reply", reply_body(result)), 201)
    assert body["state"] == "awaiting_signoff" and body["result"] == result
    assert body["assignment_id"] == a.id and body["proposal_id"] == p.id
    assert body["signer"] == "局长 王某" and body["contact"] == "赵某 0571-88888888"
    if result == "B":
        assert body["promised_date"] == (today() + timedelta(days=200)).isoformat()
    else:
        assert body["promised_date"] is None
    assert ok(clerk.get(f"/assignments/{a.id}"))["state"] == "handling"


def test_reply_is_delivered_at_once_when_signoff_and_review_are_off(world, api):
    set_setting("signoff_required", "false")
    set_setting("reply_review_required", "false")
    a = loaded(flows.handling(world), "assignments").assignments[0]
    clerk = api(world.clerk_a)
    ok(
        clerk.post(
            f"/assignments/{a.id}/contacts",
            {"mode": "email", "date": today().isoformat(), "summary": "邮件沟通"},
        ),
        201,
    )
    body = ok(clerk.post(f"/assignments/{a.id}/reply", reply_body("C")), 201)
    assert body["state"] == "delivered" and body["delivered_at"] and body["rating_due"]
    assert ok(clerk.get(f"/assignments/{a.id}"))["state"] == "replied"


def test_b_class_follow_up_stays_open_until_the_unit_reports_it_done(world, api):
    p, reply = flows.replied(world, result="B")
    a = loaded(p, "assignments").assignments[0]
    clerk = api(world.clerk_a)
    assert ok(clerk.get(f"/assignments/{a.id}"))["follow_up_open"] is True
    body = ok(
        clerk.post(f"/assignments/{a.id}/follow-up", {"text": "已完成设计", "done": False}), 201
    )
    assert body["follow_up_open"] is True and body["state"] == "replied"
    body = ok(clerk.post(f"/assignments/{a.id}/follow-up", {"text": "已竣工", "done": True}), 201)
    assert body["follow_up_open"] is False
    assert [(f["text"], f["done"]) for f in body["follow_ups"]] == [
        ("已完成设计", False),
        ("已竣工", True),
    ]


# --- replies: sign-off, review, rating ------------------------------------------------------------


def drafted(world, api, plan=None, result="A", **kw):
    p = flows.handling(world, plan=plan, **kw)
    a = loaded(p, "assignments").assignments[0]
    clerk = api(world.clerk_a)
    ok(
        clerk.post(
            f"/assignments/{a.id}/contacts",
            {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通"},
        ),
        201,
    )
    reply = ok(clerk.post(f"/assignments/{a.id}/reply", reply_body(result)), 201)
    return p, a, reply["id"]


def test_department_head_signs_off_and_the_reply_goes_to_review(world, api):
    _, _, rid = drafted(world, api)
    body = ok(api(world.head_a).post(f"/replies/{rid}/signoff", {"approve": True}))
    assert body["state"] == "awaiting_review"


def test_signoff_delivers_when_review_is_off(world, api):
    set_setting("reply_review_required", "false")
    _, a, rid = drafted(world, api)
    body = ok(api(world.head_a).post(f"/replies/{rid}/signoff", {"approve": True}))
    assert body["state"] == "delivered" and body["rating_due"]
    assert ok(api(world.clerk_a).get(f"/assignments/{a.id}"))["state"] == "replied"


def test_department_head_returns_a_draft_with_a_comment_and_the_clerk_redrafts(world, api):
    _, a, rid = drafted(world, api)
    body = ok(
        api(world.head_a).post(
            f"/replies/{rid}/signoff", {"approve": False, "comment": "请逐条答复"}
        )
    )
    assert body["state"] == "returned" and body["return_comment"] == "请逐条答复"
    again = ok(api(world.clerk_a).post(f"/assignments/{a.id}/reply", reply_body("A")), 201)
    assert again["state"] == "awaiting_signoff" and again["id"] != rid


def test_secretariat_review_delivers_the_reply_and_opens_the_rating_window(world, api):
    _, a, rid = drafted(world, api)
    ok(api(world.head_a).post(f"/replies/{rid}/signoff", {"approve": True}))
    body = ok(api(world.secretariat).post(f"/replies/{rid}/review", {"approve": True}))
    assert body["state"] == "delivered" and body["delivered_at"]
    assert body["rating_due"] == load_calendar().add_working_days(today(), 15).isoformat()
    assert ok(api(world.clerk_a).get(f"/assignments/{a.id}"))["state"] == "replied"
    # delivered: the first proposer sees it now
    mine = ok(api(world.member).get(f"/replies/{rid}"))
    assert mine["state"] == "delivered"


def test_secretariat_returns_a_reply_with_a_comment(world, api):
    _, a, rid = drafted(world, api)
    ok(api(world.head_a).post(f"/replies/{rid}/signoff", {"approve": True}))
    body = ok(
        api(world.secretariat).post(
            f"/replies/{rid}/review", {"approve": False, "comment": "答复过于简单"}
        )
    )
    assert body["state"] == "returned" and body["return_comment"] == "答复过于简单"
    assert ok(api(world.clerk_a).get(f"/assignments/{a.id}"))["state"] == "handling"


def test_secretariat_corrects_the_result_code_when_delivering(world, api):
    p, _, rid = drafted(world, api, result="A")
    ok(api(world.head_a).post(f"/replies/{rid}/signoff", {"approve": True}))
    body = ok(
        api(world.secretariat).post(f"/replies/{rid}/review", {"approve": True, "result": "C"})
    )
    assert body["state"] == "delivered" and body["result"] == "C"
    history = ok(api(world.secretariat).get(f"/proposals/{p.id}"))["history"]
    review = next(h for h in history if h["action"] == "review_reply")
    assert "A" in review["comment"] and "C" in review["comment"]


@pytest.mark.parametrize("rating", ["satisfied", "basically_satisfied"])
def test_rating_closes_the_assignment_and_the_sole_proposal(world, api, rating):
    p, reply = flows.replied(world)
    body = ok(api(world.member).post(f"/replies/{reply.id}/rating", {"rating": rating}))
    assert body["state"] == "rated"
    assert [(r["rater"], r["rating"], r["primary"]) for r in body["ratings"]] == [
        ("m1", rating, True)
    ]
    detail = ok(api(world.member).get(f"/proposals/{p.id}"))
    assert detail["state"] == "closed" and detail["closed_at"]
    assert detail["assignments"][0]["state"] == "closed"


def test_unsatisfied_rating_sends_the_item_back_for_rehandling_with_a_new_deadline(world, api):
    p, reply = flows.replied(world)
    body = ok(
        api(world.member).post(
            f"/replies/{reply.id}/rating", {"rating": "unsatisfied", "comment": "未解决实际问题"}
        )
    )
    assert body["state"] == "rated" and body["ratings"][0]["comment"] == "未解决实际问题"
    a = ok(api(world.clerk_a).get(f"/assignments/{loaded(p, 'assignments').assignments[0].id}"))
    assert a["state"] == "rehandling" and a["round"] == 2
    assert a["reply_due"] == add_months(today(), 3).isoformat() and a["extended_to"] is None
    assert ok(api(world.member).get(f"/proposals/{p.id}"))["state"] == "assigned"


def test_second_unsatisfied_rating_closes_with_a_consultation_due(world, api):
    p, reply = flows.replied(world)
    member = api(world.member)
    ok(member.post(f"/replies/{reply.id}/rating", {"rating": "unsatisfied", "comment": "不满意"}))
    db.session.expire_all()
    second = flows.delivered_reply(
        world, db.session.get(Assignment, loaded(p, "assignments").assignments[0].id)
    )
    body = ok(
        member.post(
            f"/replies/{second.id}/rating", {"rating": "unsatisfied", "comment": "仍不满意"}
        )
    )
    assert body["state"] == "rated" and body["round"] == 2
    detail = ok(member.get(f"/proposals/{p.id}"))
    assert detail["state"] == "closed" and detail["consultation_due"] is True
    assert detail["assignments"][0]["state"] == "closed"
    body = ok(
        api(world.secretariat).post(
            f"/proposals/{p.id}/consultation", {"note": "已与提案人当面协商"}
        )
    )
    assert body["consultation_due"] is False and body["consultation_note"] == "已与提案人当面协商"


def test_merged_proposer_may_rate_the_host_reply_alongside_the_first_proposer(world, api):
    p = flows.handling(world)
    merged = flows.submitted(world, proposer=world.member3, title="关于同一事项的建议")
    ok(
        api(world.secretariat).post(
            f"/proposals/{merged.id}/review", {"decision": "merge", "merge_into": p.id}
        )
    )
    db.session.expire_all()
    reply = flows.delivered_reply(
        world, db.session.get(Assignment, loaded(p, "assignments").assignments[0].id)
    )
    body = ok(
        api(world.member3).post(f"/replies/{reply.id}/rating", {"rating": "basically_satisfied"})
    )
    assert body["state"] == "delivered"  # only the first proposer's rating moves it
    assert [(r["rater"], r["primary"]) for r in body["ratings"]] == [("m3", False)]
    body = ok(api(world.member).post(f"/replies/{reply.id}/rating", {"rating": "satisfied"}))
    assert body["state"] == "rated"
    assert sorted((r["rater"], r["primary"]) for r in body["ratings"]) == [
        ("m1", True),
        ("m3", False),
    ]


def test_split_proposal_closes_only_when_every_unit_s_reply_is_rated(world, api):
    p = flows.handling(world, plan=[(world.unit_a, "lead"), (world.unit_b, "lead")])
    r1 = flows.delivered_reply(world, loaded(p, "assignments").assignments[0])
    r2 = flows.delivered_reply(world, loaded(p, "assignments").assignments[1])
    member = api(world.member)
    ok(member.post(f"/replies/{r1.id}/rating", {"rating": "satisfied"}))
    assert ok(member.get(f"/proposals/{p.id}"))["state"] == "assigned"
    ok(member.post(f"/replies/{r2.id}/rating", {"rating": "basically_satisfied"}))
    detail = ok(member.get(f"/proposals/{p.id}"))
    assert detail["state"] == "closed"
    assert [a["state"] for a in detail["assignments"]] == ["closed", "closed"]


def test_rating_closes_the_proposal_while_a_co_unit_still_awaits_a_reassignment_decision(
    world, api
):
    """With co-unit opinions optional, a co-unit's open reassignment request must not block
    closing: the lead's rating closes the proposal and the co-unit's part with it."""
    set_setting("reply_requires_co_opinions", "false")
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    lead, co = loaded(p, "assignments").assignments
    ok(api(world.clerk_b).post(f"/assignments/{co.id}/reassignment-request", {"reason": "无关"}))
    ok(api(world.clerk_a).post(f"/assignments/{lead.id}/accept"))
    db.session.expire_all()
    reply = flows.delivered_reply(world, db.session.get(Assignment, lead.id))
    ok(api(world.member).post(f"/replies/{reply.id}/rating", {"rating": "satisfied"}))
    detail = ok(api(world.secretariat).get(f"/proposals/{p.id}"))
    assert detail["state"] == "closed"
    assert [a["state"] for a in detail["assignments"]] == ["closed", "closed"]


def test_every_action_writes_one_history_row_with_actor_and_states(world, api):
    p = flows.draft(world)
    member, sec = api(world.member), api(world.secretariat)
    ok(member.post(f"/proposals/{p.id}/submit"))
    ok(sec.post(f"/proposals/{p.id}/review", {"decision": "file"}))
    ok(sec.post(f"/proposals/{p.id}/assign", {"departments": [{"code": "ZJJ", "role": "lead"}]}))
    rows = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.proposal_id == p.id).order_by(HistoryEntry.id)
    ).all()
    assert [
        (h.action, h.from_state, h.to_state, h.actor.username if h.actor else None) for h in rows
    ] == [
        ("create", None, "draft", "m1"),
        ("submit", "draft", "submitted", "m1"),
        ("file", "submitted", "filed", "sec"),
        ("assign", "filed", "assigned", "sec"),
        ("assign_unit", None, "pending", "sec"),
    ]


def test_after_the_acceptance_window_the_assignment_counts_as_accepted(world, api):
    a = loaded(flows.assigned(world), "assignments").assignments[0]
    a.accept_due = today() - timedelta(days=1)
    db.session.commit()
    body = ok(
        api(world.clerk_a).post(
            f"/assignments/{a.id}/contacts",
            {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通"},
        ),
        201,
    )
    assert body["state"] == "handling" and body["accepted_at"]
    history = ok(api(world.secretariat).get(f"/proposals/{a.proposal_id}"))["history"]
    assert [h["action"] for h in history][-2:] == ["auto_accept", "record_contact"]


def test_dates_in_answers_are_iso_dates(world, api):
    a = loaded(flows.assigned(world), "assignments").assignments[0]
    body = ok(api(world.clerk_a).get(f"/assignments/{a.id}"))
    for key in ("accept_due", "contact_due", "reply_due"):
        assert date.fromisoformat(body[key])
