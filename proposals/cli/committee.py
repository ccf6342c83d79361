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
@click.argument("more", nargs=-1)
@with_appcontext
def set_(key, value, more):
    """KEY VALUE [KEY VALUE]…: settings that go together (result_codes and
    result_code_labels) are set together, checked on the values they will all have."""
    if len(more) % 2:
        raise click.UsageError("KEY VALUE [KEY VALUE]…")
    changes = {key: value, **dict(zip(more[::2], more[1::2]))}
    try:
        new = committee_settings.set_values(changes)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    for k, v in new.items():
        click.echo(f"{k} = {committee_settings.format_value(v)}")


@click.group()
def sessions():
    """Committee sessions (届次/会次), their plenary and collection windows (征集期)."""


@sessions.command("create")
@click.option("--term", type=int, required=True, help="届")
@click.option("--meeting", type=int, required=True, help="次")
@click.option("--year", type=int, required=True)
@click.option("--plenary-start", required=True, help="YYYY-MM-DD")
@click.option("--plenary-end", required=True, help="YYYY-MM-DD")
@click.option(
    "--collection-start",
    help="YYYY-MM-DD, 征集期开始（默认大会开始前三个月）",
)
@click.option("--collection-end", help="YYYY-MM-DD, 征集期截止（默认大会结束日）")
@click.option("--current/--not-current", default=True)
@with_appcontext
def create(
    term, meeting, year, plenary_start, plenary_end, collection_start, collection_end, current
):
    dates = {
        "plenary_start": plenary_start,
        "plenary_end": plenary_end,
        "collection_start": collection_start,
        "collection_end": collection_end,
    }
    problems = {}
    for field, text in dates.items():
        if text is None:
            continue
        try:
            dates[field] = date.fromisoformat(text.strip())
        except ValueError:
            problems[field] = _(DATE_FORMAT_MESSAGE)  # Chinese: no request
    if problems:
        raise click.ClickException(_refusal(problems))
    try:
        session = create_session(term, meeting, year, current=current, **dates)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(_refusal(exc.fields) if exc.fields else exc.message) from None
    db.session.commit()
    click.echo(
        f"已创建 {session.label}（{year} 年，征集期 "
        f"{session.collection_start}–{session.collection_end}）"
    )


def _refusal(problems):
    """Each message after the option it is about: ``--collection-end：…``."""
    return "；".join(
        f"--{field.replace('_', '-')}：{message}" for field, message in problems.items()
    )


@sessions.command("list")
@with_appcontext
def list_():
    for s in db.session.scalars(select(CommitteeSession).order_by(CommitteeSession.id)):
        mark = " *当前" if s.is_current else ""
        click.echo(
            f"{s.id}\t{s.label}\t{s.year}\t{s.plenary_start}–{s.plenary_end}"
            f"\t征集期 {s.collection_start}–{s.collection_end}{mark}"
        )
