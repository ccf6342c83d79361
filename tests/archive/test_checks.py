"""Every row is checked before anything is written: each problem is printed with its line
number (the header is line 1), the command exits non-zero, and the database is unchanged."""

import pytest

from .helpers import GOOD, HEADER, SESSION_LABEL, counts, past_session, with_cell, write_sheet
from .test_import import ok, refused, run

LONG_TITLE = "关于" + "加" * 197 + "的建议"  # 202 characters, the limit is 200


@pytest.fixture()
def past(world):
    return past_session()


# (column, bad value, what the message says): the bad cell goes into the second data row
# (line 3), the first row (line 2) stays good
BAD_CELLS = [
    ("会次", "第九届第九次会议", "第 3 行：会次“第九届第九次会议”不存在：请先用 sessions create"),
    ("会次", "九届大会", "第 3 行：会次“九届大会”应写作“第十届第三次会议”"),
    ("年度", "2019", "第 3 行：会次“第九届第二次会议”是 2023 年的会次，与年度 2019 不符"),
    ("年度", "二〇二三", "第 3 行：年度“二〇二三”应为四位数的年份"),
    ("提案号", "", "第 3 行：缺少提案号"),
    ("提案号", "十二", "第 3 行：提案号“十二”应为正整数"),
    ("提案号", "0", "第 3 行：提案号“0”应为正整数"),
    ("提案号", "1", "第 3 行：提案号 1 与第 2 行重复（同一会次）"),
    ("案由", "", "第 3 行：缺少案由"),
    ("案由", LONG_TITLE, "第 3 行：案由不能超过 200 个字（现有 202 个字）"),
    ("提案人", "", "第 3 行：缺少提案人"),
    ("提案人", "李委员、李委员", "第 3 行：提案人“李委员”重复"),
    ("提案人", "李委员、民盟市委", "第 3 行：联名提案人“民盟市委”是组织账号，不能联名"),
    ("类别", "", "第 3 行：缺少类别"),
    ("类别", "农业农村", "第 3 行：未知的提案类别“农业农村”（可填：经济建设、"),
    ("主办单位", "", "第 3 行：缺少主办单位"),
    ("主办单位", "XYZ", "第 3 行：未知的承办单位“XYZ”"),
    ("主办单位", "ZJJ、CZJ", "第 3 行：主办单位只能填一个"),
    ("会办单位", "市卫生健康委员会", "第 3 行：未知的承办单位“市卫生健康委员会”"),
    ("会办单位", "市财政局、CZJ", "第 3 行：承办单位“CZJ”重复"),
    ("答复结果", "", "第 3 行：缺少答复结果"),
    ("答复结果", "D", "第 3 行：答复结果“D”不是已配置的结果代码（A、B、C）"),
    ("答复内容", "", "第 3 行：缺少答复内容"),
    ("满意度", "很满意", "第 3 行：满意度“很满意”应为 满意、基本满意、不满意、未测评 或留空"),
    ("提交日期", "去年春天", "第 3 行：提交日期“去年春天”不是日期（应为 YYYY-MM-DD）"),
    ("提交日期", "2023-02-30", "第 3 行：提交日期“2023-02-30”不是日期"),
    ("提交日期", "2999-01-01", "第 3 行：提交日期 2999-01-01 晚于今天"),
    ("答复日期", "2023/13/01", "第 3 行：答复日期“2023/13/01”不是日期"),
    ("答复日期", "2022-12-31", "第 3 行：答复日期 2022-12-31 早于提交日期 2023-01-12"),
    ("集体提案", "也许", "第 3 行：集体提案“也许”应填 是、否 或组织类型"),
    ("答复内容", "答复\x00正文", "第 3 行：答复内容含有无法保存的字符（如 NUL）"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS)
def test_a_bad_cell_is_reported_with_its_line_and_nothing_is_written(
    runner, world, past, tmp_path, column, value, message
):
    good = GOOD[0]
    bad = with_cell(GOOD[1], column, value)
    if column in ("答复日期", "会次", "年度"):
        bad = with_cell(bad, "提交日期", "2023-01-12")
        bad = with_cell(bad, "会次", value if column == "会次" else SESSION_LABEL)
    before = counts()
    out = refused(run(runner, write_sheet(tmp_path, [good, bad])), message, "未导入任何记录")
    assert "第 2 行：" not in out  # the good row has no problem
    assert counts() == before


def test_an_unknown_year_names_the_sessions_command(runner, world, past, tmp_path):
    row = with_cell(with_cell(GOOD[1], "会次", ""), "年度", "2019")
    before = counts()
    refused(
        run(runner, write_sheet(tmp_path, [row])),
        "第 2 行：没有 2019 年度的会次：",
        "请先用 sessions create 命令（或管理员的会次页面）创建该会次",
    )
    assert counts() == before


def test_a_year_with_two_sessions_asks_for_the_session(runner, world, past, tmp_path):
    past_session(meeting=3)  # a second session in 2023
    row = with_cell(GOOD[1], "会次", "")
    refused(run(runner, write_sheet(tmp_path, [row])), "第 2 行：2023 年度有多个会次")


def test_every_bad_row_is_reported_not_only_the_first(runner, world, past, tmp_path):
    rows = [
        GOOD[0],
        with_cell(GOOD[1], "类别", "农业"),
        GOOD[2],
        with_cell(with_cell(GOOD[3], "主办单位", "XYZ"), "满意度", "很好"),
    ]
    before = counts()
    out = refused(run(runner, write_sheet(tmp_path, rows)), "3 处错误")
    assert "第 3 行：未知的提案类别“农业”" in out
    assert "第 5 行：未知的承办单位“XYZ”" in out and "第 5 行：满意度“很好”" in out
    assert counts() == before


def test_collective_proposals_are_checked(runner, world, past, tmp_path):
    rows = [
        with_cell(GOOD[2], "提案人", "民盟市委、李委员"),  # a collective proposal has one proposer
        with_cell(GOOD[2], "提案人", "李委员"),  # an individual member's account
        with_cell(with_cell(GOOD[2], "提案人", "农工党市委"), "提案号", "8"),  # no account, no type
        with_cell(with_cell(GOOD[0], "集体提案", "否"), "提案人", "民盟市委"),
    ]
    before = counts()
    out = refused(run(runner, write_sheet(tmp_path, rows)))
    assert "第 2 行：集体提案只能有一个提案单位（现有 民盟市委、李委员）" in out
    assert "第 3 行：“李委员”是个人委员的账号，不能作为集体提案的提案单位" in out
    assert "第 4 行：集体提案单位“农工党市委”还没有账号：请在“集体提案”列写明其类型" in out
    assert "第 5 行：提案人“民盟市委”是组织账号，只能提集体提案" in out
    assert counts() == before


def test_a_collective_proposer_without_an_account_gets_an_organisation_account(
    runner, world, past, tmp_path
):
    from sqlalchemy import select

    from proposals.accounts.models import User
    from proposals.extensions import db

    row = with_cell(with_cell(GOOD[2], "提案人", "农工党市委"), "集体提案", "党派")
    ok(run(runner, write_sheet(tmp_path, [row])))
    made = db.session.scalar(select(User).where(User.name == "农工党市委"))
    assert (made.username, made.org_type, made.active) == ("archive-0001", "party", False)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER[2:7] + HEADER[8:10], "缺少列：年度或会次"),
        (["年度", "提案号", "提案人", "类别", "承办单位", "答复结果"], "缺少列：案由、答复内容"),
        (["年度", "主办单位", "承办单位", *HEADER[2:6], *HEADER[8:10]], "是同一列"),
    ],
)  # fmt: skip
def test_a_header_without_a_column_is_refused(runner, world, past, tmp_path, header, message):
    before = counts()
    refused(
        run(runner, write_sheet(tmp_path, [["x"] * len(header)], header)),
        "第 1 行（表头）",
        message,
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "文件是空的"),
        ("header.csv", ",".join(HEADER).encode(), "文件中没有数据行"),
        ("notes.txt", b"hello", "只支持 .csv 或 .xlsx 文件"),
        ("broken.xlsx", b"not a zip", "无法读取 XLSX 文件"),
        ("latin.csv", b"\xff\xfe\x00\x00\xff", "CSV 文件应为 UTF-8 或 GBK 编码"),
    ],
)
def test_an_unusable_file_is_refused(runner, world, past, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    refused(run(runner, str(path)), message)
    refused(run(runner, str(tmp_path / "missing.csv")), "文件不存在")
