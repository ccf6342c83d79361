"""assign import FILE [--apply] [--as USERNAME]: a 交办方案 sheet checked row by row and, with
--apply, applied in one transaction (the rules are in proposals/plans/service.py, shared with
the pages and the API).

Assigning is the secretariat's action and every assignment's history names who did it, so
--apply acts as the secretariat user given with --as (the system, which makes the deadline
moves, may not assign). Checking alone needs no one and keeps nothing."""

import os

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import User
from ..errors import DomainError
from ..extensions import db
from ..i18n import _
from ..plans import service
from ..workflow.states import Role


@click.group()
def assign():
    """Bulk assignment (交办方案) from a spreadsheet."""


def _secretariat(username):
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or user.role != Role.SECRETARIAT:
        raise click.BadParameter(
            _("“%(name)s”不是有效的提案委员会办公室用户", name=username), param_hint="--as"
        )
    return user


def _read(path):
    if not os.path.isfile(path):
        raise click.ClickException(_("文件不存在：%(path)s", path=path))
    with open(path, "rb") as fh:
        return fh.read(service.MAX_BYTES + 1)


def _refuse(exc):
    db.session.rollback()
    raise click.ClickException(exc.message) from None


@assign.command("import")
@click.argument("path")
@click.option("--apply", "apply_", is_flag=True, help="无错误时执行：全部交办，或一件也不交办")
@click.option("--as", "username", default=None, help="执行交办的提案委员会办公室用户名")
@with_appcontext
def import_plan(path, apply_, username):
    """Check a 交办方案 sheet (.xlsx or .csv) row by row; with --apply, assign it."""
    if apply_ and not username:
        raise click.UsageError(_("--apply 需要 --as 提案委员会办公室的用户名（交办记录中署名）"))
    actor = _secretariat(username) if username else None
    content = _read(path)
    try:
        if apply_:
            plan = service.create_plan(actor, path, content)
            rows, errors = plan.rows, plan.errors
        else:
            rows, errors = service.check_sheet(path, content)
    except DomainError as exc:
        _refuse(exc)
    for error in errors:
        click.echo(service.at_row(error["row"], error["message"]))
    if errors:
        db.session.rollback()
        raise click.ClickException(
            _("共 %(n)d 处错误，未交办任何提案。请修改表格后重试。", n=len(errors))
        )
    if not apply_:
        db.session.rollback()
        click.echo(_("检查通过：%(n)d 行，没有发现错误（未交办；加 --apply 执行）。", n=len(rows)))
        return
    try:
        assigned = service.apply_plan(actor, plan)
        db.session.commit()
    except DomainError as exc:
        _refuse(exc)
    except StaleDataError:
        db.session.rollback()
        raise click.ClickException(_("提案已被他人修改，未交办任何提案，请重试。")) from None
    click.echo(_("已按方案交办 %(n)d 件提案（方案 #%(id)d）。", n=len(assigned), id=plan.id))
