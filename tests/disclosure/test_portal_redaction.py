"""The public portal shows and searches only redacted texts: a published proposal whose title,
analysis, suggestions and reply carry contact details in the forms people use shows none of
them on the list or its page, and the anonymous search cannot find it by them."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from proposals.extensions import db

from .. import flows
from .test_redaction import recoverable

SHANGHAI = timezone(timedelta(hours=8))
HIDDEN = "〔已隐去〕"

TITLE = "关于加强社区养老服务的建议（联系人王某某，手机一三九一二三四五六七八）"
ANALYSIS = (
    "情况分析：我市社区养老服务设施不足，2025年投入资金1.38亿元，惠及138000人。"
    "详情请联系提案人，手机13800138000或１３７１２３４５６７８，微信 zhang_san88。"
)
SUGGESTIONS = (
    "具体建议：一是完善社区嵌入式养老机构；二是加强护理人员培训。"
    "如需沟通，电话是138.0013.8000，QQ 24681357，邮箱 li_si(at)example.com。"
)
REPLY = (
    "答复正文：逐条答复如下。我局将会同民政部门推进社区助餐服务。\n"
    "联系人：钱经办，座机 8765 4321，身份证 33010619900101123X。"
)
# what must never be readable on a public page
SECRETS = [
    "王某某",
    "一三九一二三四五六七八",
    "13800138000",
    "１３７１２３４５６７８",
    "zhang_san88",
    "138.0013.8000",
    "24681357",
    "li_si",
    "钱经办",
    "8765 4321",
    "33010619900101123X",
]
# what a curious visitor might type to find the proposal by a hidden detail
HIDDEN_QUERIES = [
    "13800138000",  # plain digits
    "0013",  # a digit group of the dotted form
    "138.0013.8000",
    "１３７１２３４５６７８",  # full-width, as written
    "13712345678",  # the same, digit-normalised
    "13912345678",  # the Chinese-numeral mobile, as digits
    "一三九一二三四五六七八",
    "8765 4321",  # two words, each a group of the landline
    "87654321",
    "24681357",
    "zhang_san88",
    "li_si",
    "钱经办",
    "王某某",
    "手机13800138000",  # spanning the label and the hidden part
    "联系人：钱经办",
    "33010619900101123X",
]


def at(y, m, d, hour=12):
    return datetime(y, m, d, hour, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture()
def published(world, monkeypatch):
    """The proposal, its reply delivered in March and the portal's clock in November."""
    p, reply = flows.replied(world, title=TITLE, analysis=ANALYSIS, suggestions=SUGGESTIONS)
    reply.text = REPLY
    reply.delivered_at = at(2026, 3, 2)
    db.session.commit()
    monkeypatch.setattr("proposals.web.portal.utcnow", lambda: at(2026, 11, 3, 9))
    return p, reply


def listed_ids(resp):
    assert resp.status_code == 200
    return [int(i) for i in re.findall(r'href="/public/proposals/(\d+)"', resp.get_data(True))]


def test_no_detail_is_shown_on_the_list_or_the_page(published, web, world):
    p, reply = published
    public = web()
    pages = {
        path: public.get(path)
        for path in ("/public", f"/public/proposals/{p.id}", "/public?q=社区养老")
    }
    for path, resp in pages.items():
        assert resp.status_code == 200, path
        html = resp.get_data(True)
        for secret in SECRETS + [reply.contact, reply.signer]:
            assert secret not in html, (path, secret)
            assert recoverable(secret, html) == [], (path, secret)
        assert "关于加强社区养老服务的建议（联系人" in html, path  # the title, redacted
        assert world.member.phone not in html and world.member.email not in html
    page = pages[f"/public/proposals/{p.id}"].get_data(True)
    assert page.count(HIDDEN) >= len(SECRETS)
    # the <title> too
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert HIDDEN in title and "一三九" not in title
    # the ordinary numbers around the details are still there
    assert "1.38亿元" in page and "138000人" in page


@pytest.mark.parametrize("q", HIDDEN_QUERIES)
def test_the_search_does_not_find_the_proposal_by_a_hidden_detail(published, web, q):
    p, _ = published
    assert p.id not in listed_ids(web().get("/public", query_string={"q": q}))


@pytest.mark.parametrize(
    "q", ["社区养老", "逐条答复", "1.38亿元", "138000人", "嵌入式 助餐", "联系人"]
)
def test_the_search_still_finds_it_by_its_words(published, web, q):
    p, _ = published
    assert listed_ids(web().get("/public", query_string={"q": q})) == [p.id]
