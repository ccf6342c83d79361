"""The web pages. Views parse a form, call one operation, commit and redirect; every rule lives
in the operations (workflow/, handling/), exactly as for the JSON API."""
import functools

from babel import Locale
from flask import request, session
from flask_babel import Babel
from flask_bootstrap import Bootstrap5

from ..workflow.core import ACTION_LABELS
from .filters import register_filters

LANGUAGES = {"zh_CN": "中文", "en": "English"}
ROLE_LABELS = {"member": "委员", "secretariat": "提案委员会办公室", "clerk": "承办单位经办人",
               "department_head": "承办单位负责人", "admin": "系统管理员"}
babel = Babel()
bootstrap = Bootstrap5()


def _unread():
    from flask_login import current_user

    from ..notifications.service import unread_count
    from ..security.sessions import remember_unread, unread_at_login
    if not current_user.is_authenticated:
        return 0
    unread = unread_at_login()  # read with the login session: no statement of its own
    if unread is None:  # (dropped when this request wrote or read a notification)
        unread = unread_count(current_user)
        remember_unread(unread)
    return unread


def select_locale():
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    return "zh_CN"


@functools.cache
def _parsed_locale(identifier):
    return Locale.parse(identifier)


def babel_locale():
    """select_locale() as a Locale, parsed once per language (flask_babel parses the
    selector's string again on every request; it takes a Locale as it is)."""
    return _parsed_locale(select_locale())


def init_web(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh_CN")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)  # no CDN: closed government networks
    app.config.setdefault("BOOTSTRAP_BOOTSWATCH_THEME", None)
    babel.init_app(app, locale_selector=babel_locale)
    from ..i18n import install_template_gettext
    # the catalog looked up once per request (i18n.translations), not on every message
    install_template_gettext(app.jinja_env)
    bootstrap.init_app(app)
    register_filters(app)
    from .urls import fixed_markup, fixed_url, list_url, list_url_for, pagination
    app.jinja_env.globals.update(fixed_url=fixed_url, fixed_markup=fixed_markup, list_url=list_url,
                                 list_url_for=list_url_for, pagination=pagination)

    from . import auth, errors, home
    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    errors.register(app)
    import importlib
    for name in WEB_BLUEPRINTS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # an area not built yet
        app.register_blueprint(module.bp)

    from .layout import navbar
    from .nav import nav_items

    @app.context_processor
    def _layout():
        locale = select_locale()
        return {"nav_items": nav_items, "LANGUAGES": LANGUAGES, "role_labels": ROLE_LABELS,
                "action_labels": ACTION_LABELS,
                "has_endpoint": lambda name: name in app.view_functions,
                "navbar": lambda: navbar(_unread(), locale), "current_locale": locale,
                "request_path": request.path}


# The role areas, one module (and blueprint) each: proposal (the proposal page), member
# (drafting, co-signing, rating), secretariat (review, assignment, decisions), unit (the units'
# work), lists (lists, filters, CSV export), admin (users, units, reference data, settings).
WEB_BLUEPRINTS = ["proposal", "member", "secretariat", "unit", "lists", "admin",
                  "notifications", "stats", "account", "attachments", "search", "keyboard",
                  "portal"]
