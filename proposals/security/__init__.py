"""Security: server-side login sessions, password rules, login rate limits, security headers
and the audit log. ``init_app`` wires them into the application."""

from . import audit, headers, limiter, sessions, text_input


def init_app(app):
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies > 0:  # behind nginx etc.: take the client address from X-Forwarded-For
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    limiter.init_app(app)
    sessions.init_app(app)
    audit.init_app(app)
    headers.init_app(app)
    text_input.init_app(app)
