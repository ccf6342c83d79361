"""The words of official documents: dates, numbers without spaces, one-decimal percentages that
add up, the session and the proposal number, the salutation to every proposer."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from proposals.documents.text import (
    addressee,
    chinese_date,
    official,
    official_values,
    paragraphs,
    percent,
    proposal_label,
    salutation,
    session_label,
    shares,
)


def person(name, org_type=None):
    return SimpleNamespace(name=name, org_type=org_type)


def test_a_date_is_written_in_chinese():
    assert chinese_date(date(2026, 12, 6)) == "2026年12月6日"
    assert chinese_date(date(2026, 3, 15)) == "2026年3月15日"
    # a moment is taken on its day in Beijing: 20:00 UTC is already the next day there
    assert chinese_date(datetime(2026, 12, 5, 20, 0, tzinfo=UTC)) == "2026年12月6日"
    assert chinese_date("2026-01-02") == "2026年1月2日"
    assert chinese_date(None) == ""


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "一年来，共接受提案 267 件，经审查，立案 246 件",
            "一年来，共接受提案267件，经审查，立案246件",
        ),
        (
            "截至 2026 年 12 月 6 日，办复率 92.31%，满意率达 100%。",
            "截至2026年12月6日，办复率92.31%，满意率达100%。",
        ),
        ("D 类（因条件限制）", "D类（因条件限制）"),
        ("A 类", "A类"),
        ("用 Microsoft Word 打开", "用Microsoft Word打开"),  # two Latin words keep their space
        ("局长 王某", "局长 王某"),  # between two Chinese words: the writer's choice
        ("赵某 0571-88888888", "赵某0571-88888888"),
        ("", ""),
    ],
)
def test_official_text_has_no_space_between_numbers_and_chinese(text, expected):
    assert official(text) == expected


def test_every_text_of_the_fields_is_made_official():
    fields = {"a": "立案 2 件", "b": ["第 1 段", {"c": "共 3 件"}], "n": 7}
    assert official_values(fields) == {"a": "立案2件", "b": ["第1段", {"c": "共3件"}], "n": 7}


def test_a_percentage_has_one_decimal():
    assert percent(0.92134) == "92.1%"
    assert percent(1) == "100.0%"
    assert percent(0) == "0.0%"
    assert percent(None) == "—"


@pytest.mark.parametrize(
    "counts",
    [
        [1, 1, 1],
        [2, 1, 1, 1, 1, 1],
        [7, 0, 0],
        [246, 13, 8],
        [1, 2, 3, 4, 5, 6, 7],
        [333, 333, 334],
    ],
)
def test_shares_of_a_whole_add_up_to_one_hundred(counts):
    found = shares(counts)
    assert all(s.endswith("%") and len(s.split(".")[1]) == 2 for s in found)
    assert sum(Decimal(s[:-1]) for s in found) == Decimal("100.0")
    exact = [c * 100 / sum(counts) for c in counts]
    # each share is its exact value rounded down or up by one tenth at most
    assert all(
        abs(Decimal(s[:-1]) - Decimal(str(e))) < Decimal("0.1") for s, e in zip(found, exact)
    )


def test_largest_remainder_decides_who_gets_the_missing_tenth():
    assert shares([1, 1, 1]) == ["33.4%", "33.3%", "33.3%"]
    assert shares([2, 1]) == ["66.7%", "33.3%"]
    assert shares([0, 0]) == ["—", "—"]


def test_the_session_and_the_number_in_official_form():
    assert session_label(10, 3) == "政协第十届第三次会议"
    assert session_label(12, 21) == "政协第十二届第二十一次会议"
    assert proposal_label(SimpleNamespace(number=12)) == "第0012号"
    assert proposal_label(SimpleNamespace(number=None)) == ""


def test_the_salutation_names_every_proposer():
    assert salutation([person("张三")]) == "张三委员："
    assert (
        salutation([person("张三"), person("李四"), person("王五")]) == "张三委员并李四、王五委员："
    )
    assert salutation([person("民盟临江市委", "party")]) == "民盟临江市委："
    assert (
        salutation([person("张三"), person("民盟临江市委", "party"), person("王五")])
        == "张三委员并民盟临江市委、王五委员："
    )
    # a name that already carries the title is not titled twice
    assert salutation([person("张委员"), person("李委员")]) == "张委员并李委员："
    assert addressee(person("张三")) == "张三委员"
    assert salutation([]) == ""


def test_the_demo_letters_greet_with_the_same_salutation():
    from proposals.demo import texts

    assert texts.salutation is salutation


def test_a_text_is_split_into_paragraphs():
    assert paragraphs("第一段\n\n  第二段  \r\n第三段\n") == ["第一段", "第二段", "第三段"]
    assert paragraphs("") == []
