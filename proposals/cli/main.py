"""The installed `proposals` command: the app's command line without ``flask --app wsgi``."""

import click
from flask.cli import FlaskGroup

from .. import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app())
def main():
    """提案办理系统 command line."""
