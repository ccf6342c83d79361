"""users create/import and departments create/import (the rules live in accounts/service.py)."""

import os

import click
from flask.cli import with_appcontext

from ..accounts import service
from ..errors import ValidationError
from ..extensions import db


def read_rows(path):
    """(header, [(line_number, {column: text})]) from a local CSV (UTF-8) or XLSX file."""
    if not os.path.exists(path):
        raise click.ClickException(f"文件不存在：{path}")
    with open(path, "rb") as fh:
        content = fh.read()
    try:
        return service.read_table(path, content)
    except ValidationError as exc:
        raise click.ClickException(exc.message) from None


def _run(operation, *args):
    """Call a service function; a refusal becomes a clean command-line error."""
    try:
        result = operation(*args)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    return result


@click.group()
def users():
    """Users: create one, or import many from CSV/XLSX."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True)
@click.option("--name", required=True)
@click.option("--department", default="")
@click.option("--email", default="")
@click.option("--phone", default="")
@click.option("--wecom-userid", "wecom_userid", default="", help="企业微信账号（UserID）")
@click.option("--org-type", "org_type", default="")
@click.option("--sector", default="")
@click.option("--units", default="", help="督查室所联系单位的代码，逗号分隔")
@with_appcontext
def create_user(**data):
    user = _run(service.create_user, data)
    click.echo(f"已创建用户 {user.username}（{user.role}）")


@users.command("import")
@click.argument("path")
@with_appcontext
def import_users(path):
    """Import users; the whole file is checked first and nothing is imported on any error."""
    header, rows = read_rows(path)
    count = _run(service.import_users, header, rows)
    click.echo(f"已导入 {count} 个用户")


@click.group()
def departments():
    """Handling units (承办单位)."""


@departments.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@with_appcontext
def create_department(code, name):
    department = _run(service.create_department, code, name)
    click.echo(f"已创建单位 {department.code} {department.name}")


@departments.command("import")
@click.argument("path")
@with_appcontext
def import_departments(path):
    header, rows = read_rows(path)
    count = _run(service.import_departments, header, rows)
    click.echo(f"已导入 {count} 个单位")
