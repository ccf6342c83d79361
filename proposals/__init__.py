"""提案办理系统: CPPCC proposal handling."""

import logging
import os

from flask import Flask, abort, jsonify

from .config import load_config
from .extensions import csrf, db, login_manager, migrate
from .inputs import MAX_ID  # ids are 32-bit integers on PostgreSQL

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def configure_logging():
    """The app's own INFO lines (the audit, the sweep, deliveries) reach the process's log:
    standard error, which gunicorn keeps in its error log, unless something (a logging
    configuration, Celery, Alembic) has set up logging already; then they go there."""
    if not logging.getLogger().handlers:
        logging.basicConfig(format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    logger = logging.getLogger("proposals")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def create_app(config=None, instance_path=None):
    """The app; ``instance_path`` (default: instance/ in the checkout) holds the SQLite file,
    attachments, backups and the secret made on first start."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, config)

    configure_logging()

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    login_manager.init_app(app)
    csrf.init_app(app)

    # login sessions (the user loader), login rate limits, security headers, the audit log
    from . import (
        models,  # noqa: F401  (every table registered on the metadata)
        security,
    )

    security.init_app(app)

    from .api import bp as api_bp

    csrf.exempt(api_bp)  # token-authenticated, no cookies
    app.register_blueprint(api_bp)

    from .web import init_web

    init_web(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @app.url_value_preprocessor
    def _ids_in_range(endpoint, values):
        """A path id no record can have (/proposals/99999999999999999999) is simply not found,
        not a database error: ids are 32-bit integers on PostgreSQL."""
        for name, value in (values or {}).items():
            if name.endswith("_id") and isinstance(value, int) and not 0 < value <= MAX_ID:
                abort(404)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    from .cli import register

    register(app)
    return app
