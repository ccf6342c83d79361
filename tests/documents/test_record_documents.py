"""交办通知书, 不予立案告知书 and 征询意见表: their fields, read back from the Word files, and who
may have each (visible but not entitled: 403; not visible: 404; not in that state: 409)."""

import re

from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows
from .helpers import assert_official_page, body, leftover_tags, read, spaced

CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def check_official(doc):
    assert_official_page(doc)
    assert not spaced(doc), spaced(doc)
    assert not leftover_tags(doc), leftover_tags(doc)


# ---------------------------------------------------------------- 交办通知书


def test_the_notice_tells_each_unit_its_part_and_deadlines(world, api, make):
    office = make.user(
        "office", username="dcs", name="市委督查室", office_departments=[world.unit_a]
    )
    p = flows.assigned(
        world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")], cosigners=(world.member2,)
    )
    lead, co = loaded(p, "assignments").assignments
    resp = api(world.clerk_a).get(f"/assignments/{lead.id}/notice.docx")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = read(resp.data)
    check_official(doc)
    text = body(doc)
    assert "提案交办通知书" in text and "市住房和城乡建设局：" in text
    assert f"第{p.number:04d}号" in text and p.title in text and "张委员、李委员" in text
    assert "主办" in text and "签收期限：" in text and "答复期限：" in text
    assert f"政协提案委员会交〔{p.session.year}〕{p.number}号" in text
    assert len(CHINESE_DATE.findall(text)) >= 4  # three deadlines and the date
    co_doc = body(read(api(world.clerk_b).get(f"/assignments/{co.id}/notice.docx").data))
    assert "会办" in co_doc and "会办意见期限：" in co_doc and "答复期限：" not in co_doc
    for user in (world.secretariat, world.head_a, office):
        assert api(user).get(f"/assignments/{lead.id}/notice.docx").status_code == 200


def test_who_may_not_have_the_notice(world, api):
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    lead, co = loaded(p, "assignments").assignments
    # the proposer and the co-unit see the proposal but get no other unit's notice
    for user in (world.member, world.clerk_b):
        resp = api(user).get(f"/assignments/{lead.id}/notice.docx")
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert api(world.clerk_c).get(f"/assignments/{lead.id}/notice.docx").status_code == 404
    assert api(world.member3).get(f"/assignments/{lead.id}/notice.docx").status_code == 404


# ---------------------------------------------------------------- 不予立案告知书


def not_filed(world, **kw):
    p = flows.submitted(world, cosigners=(world.member2,), **kw)
    ops.review_proposal(
        world.secretariat,
        p,
        {
            "decision": "not_file",
            "reason_code": "out_of_remit",
            "disposition": "letter",
            "comment": "建议向 12345 热线反映",
        },
    )
    db.session.commit()
    return p


def test_the_not_filed_notice_gives_the_reason_and_the_disposition(world, api, web):
    p = not_filed(world)
    resp = api(world.member2).get(f"/proposals/{p.id}/not-filed-notice.docx")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = read(resp.data)
    check_official(doc)
    text = body(doc)
    loaded(p, "not_filed_reason")
    assert "提案不予立案告知书" in text and "张委员并李委员：" in text
    assert p.not_filed_reason.name in text and "转为委员来信" in text
    assert "建议向12345热线反映" in text
    assert len(CHINESE_DATE.findall(text)) >= 2
    page = web(world.member).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f"/proposals/{p.id}/not-filed-notice.docx" in page
    assert web(world.member).get(f"/proposals/{p.id}/not-filed-notice.docx").status_code == 200


def test_who_may_not_have_the_not_filed_notice(world, api):
    p = not_filed(world)
    assert api(world.member3).get(f"/proposals/{p.id}/not-filed-notice.docx").status_code == 404
    filed = flows.filed(world)
    resp = api(world.member).get(f"/proposals/{filed.id}/not-filed-notice.docx")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"


# ---------------------------------------------------------------- 征询意见表


def test_the_opinion_form_has_the_reply_and_a_box_for_each_rating(world, api, web):
    p, reply = flows.replied(world, result="C", cosigners=(world.member2,))
    resp = api(world.secretariat).get(f"/replies/{reply.id}/opinion-form.docx")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = read(resp.data)
    check_official(doc)
    text = body(doc)
    assert "提案办理情况征询意见表" in text and f"第{p.number:04d}号" in text
    assert p.title in text and "市住房和城乡建设局" in text and "C类" in text
    assert "□满意" in text and "□基本满意" in text and "□不满意" in text
    assert "意见和建议" in text and "签名：" in text
    assert len(CHINESE_DATE.findall(text)) >= 2  # the reply's date and the rating deadline
    assert api(world.member2).get(f"/replies/{reply.id}/opinion-form.docx").status_code == 200
    # the unit sees the reply but the form is the proposers'
    resp = api(world.clerk_a).get(f"/replies/{reply.id}/opinion-form.docx")
    assert resp.status_code == 403
    assert api(world.member3).get(f"/replies/{reply.id}/opinion-form.docx").status_code == 404
    page = web(world.secretariat).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f"/replies/{reply.id}/opinion-form.docx" in page
