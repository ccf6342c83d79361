"""Extensions, created here and bound to the app in create_app()."""
import sqlite3
from datetime import datetime, timezone

from flask import has_request_context, request

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, MetaData, TypeDecorator, event, inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (DeclarativeBase, configure_mappers, make_transient_to_detached,
                            registry)
from sqlalchemy.orm.attributes import set_committed_value

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
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING),
                        type_annotation_map={datetime: UTCDateTime})


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
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
    # up to 16 MB per connection instead of SQLite's 2 MB (issue 7)
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


def read_rows(statement, params=None):
    """The rows of a read-only ``statement`` of plain columns, run on the session's connection
    without the ORM's handling of an execution (setting up and wrapping the result took more
    time than running the statement: issue 7). Pending changes are flushed first, as the
    session's own execute would."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params or {})


def as_loaded(cls, values, **related):
    """The object of the mapped class ``cls`` with the column attributes ``values`` (by
    attribute key: all of them) and the relationships ``related``, in this request's session as
    if the ORM had loaded it: for a row read with read_rows (the ORM's handling of a one-row
    result cost more than running its statement: issue 7). Nothing is pending or changed
    (make_transient_to_detached: as freshly loaded); a change to it is flushed like any other.
    When the session already has that identity: its own object, its expired attributes set
    from the row (as a query does), the others as they are."""
    configure_mappers()  # (a no-op once configured)
    mapper = sa_inspect(cls)
    session = db.session()
    key = mapper.identity_key_from_primary_key(
        tuple(values[mapper.get_property_by_column(c).key] for c in mapper.primary_key))
    found = session.identity_map.get(key)
    if found is not None:
        expired = sa_inspect(found).expired_attributes
        for name, value in (*values.items(), *related.items()):
            if name in expired:
                set_committed_value(found, name, value)
        return found
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    obj.__dict__.update(related)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def loaded_columns(cls, prefix):
    """The column attributes of ``cls`` for a Core statement, labelled ``prefix`` + key (the
    values for as_loaded: columns_of(row, cls, prefix))."""
    return [attr.columns[0].label(prefix + attr.key) for attr in sa_inspect(cls).column_attrs]


def columns_of(row, cls, prefix):
    """The values of ``cls``'s column attributes in ``row`` (read with loaded_columns)."""
    m = row._mapping
    return {attr.key: m[prefix + attr.key] for attr in sa_inspect(cls).column_attrs}
