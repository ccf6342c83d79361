"""The command line (docs/api.md "Command line"): users, departments, settings, sessions, holidays.
A command that refuses its input exits non-zero with a message and changes nothing."""

import csv
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from proposals.accounts.models import Department, User
from proposals.committee import settings as committee_settings
from proposals.committee.calendar import official_years
from proposals.committee.models import CommitteeSession, Holiday, Setting
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from ..conftest import FAST_HASH


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def ok(result):
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def refused(result, *phrases):
    """The command failed cleanly (a ClickException, not a traceback) saying each phrase."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    for phrase in phrases:
        assert phrase in result.output, f"{phrase!r} not in {result.output!r}"
    return result.output


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return str(path)


def write_xlsx(path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return str(path)


# --- users create -------------------------------------------------------------------------------

USER_ARGS = [
    "users",
    "create",
    "--username",
    "zhang3",
    "--password",
    "s3cret-pass",
    "--role",
    "member",
    "--name",
    "张三",
]


def test_users_create_makes_a_user_with_the_apps_password_hash(runner):
    out = ok(
        runner.invoke(args=USER_ARGS + ["--email", "z3@example.org", "--phone", "13800000000"])
    )
    assert "zhang3" in out
    u = user("zhang3")
    assert (u.name, u.role, u.email, u.phone, u.org_type) == (
        "张三",
        "member",
        "z3@example.org",
        "13800000000",
        None,
    )
    assert u.password_hash.startswith(FAST_HASH + "$")
    assert u.check_password("s3cret-pass") and not u.check_password("wrong-pass")


def test_users_create_unit_staff_and_organisation_accounts(runner, make):
    make.department("市财政局", "CZJ")
    db.session.commit()
    ok(
        runner.invoke(
            args=[
                "users",
                "create",
                "--username",
                "clerk1",
                "--password",
                "s3cret-pass",
                "--role",
                "clerk",
                "--name",
                "赵经办",
                "--department",
                "CZJ",
            ]
        )
    )
    ok(
        runner.invoke(
            args=[
                "users",
                "create",
                "--username",
                "minmeng",
                "--password",
                "s3cret-pass",
                "--role",
                "member",
                "--name",
                "民盟市委",
                "--org-type",
                "party",
            ]
        )
    )
    assert user("clerk1").department.code == "CZJ"
    assert user("minmeng").org_type == "party" and user("minmeng").is_organisation


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--username": "a"}, "用户名“a”无效"),
        ({"--username": "张 三"}, "无效"),
        ({"--password": "short"}, "密码至少 8 位"),
        ({"--role": "boss"}, "角色“boss”无效"),
        ({"--name": ""}, "缺少姓名"),
        ({"--email": "not-an-email"}, "邮箱“not-an-email”格式不正确"),
        ({"--role": "clerk"}, "须填写单位代码"),
        ({"--role": "clerk", "--department": "NOPE"}, "未知的单位代码“NOPE”"),
        ({"--department": "CZJ"}, "只有经办人和负责人属于承办单位"),
        ({"--org-type": "club"}, "类型“club”无效"),
        ({"--role": "secretariat", "--org-type": "party"}, "组织账号的角色应为 member"),
        ({"--username": "taken"}, "用户名“taken”已存在"),
    ],
)
def test_users_create_refuses_bad_input_and_creates_nothing(runner, make, change, message):
    make.department("市财政局", "CZJ")
    make.user("member", username="taken")
    db.session.commit()
    before = count(User)
    options = dict(zip(USER_ARGS[2::2], USER_ARGS[3::2]))
    options.update(change)
    args = ["users", "create"] + [x for kv in options.items() for x in kv]
    refused(runner.invoke(args=args), message)
    assert count(User) == before


# --- users import -------------------------------------------------------------------------------


def test_users_import_csv_with_english_headers(runner, make, tmp_path):
    make.department("市财政局", "CZJ")
    db.session.commit()
    path = write_csv(
        tmp_path / "users.csv",
        [
            [
                "username",
                "name",
                "role",
                "password",
                "department",
                "email",
                "phone",
                "org_type",
                "sector",
            ],
            [
                "wang5",
                "王五",
                "member",
                "password-1",
                "",
                "w5@example.org",
                "13900000000",
                "",
                "经济界",
            ],
            ["czj_clerk", "财政经办", "clerk", "password-2", "CZJ", "", "", "", ""],
            ["", "", "", "", "", "", "", "", ""],  # a blank line is skipped
            ["zhigong", "致公党市委", "member", "password-3", "", "", "", "party", ""],
        ],
    )
    out = ok(runner.invoke(args=["users", "import", path]))
    assert "3" in out
    assert user("wang5").sector == "经济界" and user("wang5").phone == "13900000000"
    assert user("czj_clerk").department.code == "CZJ"
    assert user("zhigong").org_type == "party"
    assert user("wang5").check_password("password-1")
    assert user("wang5").password_hash.startswith(FAST_HASH + "$")


def test_users_import_xlsx_with_chinese_headers_and_words(runner, make, tmp_path):
    make.department("市教育局", "JYJ")
    db.session.commit()
    path = write_xlsx(
        tmp_path / "委员名单.xlsx",
        [
            ["用户名", "姓名", "角色", "密码", "单位", "邮箱", "电话", "类型", "界别"],
            [
                "li4",
                "李四",
                "委员",
                "password-1",
                None,
                "l4@example.org",
                13700000000,
                None,
                "教育界",
            ],
            ["jyj_head", "教育局长", "负责人", "password-2", "JYJ", None, None, None, None],
            ["jyj_clerk", "教育经办", "经办人", "password-3", "JYJ", None, None, None, None],
            [
                "office",
                "提案委员会办公室",
                "提案委员会办公室",
                "password-4",
                None,
                None,
                None,
                None,
                None,
            ],
            ["gonghui", "市总工会", "委员", 73920561, None, None, None, "人民团体", "工会"],
            ["jiebie", "经济界别", "委员", "password-6", None, None, None, "界别", None],
        ],
    )
    ok(runner.invoke(args=["users", "import", path]))
    assert user("li4").phone == "13700000000"  # a number typed in Excel keeps its digits
    assert user("li4").sector == "教育界"
    assert user("jyj_head").role == "department_head" and user("jyj_head").department.code == "JYJ"
    assert user("jyj_clerk").role == "clerk"
    assert user("office").role == "secretariat"
    assert user("gonghui").org_type == "organization"
    assert user("gonghui").check_password("73920561")
    assert user("jiebie").org_type == "sector"


GOOD_ROWS = [
    ["username", "name", "role", "password", "department", "email"],
    ["ok1", "甲", "member", "password-1", "", ""],
    ["ok2", "乙", "member", "password-2", "", ""],
]


@pytest.mark.parametrize(
    "bad_row, message",
    [
        (["bad", "丙", "clerk", "password-3", "NOPE", ""], "未知的单位代码“NOPE”"),
        (["bad", "丙", "chairman", "password-3", "", ""], "角色“chairman”无效"),
        (["bad", "丙", "member", "short", "", ""], "密码至少 8 位"),
        (["ok1", "丙", "member", "password-3", "", ""], "用户名“ok1”已存在"),  # twice in the file
        (["taken", "丙", "member", "password-3", "", ""], "用户名“taken”已存在"),  # in the database
        (["bad", "丙", "member", "password-3", "", "bad@"], "邮箱“bad@”格式不正确"),
        (["bad", "", "member", "password-3", "", ""], "缺少姓名"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_users_import_reports_the_bad_line_and_imports_nothing(
    runner, make, tmp_path, fmt, bad_row, message
):
    make.user("member", username="taken")
    db.session.commit()
    before = count(User)
    rows = GOOD_ROWS[:2] + [bad_row] + GOOD_ROWS[2:]  # the bad row is line 3 of 4
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"users.{fmt}", rows)
    out = refused(
        runner.invoke(args=["users", "import", path]), f"第 3 行：{message}", "未导入任何记录"
    )
    assert "第 2 行" not in out and "第 4 行" not in out
    assert count(User) == before
    assert user("ok1") is None


def test_users_import_reports_every_bad_line(runner, tmp_path):
    path = write_csv(
        tmp_path / "users.csv",
        [
            GOOD_ROWS[0],
            ["x", "甲", "member", "password-1", "", ""],
            GOOD_ROWS[1],
            ["ok9", "乙", "admin", "pw", "", ""],
        ],
    )
    refused(
        runner.invoke(args=["users", "import", path]),
        "第 2 行：用户名“x”无效",
        "第 4 行：密码至少 8 位",
    )
    assert count(User) == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("users.csv", "name,role,password\n甲,member,password-1\n", "缺少列：username"),
        ("users.csv", "username,name,role,password\n", "没有数据行"),
        ("users.csv", "", "文件是空的"),
        ("users.txt", "username\n", "只支持 .csv 或 .xlsx"),
        ("users.xlsx", "not a zip file", "无法读取 XLSX"),
    ],
)
def test_users_import_refuses_unusable_files(runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused(runner.invoke(args=["users", "import", str(path)]), message)
    assert count(User) == 0


def test_users_import_refuses_a_missing_file_and_non_utf8_csv(runner, tmp_path):
    refused(runner.invoke(args=["users", "import", str(tmp_path / "none.csv")]), "文件不存在")
    path = tmp_path / "gbk.csv"
    path.write_bytes("username,name,role,password\nwang,王五,member,password-1\n".encode("gbk"))
    refused(runner.invoke(args=["users", "import", str(path)]), "UTF-8")
    assert count(User) == 0


# --- departments --------------------------------------------------------------------------------


def test_departments_create(runner):
    out = ok(
        runner.invoke(
            args=["departments", "create", "--code", "ZJJ", "--name", "市住房和城乡建设局"]
        )
    )
    assert "ZJJ" in out
    d = db.session.scalar(select(Department).where(Department.code == "ZJJ"))
    assert d.name == "市住房和城乡建设局" and d.active


@pytest.mark.parametrize(
    "code, name, message",
    [
        ("ZJJ", "另一个单位", "单位代码“ZJJ”已存在"),
        ("NEW", "市住房和城乡建设局", "单位名称“市住房和城乡建设局”已存在"),
        ("有空 格", "新单位", "无效"),
        ("NEW", "", "单位名称不能为空"),
        ("NEW", "局" * 121, "不超过 120 字"),
    ],
)
def test_departments_create_refuses_bad_input(runner, make, code, name, message):
    make.department("市住房和城乡建设局", "ZJJ")
    db.session.commit()
    refused(runner.invoke(args=["departments", "create", "--code", code, "--name", name]), message)
    assert count(Department) == 1


@pytest.mark.parametrize(
    "fmt, header",
    [("csv", ["code", "name"]), ("xlsx", ["单位代码", "单位名称"]), ("csv", ["代码", "名称"])],
)
def test_departments_import(runner, tmp_path, fmt, header):
    rows = [header, ["CZJ", "市财政局"], ["JYJ", "市教育局"], ["GAJ", "市公安局"]]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"units.{fmt}", rows)
    ok(runner.invoke(args=["departments", "import", path]))
    assert {d.code: d.name for d in db.session.scalars(select(Department))} == {
        "CZJ": "市财政局",
        "JYJ": "市教育局",
        "GAJ": "市公安局",
    }


@pytest.mark.parametrize(
    "bad_row, message",
    [
        (["CZJ", "另一个财政局"], "单位代码“CZJ”已存在"),  # twice in the file
        (["OLD", "已有单位"], "单位代码“OLD”已存在"),  # in the database
        (["NEW", "市财政局"], "单位名称“市财政局”已存在"),
        (["N W", "新单位"], "单位代码“N W”无效"),
        (["NEW", ""], "单位名称不能为空"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_departments_import_reports_the_bad_line_and_imports_nothing(
    runner, make, tmp_path, fmt, bad_row, message
):
    make.department("已有单位", "OLD")
    db.session.commit()
    rows = [["code", "name"], ["CZJ", "市财政局"], ["JYJ", "市教育局"], bad_row]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"units.{fmt}", rows)
    out = refused(runner.invoke(args=["departments", "import", path]), f"第 4 行：{message}")
    assert "第 2 行" not in out and "第 3 行" not in out
    assert count(Department) == 1


# --- settings -----------------------------------------------------------------------------------


def test_settings_show_lists_every_setting_default_and_the_calendar_note(runner):
    out = ok(runner.invoke(args=["settings", "show"]))
    for key, spec in committee_settings.SPECS.items():
        assert f"{key} = {committee_settings.format_value(spec.default)}" in out, key
        assert spec.label in out
    assert "reply_due_months = 3" in out and "reminder_reply_before_days = 30,7,1" in out
    assert "工作日日历" in out and "官方节假日数据" in out
    assert "已修改" not in out


def test_settings_set_changes_the_value_shown_and_used_by_the_operations(runner, world):
    out = ok(runner.invoke(args=["settings", "set", "reply_due_months", "4"]))
    assert "reply_due_months = 4" in out
    shown = ok(runner.invoke(args=["settings", "show"]))
    line = next(x for x in shown.splitlines() if x.startswith("reply_due_months"))
    assert line.startswith("reply_due_months = 4") and "已修改" in line and "默认 3" in line
    assert committee_settings.get("reply_due_months") == 4
    # a new assignment's reply deadline is 4 calendar months after assignment
    moment = datetime(2025, 3, 14, 2, tzinfo=UTC)
    p = ops.create_proposal(world.member, world.content(), now=moment)
    ops.submit_proposal(world.member, p, now=moment)
    ops.review_proposal(world.secretariat, p, {"decision": "file"}, now=moment)
    ops.assign_proposal(world.secretariat, p, [{"code": "ZJJ", "role": "lead"}], now=moment)
    db.session.commit()
    assert loaded(p, "assignments").assignments[0].reply_due == date(2025, 7, 14)


@pytest.mark.parametrize(
    "key, value, normalised",
    [
        ("signoff_required", "否", "false"),
        ("sms_enabled", "on", "true"),
        ("reminder_reply_before_days", "1，30,7,7", "30,7,1"),
        ("result_codes", "A, B ，C, A", "A,B,C"),
    ],
)
def test_settings_set_parses_each_kind(runner, key, value, normalised):
    assert f"{key} = {normalised}" in ok(runner.invoke(args=["settings", "set", key, value]))
    assert committee_settings.format_value(committee_settings.get(key)) == normalised


def test_settings_set_changes_the_result_codes_and_their_wordings_together(runner):
    alone = runner.invoke(args=["settings", "set", "result_codes", "A,B,C,D"])
    assert alone.exit_code != 0 and "result_code_labels" in alone.output
    labels = "已解决或采纳,正在解决或列入计划,因条件限制留作参考,因条件限制暂不能解决"
    out = ok(
        runner.invoke(
            args=["settings", "set", "result_codes", "A,B,C,D", "result_code_labels", labels]
        )
    )
    assert "result_codes = A,B,C,D" in out and f"result_code_labels = {labels}" in out
    assert committee_settings.result_labels()["D"] == "因条件限制暂不能解决"


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("no_such_setting", "1", "未知的设置项 no_such_setting"),
        ("reply_due_months", "three", "reply_due_months"),
        ("reply_due_months", "0", "应在 1 到 12 之间"),
        ("reply_due_months", "13", "应在 1 到 12 之间"),
        ("signoff_required", "maybe", "应为 true 或 false"),
        ("reminder_reply_before_days", "", "reminder_reply_before_days"),
        ("reminder_reply_before_days", "30,x", "整数"),
        ("proposal_min_chars", "6000", "最少字数不能大于最多字数"),
        ("reply_due_months", "7", "extension_max_months"),  # reply due after the 6-month cap
        ("extension_max_months", "2", "extension_max_months"),  # cap before the reply deadline
        ("opinion_due_months", "4", "reply_due_months"),  # co-opinions after the reply
    ],
)
def test_settings_set_refuses_bad_values_and_changes_nothing(runner, key, value, message):
    refused(runner.invoke(args=["settings", "set", key, value]), message)
    assert count(Setting) == 0
    assert committee_settings.all_settings() == {
        k: s.default for k, s in committee_settings.SPECS.items()
    }


def test_settings_set_int_error_says_what_is_expected(runner):
    out = refused(runner.invoke(args=["settings", "set", "reply_due_months", "three"]))
    assert "整数" in out and "1" in out and "12" in out


# --- sessions -----------------------------------------------------------------------------------


def test_sessions_create_and_list(runner):
    ok(
        runner.invoke(
            args=[
                "sessions",
                "create",
                "--term",
                "10",
                "--meeting",
                "3",
                "--year",
                "2025",
                "--plenary-start",
                "2025-01-10",
                "--plenary-end",
                "2025-01-14",
            ]
        )
    )
    out = ok(
        runner.invoke(
            args=[
                "sessions",
                "create",
                "--term",
                "10",
                "--meeting",
                "4",
                "--year",
                "2026",
                "--plenary-start",
                "2026-01-09",
                "--plenary-end",
                "2026-01-13",
            ]
        )
    )
    assert "第十届第四次会议" in out
    listing = ok(runner.invoke(args=["sessions", "list"])).splitlines()
    assert len(listing) == 2
    assert "第十届第三次会议" in listing[0] and "当前" not in listing[0]
    assert "第十届第四次会议" in listing[1] and "*当前" in listing[1]  # one current session
    current = db.session.scalars(select(CommitteeSession).where(CommitteeSession.is_current)).all()
    assert [(s.term, s.meeting) for s in current] == [(10, 4)]


def test_sessions_create_not_current_keeps_the_current_one(runner, make):
    make.session(year=2025, term=10, meeting=3)
    db.session.commit()
    ok(
        runner.invoke(
            args=[
                "sessions",
                "create",
                "--term",
                "11",
                "--meeting",
                "1",
                "--year",
                "2027",
                "--plenary-start",
                "2027-01-08",
                "--plenary-end",
                "2027-01-12",
                "--not-current",
            ]
        )
    )
    current = db.session.scalars(select(CommitteeSession).where(CommitteeSession.is_current)).all()
    assert [(s.term, s.meeting) for s in current] == [(10, 3)]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--meeting": "3"}, "该会次已存在"),
        ({"--plenary-end": "2026-01-01"}, "大会结束日期不能早于开始日期"),
        ({"--plenary-start": "2026/01/09"}, "日期应为 YYYY-MM-DD"),
        ({"--term": "0"}, "届次和会次应为正整数"),
    ],
)
def test_sessions_create_refuses_bad_input(runner, make, change, message):
    make.session(year=2025, term=10, meeting=3)
    db.session.commit()
    options = {
        "--term": "10",
        "--meeting": "4",
        "--year": "2026",
        "--plenary-start": "2026-01-09",
        "--plenary-end": "2026-01-13",
    }
    options.update(change)
    refused(
        runner.invoke(args=["sessions", "create"] + [x for kv in options.items() for x in kv]),
        message,
    )
    assert count(CommitteeSession) == 1
    assert db.session.scalar(select(CommitteeSession)).is_current


# --- holidays -----------------------------------------------------------------------------------


def _beyond():
    """A Monday and the Saturday before it in the first year the official calendar lacks."""
    year = official_years()[1] + 1
    monday = date(year, 10, 1) + timedelta(days=(7 - date(year, 10, 1).weekday()) % 7)
    return monday, monday - timedelta(days=2)


def test_holidays_add_list_remove_for_an_unannounced_year(runner):
    monday, saturday = _beyond()
    ok(runner.invoke(args=["holidays", "add", monday.isoformat(), "--name", "国庆节"]))
    ok(
        runner.invoke(
            args=["holidays", "add", saturday.isoformat(), "--workday", "--name", "国庆调休"]
        )
    )
    out = ok(runner.invoke(args=["holidays", "list"]))
    assert "官方节假日数据" in out
    assert f"{monday}\t放假\t国庆节" in out and f"{saturday}\t调休上班\t国庆调休" in out
    # adding the same day again replaces it
    ok(runner.invoke(args=["holidays", "add", monday.isoformat(), "--name", "国庆节假期"]))
    assert count(Holiday) == 2 and db.session.get(Holiday, monday).name == "国庆节假期"
    ok(runner.invoke(args=["holidays", "remove", monday.isoformat()]))
    assert db.session.get(Holiday, monday) is None and count(Holiday) == 1
    refused(runner.invoke(args=["holidays", "remove", monday.isoformat()]), "不在节假日表中")


@pytest.mark.parametrize("day", ["2025-10-01", "2026-02-14", "2024-12-31"])
def test_holidays_add_refuses_a_year_the_official_calendar_covers(runner, day):
    refused(runner.invoke(args=["holidays", "add", day]), f"{day[:4]} 年已由官方节假日数据覆盖")
    assert count(Holiday) == 0


def test_holidays_add_and_remove_refuse_a_bad_date(runner):
    refused(runner.invoke(args=["holidays", "add", "next monday"]), "日期应为 YYYY-MM-DD")
    refused(runner.invoke(args=["holidays", "remove", "2027-13-01"]), "日期应为 YYYY-MM-DD")
    assert count(Holiday) == 0


def test_holidays_added_are_used_for_deadlines_in_unannounced_years(runner, world):
    """The fallback calendar: weekends plus the admin's list, used by create_assignment."""
    monday, saturday = _beyond()
    friday = saturday - timedelta(days=1)
    ok(runner.invoke(args=["holidays", "add", saturday.isoformat(), "--workday"]))
    for i in range(3):  # Monday to Wednesday off
        ok(runner.invoke(args=["holidays", "add", (monday + timedelta(days=i)).isoformat()]))
    moment = datetime(friday.year, friday.month, friday.day, 2, tzinfo=UTC)
    p = ops.create_proposal(world.member, world.content(), now=moment)
    ops.submit_proposal(world.member, p, now=moment)
    ops.review_proposal(world.secretariat, p, {"decision": "file"}, now=moment)
    ops.assign_proposal(world.secretariat, p, [{"code": "ZJJ", "role": "lead"}], now=moment)
    db.session.commit()
    # Saturday (make-up), Thursday, Friday, then the next Monday and Tuesday
    assert loaded(p, "assignments").assignments[0].accept_due == monday + timedelta(days=8)
