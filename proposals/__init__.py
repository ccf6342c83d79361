"""提案办理系统: CPPCC proposal handling."""
import os

from flask import Flask, jsonify

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

    from .api import bp as api_bp
    csrf.exempt(api_bp)  # token-authenticated, no cookies
    app.register_blueprint(api_bp)

    from .web import init_web
    init_web(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    from .cli import register
    register(app)
    return app
