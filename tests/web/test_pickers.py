"""The people and unit pickers on the proposal form: the pinyin keys computed on the server, the
options that carry them, the markup the picker script enhances (a plain multi-select without
JavaScript), and the server still deciding what may be chosen."""

import re

import pytest
from sqlalchemy import func, select

from proposals.accounts.models import Role, User
from proposals.extensions import db
from proposals.people_search import pinyin_keys, search_attrs
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from .test_member import form_data, text


def options_of(page, name):
    """``{value: attributes text}`` of the options of the select named ``name``."""
    block = page[page.index(f'name="{name}"') :]
    block = block[: block.index("</select>")]
    return {
        m.group(2): m.group(1) + m.group(3)
        for m in re.finditer(r'<option ([^>]*?)value="([^"]*)"([^>]*)>', block)
    }


# --- the pinyin keys -----------------------------------------------------------------------


def test_initials_and_full_pinyin_of_a_name():
    assert pinyin_keys("张三") == ("zs", "zhangsan")
    assert pinyin_keys("欧阳修", surname=True) == ("oyx", "ouyangxiu")
    assert pinyin_keys("市住房和城乡建设局") == ("szfhcxjsj", "shizhufanghechengxiangjiansheju")


def test_polyphonic_surnames_use_the_surname_reading():
    assert pinyin_keys("曾小明", surname=True) == ("zxm", "zengxiaoming")
    assert pinyin_keys("单田芳", surname=True) == ("stf", "shantianfang")
    assert pinyin_keys("解放", surname=True)[0] == "xf"
    # only the first character is a surname: 曾 later in a name keeps its common reading
    assert pinyin_keys("王曾", surname=True) == ("wc", "wangceng")


def test_letters_and_digits_are_kept_and_punctuation_dropped():
    assert pinyin_keys("A股 张-三") == ("agzs", "aguzhangsan")
    assert pinyin_keys("第2局") == ("d2j", "di2ju")
    assert pinyin_keys("") == ("", "")
    assert search_attrs("张三") == {"data-initials": "zs", "data-pinyin": "zhangsan"}


# --- the options and the markup ------------------------------------------------------------


def test_member_options_carry_surname_initials_and_unit_options_theirs(world, make, web):
    make.user("member", username="zeng", name="曾小明")
    make.user("member", username="shan", name="单田芳")
    db.session.commit()
    page = text(web(world.member).get("/proposals/new"))
    people = options_of(page, "cosigners")
    assert (
        'data-initials="zxm"' in people["zeng"] and 'data-pinyin="zengxiaoming"' in people["zeng"]
    )
    assert 'data-initials="stf"' in people["shan"]
    assert 'data-initials="lwy"' in people["m2"] and 'data-pinyin="liweiyuan"' in people["m2"]
    units = options_of(page, "suggested_departments")
    assert 'data-initials="szfhcxjsj"' in units["ZJJ"]
    assert 'data-initials="sczj"' in units["CZJ"]


def test_form_has_picker_boxes_over_plain_multi_selects(world, web):
    page = text(web(world.member).get("/proposals/new"))
    # without JavaScript: the multi-selects post the usernames and unit codes
    assert re.search(r'<select[^>]*multiple[^>]*name="cosigners"', page)
    assert re.search(r'<select[^>]*multiple[^>]*name="suggested_departments"', page)
    assert 'data-picker-for="cosigners"' in page
    assert 'data-picker-for="suggested_departments"' in page
    assert "js/picker.js" in page and "js/member.js" in page
    assert page.index("js/picker.js") < page.index("js/member.js")
    assert "<script>" not in page and "按住 Ctrl" not in page
    # the remove button's accessible name is filled in by the script
    assert 'data-text-remove="移除 {name}"' in page


def test_organisation_form_has_the_unit_picker_only(world, web):
    page = text(web(world.org).get("/proposals/new"))
    assert 'data-picker-for="suggested_departments"' in page
    assert 'data-picker-for="cosigners"' not in page


def test_editing_a_draft_marks_its_cosigners_and_units_chosen(world, web):
    p = flows.draft(world, cosigners=[world.member2])
    r = web(world.member).post(
        f"/proposals/{p.id}/edit",
        data=form_data(
            cosigners=["m2"], suggested_departments=["CZJ"], version=p.version, save="1"
        ),
    )
    assert r.status_code == 302
    page = text(web(world.member).get(f"/proposals/{p.id}/edit"))
    people, units = options_of(page, "cosigners"), options_of(page, "suggested_departments")
    assert "selected" in people["m2"] and "selected" not in people["m3"]
    assert "selected" in units["CZJ"] and "selected" not in units["ZJJ"]


# --- posting the chosen values ---------------------------------------------------------------


def test_chosen_people_and_units_are_saved_exactly(world, web):
    r = web(world.member).post(
        "/proposals/new",
        data=form_data(cosigners=["m2", "m3"], suggested_departments=["ZJJ", "JYJ"], save="1"),
    )
    assert r.status_code == 302
    p = db.session.scalars(select(Proposal)).one()
    loaded(p, "cosigners", "suggested_departments")
    assert sorted(c.user.username for c in p.cosigners) == ["m2", "m3"]
    assert sorted(d.code for d in p.suggested_departments) == ["JYJ", "ZJJ"]


def test_unknown_or_forbidden_values_are_refused_and_nothing_saved(world, web):
    client = web(world.member)
    for data, message in [
        ({"cosigners": ["m2", "nobody"]}, "以下用户不能作为联名人：nobody"),
        ({"cosigners": ["org1"]}, "以下用户不能作为联名人：org1"),
        ({"cosigners": ["m1"]}, "以下用户不能作为联名人：m1"),
        ({"suggested_departments": ["ZJJ", "NOPE"]}, "未知的单位代码：NOPE"),
    ]:
        r = client.post("/proposals/new", data=form_data(save="1", **data))
        assert r.status_code == 400, data
        assert message in text(r), data
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


@pytest.mark.slow
def test_a_national_committee_of_2000_members_keeps_the_form_light(world, web):
    """About 2,000 members at the national committee: every option carries its pinyin keys,
    which must not make the page heavy (the options with their keys, not a JSON endpoint)."""
    surnames = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
    given = "国建军伟芳秀英明华平志强红玉兰德"
    db.session.add_all(
        User(
            username=f"n{i:04d}",
            name=surnames[i % len(surnames)] + given[i // 40 % len(given)] + given[i % 13],
            role=Role.MEMBER,
            password_hash="!",
        )
        for i in range(2000)
    )
    db.session.commit()
    page = text(web(world.member).get("/proposals/new"))
    people = options_of(page, "cosigners")
    assert len(people) == 2002  # and m2, m3
    block = page[page.index('name="cosigners"') :]
    block = block[: block.index("</select>")]
    assert len(block.encode()) / len(people) < 110  # bytes per option, keys included
