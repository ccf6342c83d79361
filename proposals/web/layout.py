"""The navigation bar every page shows, kept per worker (issue 7).

Rendering it (links, labels, the person, the unread count, two forms) was a tenth of a list
page's time, and it is the same on every request of the same person on the same page. So
each worker keeps the rendered bar for a minute under everything it shows: the language, the
script root, the person (id, name, role), the navigation's entries (a supervising member has
one more: that is one small query, as before), the page (endpoint and path) and the unread
count. Its two forms need the session's CSRF token, which is not kept: the kept HTML holds a
mark that is replaced with this request's token."""
import threading
import time

from cachetools import TTLCache
from flask import render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .nav import nav_entries

NAVBAR_SECONDS = 60.0
NAVBARS = 1024           # bars kept per worker (least recently used dropped first)
CSRF_MARK = "\x00csrf\x00"  # never in a rendered page: NUL is refused in every input
_kept = TTLCache(maxsize=NAVBARS, ttl=NAVBAR_SECONDS, timer=time.monotonic)
_lock = threading.Lock()  # the development server answers in threads


def navbar(unread, locale):
    """The navigation bar's HTML for this request (``unread``: the person's unread
    notifications; ``locale``: the page's language)."""
    user = current_user
    who = (user.id, user.name, user.role) if user.is_authenticated else None
    entries = nav_entries(user) if who else ()
    key = (locale, request.script_root, request.endpoint, request.path, who, entries, unread)
    with _lock:
        html = _kept.get(key)
    if html is None:
        html = render_template("_navbar.html", unread=unread, entries=entries,
                               csrf_mark=CSRF_MARK)
        with _lock:
            _kept[key] = html
    # the template's output is autoescaped markup; the token is URL-safe base64 and a dot
    return Markup(html.replace(CSRF_MARK, generate_csrf()))  # nosec B704  # see above
