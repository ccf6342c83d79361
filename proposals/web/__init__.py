"""The web pages. Views parse a form, call one operation, commit and redirect; every rule lives
in the operations (workflow/, handling/), exactly as for the JSON API."""

from flask import request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5

from ..accounts.models import ROLE_LABELS
from ..workflow.core import ACTION_LABELS
from . import (
    account,
    admin,
    archive,
    attachments,
    auth,
    document_exports,
    documents,
    errors,
    exports,
    favicon,
    home,
    key_proposals,
    lists,
    member,
    notifications,
    office,
    plans,
    portal,
    proposal,
    recognition,
    search,
    secretariat,
    stats,
    unit,
)
from .auth import LANGUAGES, select_locale
from .filters import register_filters
from .nav import nav_items

# The areas, one module (and blueprint) each: auth (login, language), home (each role's home
# page), proposal (the proposal page), member (drafting, co-signing, rating), secretariat
# (review, assignment, decisions), unit (the units' work), lists and exports,
# admin (users, units, reference data, settings), and the smaller ones.
AREAS = (
    auth,
    home,
    proposal,
    member,
    secretariat,
    office,
    unit,
    lists,
    exports,
    document_exports,
    admin,
    notifications,
    stats,
    account,
    attachments,
    search,
    key_proposals,
    portal,
    plans,
    recognition,
    archive,
    favicon,
    documents,
)

babel = Babel()
bootstrap = Bootstrap5()


def unread_notifications():
    """The signed-in person's unread notifications (the navigation bar's count)."""
    from flask_login import current_user

    from ..notifications.service import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def init_web(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh_CN")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)  # no CDN: closed government networks
    app.config.setdefault("BOOTSTRAP_BOOTSWATCH_THEME", None)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    register_filters(app)
    from .urls import list_url, page_numbers

    app.jinja_env.globals.update(
        list_url=list_url, page_numbers=page_numbers, request_decider=proposal.request_decider
    )

    errors.register(app)
    for module in AREAS:
        app.register_blueprint(module.bp)

    @app.context_processor
    def _layout():
        return {
            "nav_items": nav_items,
            "LANGUAGES": LANGUAGES,
            "role_labels": ROLE_LABELS,
            "action_labels": ACTION_LABELS,
            "has_endpoint": lambda name: name in app.view_functions,
            "unread_notifications": unread_notifications,
            "current_locale": select_locale(),
            "request_path": request.path,
        }
