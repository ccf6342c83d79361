"""提案办理系统: CPPCC proposal handling."""
import os

from flask import Flask, jsonify, render_template, request

from .config import load_config
from .extensions import csrf, db, login_manager, migrate

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "migrations")


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import models  # noqa: F401  (every table registered on the metadata)
    from .accounts.models import User

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id))
        return user if user and user.active else None

    from .api import bp as api_bp, http_error
    csrf.exempt(api_bp)  # token-authenticated, no cookies
    app.register_blueprint(api_bp)

    @app.errorhandler(Exception)
    def _errors(exc):
        from werkzeug.exceptions import HTTPException
        if request.path.startswith("/api/"):
            if not isinstance(exc, HTTPException):
                app.logger.exception("unhandled error")
            return http_error(exc)
        if isinstance(exc, HTTPException):
            return exc
        app.logger.exception("unhandled error")
        return "服务器内部错误", 500

    @app.get("/")
    def index():
        return render_template("index.html")

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    from .cli import register
    register(app)
    return app
