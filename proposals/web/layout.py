"""The navigation bar every page shows, kept per worker (issue 7).

Rendering it (links, labels, the person, the unread count, two forms) was a tenth of a list
page's time, and it is the same on every request of the same person on the same page. So
each worker keeps the rendered bar for a minute under everything it shows: the language, the
script root, the person (id, name, role), the navigation's entries (a supervising member has
one more: that is one small query, as before), the page (endpoint and path) and the unread
count. Its two forms need the session's CSRF token, which is not kept: the kept HTML holds a
mark that is replaced with this request's token (csrf_token: a token signed for the same
session secret within the last minute is used again)."""
import threading
import time

from cachetools import TTLCache
from flask import current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .nav import nav_entries

NAVBAR_SECONDS = 60.0
NAVBARS = 1024           # bars kept per worker (least recently used dropped first)
CSRF_MARK = "\x00csrf\x00"  # never in a rendered page: NUL is refused in every input
_kept = TTLCache(maxsize=NAVBARS, ttl=NAVBAR_SECONDS, timer=time.monotonic)
_lock = threading.Lock()  # the development server answers in threads
CSRF_REUSE_SECONDS = 60.0  # at most a sixtieth of the token's time limit
_signed = TTLCache(maxsize=4096, ttl=CSRF_REUSE_SECONDS, timer=time.monotonic)


def csrf_token():
    """This request's signed CSRF token (flask_wtf's generate_csrf, which every form and
    ``csrf_token()`` in a template then return too). Signing it on every page was a
    seventieth of a list page (issue 7), so a token signed for the same session secret
    within the last minute (at most a sixtieth of WTF_CSRF_TIME_LIMIT) is used again: its
    time limit then runs from that signing, a minute earlier at most."""
    config = current_app.config
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if name in g:
        return g.get(name)  # already this request's
    limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)
    reuse = CSRF_REUSE_SECONDS if limit is None else min(CSRF_REUSE_SECONDS, limit / 60)
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(name)
    now = time.monotonic()
    if isinstance(raw, str):
        with _lock:
            found = _signed.get((secret, raw))
        if found is not None and now - found[1] < reuse:
            setattr(g, name, found[0])
            return found[0]
    token = generate_csrf()  # (gives the session its secret when it has none yet)
    raw = session.get(name)
    if isinstance(raw, str):
        with _lock:
            _signed[(secret, raw)] = (token, now)
    return token


def navbar_key(unread, locale):
    """Everything the navigation bar shows for this request: the language, the script root,
    the page (endpoint and path), the person (id, name, role), their entries, the unread
    count. Worked out once per request (the entries may take a statement)."""
    found = request.environ.get("proposals.navbar_key")  # (not g: see security.request_state)
    if found is not None and found[0] == (unread, locale):
        return found[1]
    user = current_user
    who = (user.id, user.name, user.role) if user.is_authenticated else None
    entries = nav_entries(user) if who else ()
    key = (locale, request.script_root, request.endpoint, request.path, who, entries, unread)
    request.environ["proposals.navbar_key"] = ((unread, locale), key)
    return key


def navbar(unread, locale):
    """The navigation bar's HTML for this request (``unread``: the person's unread
    notifications; ``locale``: the page's language). While a kept page is rendered
    (web/shell.py) its CSRF token stays a mark, which the page fills in."""
    key = navbar_key(unread, locale)
    with _lock:
        html = _kept.get(key)
    if html is None:
        html = render_template("_navbar.html", unread=unread, entries=key[5],
                               csrf_mark=CSRF_MARK)
        with _lock:
            _kept[key] = html
    if g.get("proposals_shell"):
        return Markup(html)  # nosec B704  # autoescaped template output
    # the template's output is autoescaped markup; the token is URL-safe base64 and a dot
    return Markup(html.replace(CSRF_MARK, csrf_token()))  # nosec B704  # see above
