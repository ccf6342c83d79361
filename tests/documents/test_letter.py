"""答复函: the letter of a delivered reply, as the secretariat, the unit and every proposer
download it (Word), its fields, and who may not have it."""

import re
from urllib.parse import unquote

from proposals.extensions import db
from proposals.workflow.core import loaded

from .. import flows
from .helpers import assert_official_page, body, leftover_tags, read, spaced


def letter_world(world, result="A"):
    p = flows.handling(world, cosigners=(world.member2, world.member3))
    reply = flows.delivered_reply(world, loaded(p, "assignments").assignments[0], result)
    return p, reply


def test_the_letter_has_the_official_page_and_every_field(world, api):
    p, reply = letter_world(world, "B")
    reply.text = "张委员并李委员、王委员：\n第一段 2026 年落实。\n\n第二段，投入 300 万元。"
    db.session.commit()
    resp = api(world.member).get(f"/replies/{reply.id}/letter.docx")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype.endswith("wordprocessingml.document")
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", resp.headers["Content-Disposition"])[1])
    assert name == f"答复函-第{p.number:04d}号-市住房和城乡建设局.docx"
    doc = read(resp.data)
    assert_official_page(doc)
    text = body(doc)
    paragraphs = [x.text for x in doc.paragraphs]
    assert paragraphs[0] == "B类"
    assert f"关于政协第十届第一次会议第{p.number:04d}号提案的答复" in paragraphs
    assert "张委员并李委员、王委员：" in paragraphs
    assert paragraphs.count("张委员并李委员、王委员：") == 1  # the reply's own greeting dropped
    assert "第一段2026年落实。" in paragraphs and "第二段，投入300万元。" in paragraphs
    assert f"市住房和城乡建设局提复〔{p.session.year}〕{p.number}号" in paragraphs
    assert "签发人：局长 王某" in paragraphs
    day = reply.delivered_at
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", x) for x in paragraphs), paragraphs
    assert "市住房和城乡建设局" in paragraphs
    assert "（联系人及电话：赵某0571-88888888）" in text
    assert "抄送：政协提案委员会。" in paragraphs
    assert day is not None
    assert not spaced(doc) and not leftover_tags(doc)


def test_the_letter_names_the_supervising_office_and_every_unit_reader(world, api, make):
    make.user("office", username="dcs", name="市委督查室", office_departments=[world.unit_a])
    p, reply = letter_world(world)
    for user in (world.secretariat, world.clerk_a, world.head_a, world.member2, world.member3):
        resp = api(user).get(f"/replies/{reply.id}/letter.docx")
        assert resp.status_code == 200, (user.username, resp.get_data(as_text=True))
    paragraphs = [x.text for x in read(resp.data).paragraphs]
    assert "抄送：政协提案委员会、市委督查室。" in paragraphs


def test_who_may_not_have_the_letter(world, api, make):
    p, reply = letter_world(world)
    stranger = make.user("member", username="m9", name="赵委员")
    resp = api(stranger).get(f"/replies/{reply.id}/letter.docx")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert api(world.clerk_c).get(f"/replies/{reply.id}/letter.docx").status_code == 404
    assert api().get(f"/replies/{reply.id}/letter.docx").status_code == 401
    assert api(world.member).get("/replies/999999/letter.docx").status_code == 404


def test_a_reply_not_yet_delivered_has_no_letter(world, api):
    from proposals.handling import operations as hops

    p = flows.handling(world, cosigners=(world.member2,))
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {"result": "A", "text": "答复正文。", "signer": "局长 王某", "contact": "赵某"},
    )
    db.session.commit()
    # the unit sees its draft: the letter waits for the delivery (409); the proposer does
    # not see the draft at all (404)
    resp = api(world.clerk_a).get(f"/replies/{reply.id}/letter.docx")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"
    assert api(world.member).get(f"/replies/{reply.id}/letter.docx").status_code == 404


def test_the_proposal_page_offers_the_letter_and_serves_it(world, web):
    p, reply = letter_world(world)
    page = web(world.member).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f"/replies/{reply.id}/letter.docx" in page and f"/replies/{reply.id}/letter.pdf" in page
    assert f"/replies/{reply.id}/opinion-form.docx" in page  # the first proposer
    unit_page = web(world.clerk_a).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f"/replies/{reply.id}/letter.docx" in unit_page
    assert f"/replies/{reply.id}/opinion-form.docx" not in unit_page
    resp = web(world.member).get(f"/replies/{reply.id}/letter.docx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    assert web(world.clerk_c).get(f"/replies/{reply.id}/letter.docx").status_code == 404


def test_an_english_page_still_gets_a_chinese_letter(world, web):
    p, reply = letter_world(world)
    client = web(world.member)
    client.post("/lang/en", data={"next": "/"})
    assert "Proposal" in client.get(f"/proposals/{p.id}").get_data(as_text=True)
    paragraphs = [
        x.text for x in read(client.get(f"/replies/{reply.id}/letter.docx").data).paragraphs
    ]
    assert paragraphs[0] == "A类" and paragraphs[-1] == "抄送：政协提案委员会。", paragraphs
    assert any(x.endswith("提案的答复") for x in paragraphs)
    assert "张委员并李委员、王委员：" in paragraphs
