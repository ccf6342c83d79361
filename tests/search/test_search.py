"""Chinese search: ranking, filters, highlighting, the index following edits and
replies, visibility, the reindex command. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL (the index is plain tables: the same SQL and ranking on both)."""

import re

from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.search import highlight, snippet
from proposals.search.models import SearchDocument, SearchPosting
from proposals.search.segment import query_terms
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows

PLAIN = "情况分析：群众反映强烈，需要统筹推进。"


def ids(api_client, query):
    r = api_client.get("/proposals?per_page=100&" + query)
    assert r.status_code == 200, r.get_json()
    return [i["id"] for i in r.get_json()["items"]]


def test_segmentation_drops_stop_words_and_single_characters():
    terms = query_terms("关于加强农村饮用水安全保障的建议")
    assert {"农村", "饮用水", "安全", "保障"} <= set(terms)
    assert not {"关于", "建议", "的"} & set(terms)
    assert query_terms("乡村") == ["农村"]  # a synonym folded onto one form
    assert query_terms("水") == []  # a single character: substring search instead


def test_title_match_ranks_above_body_match(world, api):
    body = flows.submitted(
        world,
        title="关于完善社区服务设施的建议",
        analysis="情况分析：小区垃圾分类投放点设置不合理，垃圾分类督导不足。",
    )
    title = flows.submitted(world, title="关于推进生活垃圾分类的建议", analysis=PLAIN)
    other = flows.submitted(world, title="关于发展夜间经济的建议", analysis=PLAIN)
    found = ids(api(world.secretariat), "q=垃圾分类")
    assert found == [title.id, body.id] and other.id not in found
    # an explicit sort still wins over relevance
    assert ids(api(world.secretariat), "q=垃圾分类&sort=title") == sorted(
        [title.id, body.id], key=lambda i: {title.id: "关于推进", body.id: "关于完善"}[i]
    )


def test_every_word_must_match_and_any_word_when_none_has_all(world, api):
    both = flows.submitted(world, title="关于农村饮用水水质监测的建议", analysis=PLAIN)
    one = flows.submitted(world, title="关于城市供水价格改革的建议", analysis=PLAIN)
    sec = api(world.secretariat)
    assert ids(sec, "q=饮用水 水质") == [both.id]
    assert ids(sec, "q=乡村 水质") == [both.id]  # 乡村 ≈ 农村
    # nothing has both 水质 and 价格改革… only as a fallback: any term, best first
    assert set(ids(sec, "q=水质 地铁")) == {both.id}
    assert one.id in ids(sec, "q=供水价格")


def test_search_combines_with_the_list_filters(world, api):
    sub = flows.submitted(world, title="关于发展夜间经济的建议", category="economy", analysis=PLAIN)
    filed = flows.filed(
        world, title="关于夜间经济安全管理的建议", category="society", analysis=PLAIN
    )
    flows.filed(world, title="关于校园安全的建议", category="economy", analysis=PLAIN)
    sec = api(world.secretariat)
    assert set(ids(sec, "q=夜间经济")) == {sub.id, filed.id}
    assert ids(sec, "q=夜间经济&state=filed") == [filed.id]
    assert ids(sec, "q=夜间经济&category=economy") == [sub.id]
    assert ids(sec, f"q=夜间经济&year={world.session.year - 1}") == []
    body = sec.get("/proposals?q=夜间经济&state=filed").get_json()
    assert body["total"] == 1


def test_single_characters_and_symbols_are_a_substring_search(world, api):
    p = flows.submitted(world, title="关于老旧小区加装电梯的建议", analysis=PLAIN)
    sec = api(world.secretariat)
    assert ids(sec, "q=梯") == [p.id]
    assert ids(sec, "q=100%25") == []
    assert ids(sec, "q=%E3%80%82") == [p.id]  # "。" is in the analysis: no terms, substring


