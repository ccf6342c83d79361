"""search reindex: rebuild the Chinese search index from every proposal and reply."""

import time

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.group()
def search():
    """Chinese search index (全文检索)."""


@search.command("reindex")
@with_appcontext
def reindex():
    from ..search.indexer import reindex_all

    started = time.monotonic()

    def progress(done, total):
        click.echo(f"{done}/{total}", err=True)

    count = reindex_all(db.session.connection(), progress=progress)
    db.session.commit()
    click.echo(f"indexed: {count} proposals in {time.monotonic() - started:.1f} s")
