"""settings show/set and sessions (届次/会次); the rules live in committee/settings.py and
committee/service.py."""

from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..committee import settings as committee_settings
from ..committee.calendar import coverage_note
from ..committee.models import CommitteeSession
from ..committee.service import DATE_FORMAT_MESSAGE, create_session  # noqa: F401 (tests use it)
from ..errors import ValidationError
from ..extensions import db
from ..i18n import _


@click.group()
def settings():
    """The committee's settings (defaults in docs/domain.md, editable)."""


@settings.command("show")
@with_appcontext
def show():
    values = committee_settings.all_settings()
    for key, spec in committee_settings.SPECS.items():
        value = committee_settings.format_value(values[key])
        marker = (
            ""
            if values[key] == spec.default
            else f"  （已修改，默认 {committee_settings.format_value(spec.default)}）"
        )
        click.echo(f"{key} = {value}    # {spec.label}{marker}")
    click.echo(f"# 工作日日历：{coverage_note()}")


@settings.command("set")
@click.argument("key")
@click.argument("value")
@with_appcontext
def set_(key, value):
    try:
        new = committee_settings.set_value(key, value)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"{key} = {committee_settings.format_value(new)}")


@click.group()
def sessions():
    """Committee sessions (届次/会次) and their plenary windows."""


@sessions.command("create")
@click.option("--term", type=int, required=True, help="届")
@click.option("--meeting", type=int, required=True, help="次")
@click.option("--year", type=int, required=True)
@click.option("--plenary-start", required=True, help="YYYY-MM-DD")
@click.option("--plenary-end", required=True, help="YYYY-MM-DD")
@click.option("--current/--not-current", default=True)
@with_appcontext
def create(term, meeting, year, plenary_start, plenary_end, current):
    try:
        start, end = date.fromisoformat(plenary_start), date.fromisoformat(plenary_end)
    except ValueError:
        raise click.ClickException(_(DATE_FORMAT_MESSAGE)) from None  # Chinese: no request
    try:
        session = create_session(term, meeting, year, start, end, current)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"已创建 {session.label}（{year} 年）")


@sessions.command("list")
@with_appcontext
def list_():
    for s in db.session.scalars(select(CommitteeSession).order_by(CommitteeSession.id)):
        mark = " *当前" if s.is_current else ""
        click.echo(f"{s.id}\t{s.label}\t{s.year}\t{s.plenary_start}–{s.plenary_end}{mark}")
