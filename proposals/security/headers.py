"""Security headers on every response: pages, JSON, errors, downloads and static files
(ASVS 5.0 §3.4). The Content-Security-Policy allows no inline script or style; the pages use
only files from /static and the Bootstrap files served by the app itself. A response that sets a
policy of its own keeps it: an attachment download is sandboxed with nothing allowed
(attachments/responses.py), which is stricter than the site's. HSTS only when ENV=production
(behind TLS)."""

from flask import current_app

from .state import request_state

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app):
    app.config.setdefault("CONTENT_SECURITY_POLICY", CSP)
    app.after_request(add_headers)


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("ENV") == "production":
        headers["Strict-Transport-Security"] = HSTS
    retry_after = request_state().get("retry_after")
    if retry_after and response.status_code == 429:
        headers.setdefault("Retry-After", str(int(retry_after)))
    return response
