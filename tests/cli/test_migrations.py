"""The schema comes from the migrations (never create_all), so the migrations and the models must
agree: `flask db upgrade` on an empty database gives exactly the models' tables, and a
downgrade to base followed by an upgrade works."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, create_engine, inspect, text

from proposals import MIGRATIONS, create_app
from proposals.extensions import db

from ..conftest import FAST_HASH

SEED_CATEGORIES = {"economy", "politics", "culture", "society", "ecology"}


def schema_differences(connection):
    """What `flask db migrate` would generate: the migrated database against the models."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, db.metadata)


def check_constraints(connection):
    """{table: {check constraint names}} as found in the database."""
    inspector = inspect(connection)
    return {
        t: {c["name"] for c in inspector.get_check_constraints(t)}
        for t in inspector.get_table_names()
        if t != "alembic_version"
    }


def model_check_constraints():
    return {
        t.name: {str(c.name) for c in t.constraints if isinstance(c, CheckConstraint)}
        for t in db.metadata.sorted_tables
    }


def head_revision():
    heads = ScriptDirectory(MIGRATIONS).get_heads()
    assert len(heads) == 1, f"the migrations must have a single head, not {heads}"
    return heads[0]


def test_migrated_test_database_matches_the_models(app):
    """Runs on the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    with app.app_context(), db.engine.connect() as conn:
        assert schema_differences(conn) == []
        assert check_constraints(conn) == model_check_constraints()
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == head_revision()


def test_the_models_declare_check_constraints_so_the_comparison_means_something():
    """Guards the comparison above from passing vacuously: the models do declare CHECKs."""
    checks = model_check_constraints()
    assert "ck_users_role" in checks["users"]
    assert any(checks.values())


@pytest.fixture()
def fresh_app(tmp_path):
    """An app on a new, empty SQLite file (not the suite's database)."""
    url = "sqlite:///" + os.path.join(tmp_path, "fresh.db")
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": FAST_HASH,
        }
    )
    yield app, url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def tables_and_seeds(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            categories = (
                set(conn.execute(text("SELECT code FROM categories")).scalars())
                if "categories" in tables
                else set()
            )
            reasons = (
                conn.execute(text("SELECT COUNT(*) FROM not_filed_reasons")).scalar()
                if "not_filed_reasons" in tables
                else 0
            )
            diffs = schema_differences(conn) if "users" in tables else None
    finally:
        engine.dispose()
    return tables, categories, reasons, diffs


def test_flask_db_upgrade_downgrade_and_upgrade_again_on_a_fresh_database(fresh_app):
    app, url = fresh_app
    runner = app.test_cli_runner()
    model_tables = set(db.metadata.tables)

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    tables, categories, reasons, diffs = tables_and_seeds(url)
    assert tables == model_tables | {"alembic_version"}
    assert categories == SEED_CATEGORIES and reasons == 12  # DOMAIN §2 and §3 defaults
    assert diffs == []

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    tables, _, _, _ = tables_and_seeds(url)
    assert tables <= {"alembic_version"}  # every table of the models dropped

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    tables, categories, reasons, diffs = tables_and_seeds(url)
    assert tables == model_tables | {"alembic_version"}
    assert categories == SEED_CATEGORIES and reasons == 12  # seeded once, not twice
    assert diffs == []
    with app.app_context():
        assert (
            db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            == head_revision()
        )


def test_the_fresh_database_works_with_the_cli(fresh_app):
    """A database built only by the migrations takes real writes (constraints and defaults)."""
    app, _ = fresh_app
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["departments", "create", "--code", "CZJ", "--name", "市财政局"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "clerk1",
            "--password",
            "s3cret-pass",
            "--role",
            "clerk",
            "--name",
            "经办",
            "--department",
            "CZJ",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(text("SELECT COUNT(*) FROM users")).scalar() == 1
