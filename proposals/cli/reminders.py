"""reminders scan [--now ISO_TIME]: one sweep, the same work as the periodic job."""

import time
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..documents.jobs import run_pass as run_exports
from ..extensions import db
from ..notifications.dispatch import dispatch_due
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
            raise click.ClickException(
                "--now 应为 ISO 8601 时间，如 2026-03-01T09:00:00+08:00"
            ) from None
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    for key, value in run_sweep(now).items():
        click.echo(f"{key}: {value}")


@reminders.command("loop")
@click.option(
    "--interval",
    type=int,
    default=None,
    help="seconds between sweeps (default: SWEEP_INTERVAL_SECONDS, 300)",
)
@with_appcontext
def loop(interval):
    """The embedded scheduler for a single machine without Redis: a sweep every SWEEP_INTERVAL
    seconds, and between sweeps the deliveries that are due (an event's, within seconds of its
    action) and the next export requested (a long document) every DISPATCH_INTERVAL_SECONDS."""
    interval = interval or current_app.config["SWEEP_INTERVAL_SECONDS"]
    every = min(current_app.config["DISPATCH_INTERVAL_SECONDS"], interval)
    next_sweep = 0.0
    while True:
        try:
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + interval
                counts = run_sweep()
                click.echo(f"{datetime.now(UTC).isoformat()} sweep {counts}")
            else:
                sent = dispatch_due()
                if sent:
                    click.echo(f"{datetime.now(UTC).isoformat()} sent {sent}")
                # the exports requested (documents/jobs.py): one built per pass without Redis
                if run_exports():
                    click.echo(f"{datetime.now(UTC).isoformat()} built an export")
        except Exception as exc:  # keep going; the next round catches up
            db.session.rollback()
            click.echo(f"sweep failed: {exc}", err=True)
        finally:
            db.session.remove()
        time.sleep(every)