def test_a_stranger_never_finds_others_proposals(world, api):
    mine = flows.submitted(world, title="关于加强燃气安全管理的建议", analysis=PLAIN)
    draft = flows.draft(world, title="关于燃气管道改造的建议", analysis=PLAIN)
    assert set(ids(api(world.member), "q=燃气")) == {mine.id, draft.id}
    assert ids(api(world.member2), "q=燃气") == []
    assert ids(api(world.clerk_a), "q=燃气") == []
    assert ids(api(world.secretariat), "q=燃气") == [mine.id]  # not the draft


def test_the_index_follows_edits(world, api):
    p = flows.draft(world, title="关于治理噪声扰民的建议", analysis=PLAIN)
    me = api(world.member)
    assert ids(me, "q=噪声") == [p.id]
    ops.edit_proposal(world.member, p, {"title": "关于规范广场舞活动的建议"})
    db.session.commit()
    assert ids(me, "q=噪声") == []
    assert ids(me, "q=广场舞") == [p.id]
    r = me.patch(
        f"/proposals/{p.id}",
        json={"suggestions": "具体建议：设置夜间施工审批。" * 4, "version": p.version},
    )
    assert r.status_code == 200, r.get_json()
    assert ids(me, "q=夜间施工") == [p.id]


def test_delivered_replies_are_searchable_drafts_are_not(world, api):
    p = flows.handling(world, title="关于加强社区养老服务的建议", analysis=PLAIN)
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {
            "result": "A",
            "text": "答复：已在全市推广长者食堂助餐服务。",
            "signer": "局长 王某",
            "contact": "赵某",
        },
    )
    db.session.commit()
    assert ids(api(world.member), "q=长者食堂") == []  # awaiting sign-off: not findable
    hops.signoff_reply(world.head_a, reply, {"approve": True})
    hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.commit()
    assert ids(api(world.member), "q=长者食堂") == [p.id]
    assert ids(api(world.clerk_a), "q=长者食堂") == [p.id]


def test_highlighting_escapes_the_text():
    out = str(highlight('<script>alert("电梯")</script>加装电梯', "电梯"))
    assert out == (
        "&lt;script&gt;alert(&#34;<mark>电梯</mark>&#34;)&lt;/script&gt;加装<mark>电梯</mark>"
    )
    assert str(highlight("<b>x</b>", "")) == "&lt;b&gt;x&lt;/b&gt;"
    piece = str(snippet(["很长的开头" * 20 + "加装电梯<i>" + "结尾" * 30], "电梯"))
    assert piece.startswith("…") and piece.endswith("…") and "<mark>电梯</mark>&lt;i&gt;" in piece
    assert snippet(["没有"], "电梯") is None


def test_list_page_highlights_titles_and_snippets_safely(world, web):
    p = flows.submitted(
        world,
        title="<b>关于老旧小区加装电梯的建议</b>",
        analysis="情况分析：<img src=x onerror=alert(1)>电梯老化严重。",
    )
    page = web(world.secretariat).get("/proposals?q=电梯").get_data(as_text=True)
    assert "&lt;b&gt;关于老旧小区加装<mark>电梯</mark>的建议&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;<mark>电梯</mark>老化严重" in page
    assert "<img src=x" not in page and "<b>关于" not in page
    assert f"/proposals/{p.id}" in page


def test_a_stranger_list_page_shows_nothing_of_others(world, web):
    flows.submitted(world, title="关于加强燃气安全管理的建议", analysis=PLAIN)
    page = web(world.member2).get("/proposals?q=燃气").get_data(as_text=True)
    assert "关于加强燃气安全管理的建议" not in page
    assert "燃气" not in re.sub(r'value="[^"]*"', "", page.split("</form>", 1)[1])


def test_reindex_command_rebuilds_the_index(world, app):
    p = flows.submitted(world, title="关于推进全民阅读的建议", analysis=PLAIN)
    db.session.execute(SearchPosting.__table__.delete())
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed: 1 proposals" in result.output
    assert db.session.get(SearchDocument, p.id) is not None
    terms = set(
        db.session.scalars(db.select(SearchPosting.term).where(SearchPosting.proposal_id == p.id))
    )
    assert {"全民", "阅读"} <= terms and "关于" not in terms
