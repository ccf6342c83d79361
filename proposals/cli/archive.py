"""proposals import FILE --as USERNAME: earlier years' proposals from a spreadsheet (the rules
live in proposals/archive/)."""

import os

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.service import ImportFailed
from ..archive import import_archive
from ..errors import DomainError
from ..extensions import db


@click.group("proposals")
def proposals():
    """Proposals of earlier years (历年提案)."""


@proposals.command("import")
@click.argument("path")
@click.option(
    "--as",
    "username",
    required=True,
    help="the secretariat account that imports (recorded in each proposal's history)",
)
@click.option("--check", "check_only", is_flag=True, help="check every row, write nothing")
@click.option(
    "--withhold-from-portal",
    "withhold",
    is_flag=True,
    help="mark every imported proposal not for disclosure (不公开)",
)
@with_appcontext
def import_(path, username, check_only, withhold):
    """Import earlier years' proposals from a .csv or .xlsx file: every row is checked first,
    and on any error nothing is imported (each error is printed with its line number)."""
    if not os.path.exists(path):
        raise click.ClickException(f"文件不存在：{path}")
    actor = db.session.scalar(select(User).where(User.username == username))
    if actor is None:
        raise click.ClickException(f"用户 {username} 不存在")
    with open(path, "rb") as fh:
        content = fh.read()
    try:
        report = import_archive(
            actor, os.path.basename(path), content, withhold=withhold, check_only=check_only
        )
    except ImportFailed as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(
            f"导入失败，未导入任何记录：{len(exc.problems)} 处错误（见上）"
        ) from None
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    if check_only:
        db.session.rollback()
    else:
        db.session.commit()
    for header in report.ignored:
        click.echo(f"未识别的列（已忽略）：{header}")
    verb = "检查通过，可导入" if check_only else "已导入"
    click.echo(f"{verb} {report.count} 件提案：")
    for label, (count, low, high) in report.sessions.items():
        click.echo(f"  {label}：{count} 件，提案号 {low}–{high}")
    if report.new_accounts:
        made = "将新建" if check_only else "新建"
        click.echo(f"{made} {len(report.new_accounts)} 个停用的委员账号（不能登录）：")
        for username_, name in report.new_accounts:
            click.echo(f"  {name}" if username_ is None else f"  {username_} {name}")
