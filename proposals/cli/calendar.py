"""holidays list/add/remove: the admin's calendar for years the official data does not cover."""
from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..committee.calendar import WorkCalendar, coverage_note
from ..committee.models import Holiday
from ..extensions import db


@click.group()
def holidays():
    """Holidays and make-up working days beyond the official calendar's years."""


@holidays.command("list")
@with_appcontext
def list_():
    click.echo(coverage_note())
    for h in db.session.scalars(select(Holiday).order_by(Holiday.day)):
        click.echo(f"{h.day}\t{'调休上班' if h.is_workday else '放假'}\t{h.name}")


@holidays.command("add")
@click.argument("day")
@click.option("--workday", is_flag=True, help="a make-up working day (调休上班)")
@click.option("--name", default="")
@with_appcontext
def add(day, workday, name):
    try:
        d = date.fromisoformat(day)
    except ValueError:
        raise click.ClickException("日期应为 YYYY-MM-DD") from None
    if WorkCalendar().is_official(d):
        raise click.ClickException(f"{d.year} 年已由官方节假日数据覆盖，无需手工维护")
    row = db.session.get(Holiday, d) or Holiday(day=d)
    row.is_workday, row.name = workday, name
    db.session.add(row)
    db.session.commit()
    click.echo(f"{d} {'调休上班' if workday else '放假'} {name}")


@holidays.command("remove")
@click.argument("day")
@with_appcontext
def remove(day):
    try:
        row = db.session.get(Holiday, date.fromisoformat(day))
    except ValueError:
        raise click.ClickException("日期应为 YYYY-MM-DD") from None
    if row is None:
        raise click.ClickException("该日期不在节假日表中")
    db.session.delete(row)
    db.session.commit()
    click.echo(f"已删除 {day}")
