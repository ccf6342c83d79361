"""flask --app wsgi assign import FILE [--apply] [--as USERNAME]: checks the sheet row by row,
printing each error with its line number and exiting non-zero; with --apply and no errors it
assigns the whole plan in one transaction as the secretariat user named with --as."""

from sqlalchemy import select

from proposals.extensions import db
from proposals.plans.models import AssignmentPlan

from .. import flows
from .helpers import history_of, plans_count, row, states, xlsx


def write(tmp_path, lines, name="方案.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(lines))
    return str(path)


def test_check_only_prints_each_error_with_its_line(world, runner, tmp_path):
    p, q = flows.filed(world), flows.filed(world, title="关于第二件的建议")
    path = write(tmp_path, [row(p, lead="ZJJ"), [None] * 8, row(q, lead="没有这个局")])
    result = runner.invoke(args=["assign", "import", path])
    assert result.exit_code != 0
    assert "第 4 行：单位“没有这个局”不存在" in result.output
    assert "共 1 处错误，未交办任何提案" in result.output
    assert "第 2 行" not in result.output
    assert states(p, q) == ["filed", "filed"] and plans_count() == 0


def test_check_only_without_errors_assigns_nothing(world, runner, tmp_path):
    p = flows.filed(world)
    result = runner.invoke(args=["assign", "import", write(tmp_path, [row(p, lead="ZJJ")])])
    assert result.exit_code == 0, result.output
    assert "检查通过：1 行" in result.output
    assert states(p) == ["filed"] and plans_count() == 0


def test_apply_needs_a_secretariat_user(world, runner, tmp_path):
    p = flows.filed(world)
    path = write(tmp_path, [row(p, lead="ZJJ")])
    result = runner.invoke(args=["assign", "import", path, "--apply"])
    assert result.exit_code != 0 and "--as" in result.output
    for username in ("m1", "nobody"):
        result = runner.invoke(args=["assign", "import", path, "--apply", "--as", username])
        assert result.exit_code != 0 and "不是有效的提案委员会办公室用户" in result.output
    assert states(p) == ["filed"] and plans_count() == 0


def test_apply_with_an_error_assigns_nothing(world, runner, tmp_path):
    p, q = flows.filed(world), flows.filed(world, title="关于第二件的建议")
    path = write(tmp_path, [row(p, lead="ZJJ"), row(q, co="CZJ")])
    result = runner.invoke(args=["assign", "import", path, "--apply", "--as", "sec"])
    assert result.exit_code != 0
    assert "第 3 行：填写会办单位时须有一个主办单位" in result.output
    assert states(p, q) == ["filed", "filed"] and plans_count() == 0


def test_apply_assigns_the_whole_plan_as_the_user_given(world, runner, tmp_path):
    p, q = flows.filed(world), flows.filed(world, title="关于第二件的建议")
    path = write(tmp_path, [row(p, lead="ZJJ", co="CZJ"), row(q, split="CZJ、JYJ")])
    result = runner.invoke(args=["assign", "import", path, "--apply", "--as", "sec"])
    assert result.exit_code == 0, result.output
    assert "已按方案交办 2 件提案" in result.output
    assert states(p, q) == ["assigned", "assigned"]
    assert history_of(p)[-1].actor_id == world.secretariat.id
    plan = db.session.scalars(select(AssignmentPlan)).one()
    assert plan.applied_by_id == world.secretariat.id and plan.created_by_id == world.secretariat.id
    # the same file again: both proposals are assigned now, named by line
    result = runner.invoke(args=["assign", "import", path, "--apply", "--as", "sec"])
    assert result.exit_code != 0
    assert "第 2 行：" in result.output and "第 3 行：" in result.output
    assert plans_count() == 1


def test_a_missing_or_unreadable_file(world, runner, tmp_path):
    result = runner.invoke(args=["assign", "import", str(tmp_path / "none.xlsx")])
    assert result.exit_code != 0 and "文件不存在" in result.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(args=["assign", "import", str(bad)])
    assert result.exit_code != 0 and "不是有效的 .xlsx 文件" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
