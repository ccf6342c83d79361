"""reminders scan [--now ISO_TIME]: one sweep, the same work as the periodic job."""
from datetime import datetime, timezone

import click
from flask.cli import with_appcontext

from ..reminders.sweep import run_sweep


@click.group()
def reminders():
    """Deadline sweep and reminders (提醒、催办)."""


@reminders.command("scan")
@click.option("--now", "now_text", default=None, help="ISO time to sweep as of (default: now)")
@with_appcontext
def scan(now_text):
    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.ClickException("--now 应为 ISO 8601 时间，如 2026-03-01T09:00:00+08:00") \
                from None
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
    for key, value in run_sweep(now).items():
        click.echo(f"{key}: {value}")
