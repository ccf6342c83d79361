"""Extensions, created here and bound to the app in create_app()."""

import sqlite3
from datetime import UTC, datetime

from flask import has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Times are stored as naive UTC on every database and come back aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING), type_annotation_map={datetime: UTCDateTime}
    )


# Objects are not expired at commit: what a request shows after its action's commit (the
# answer, the redirect's target) is read from the objects as the action left them. Reading them
# again would be work after the commit, and an error there would answer a committed action
# with a failure (which a client retries, acting twice). Code that must see other
# transactions' changes reads them with a fresh query (populate_existing) or expire_all().
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()


def insert(table):
    """An INSERT on ``table`` that knows ON CONFLICT (PostgreSQL's or SQLite's): for rows that
    must exist once however often a job runs (``.on_conflict_do_nothing(index_elements=…)``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


csrf = CSRFProtect()


# SQLite: WAL so readers never block the writer, a busy timeout so writers queue instead of
# failing, and every transaction opened with BEGIN IMMEDIATE so that two writers are serialised
# at the start instead of one failing with "database is locked" at its first write.
@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # the statistics' CTEs and sorts in memory, not in temporary files, and a page cache of
    # up to 16 MB per connection instead of SQLite's 2 MB
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-16384")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    # GET and HEAD requests only read: a deferred BEGIN lets them run beside a writer.
    if has_request_context() and request.method in ("GET", "HEAD"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
