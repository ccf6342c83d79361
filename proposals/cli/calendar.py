"""holidays list/add/remove: the admin's calendar for years the official data does not cover
(the rules live in committee/service.py)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..committee import service
from ..committee.calendar import coverage_note
from ..committee.models import Holiday
from ..errors import ValidationError
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


def _run(operation, *args):
    try:
        result = operation(*args)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    return result


@holidays.command("add")
@click.argument("day")
@click.option("--workday", is_flag=True, help="a make-up working day (调休上班)")
@click.option("--name", default="")
@with_appcontext
def add(day, workday, name):
    row = _run(service.add_holiday, day, workday, name)
    click.echo(f"{row.day} {'调休上班' if row.is_workday else '放假'} {row.name}")


@holidays.command("remove")
@click.argument("day")
@with_appcontext
def remove(day):
    removed = _run(service.remove_holiday, day)
    click.echo(f"已删除 {removed}")
