"""A list page kept per worker around the parts that change (issue 7).

Everything on the proposal list besides its rows, its total and its page links (the layout,
the navigation bar, the heading, the filter form, the table's head) is the same on every
request of one person for one query string, and rendering it was a fifth of the page's time.
So the page is rendered once with a mark in each hole (the rows, the total, the page links, the
navigation bar's CSRF token), kept for a minute under everything it shows (the navigation bar's
key: language, script root, page, person, entries, unread count; the query string; the page's
own key: the filter choices, whether there are rows), and each request fills the holes with its
own parts. The rows are still read and rendered on every request. A page with a flashed message
waiting, or a form with errors, is rendered whole (the message is shown once)."""
import re
import threading
import time

from cachetools import TTLCache
from flask import g, request, session
from markupsafe import Markup

from .layout import csrf_token, navbar_key

SHELL_SECONDS = 60.0
SHELLS = 256  # pages kept per worker (least recently used dropped first; ~25 KB each)
KEEP = True   # False: every page rendered whole (tests compare the two)
_kept = TTLCache(maxsize=SHELLS, ttl=SHELL_SECONDS, timer=time.monotonic)
_lock = threading.Lock()  # the development server answers in threads
# a hole's mark is its name between NULs (never in a page: NUL is refused in every input);
# the navigation bar's CSRF_MARK is the hole "csrf"


def kept_page(key, render, parts):
    """The page ``render(parts)`` renders, with ``parts`` (name: markup, e.g. rows, total)
    in its holes; the rest kept for SHELL_SECONDS under ``key`` (what the page shows besides
    the navigation bar, the query string and ``parts``)."""
    if not KEEP or session.get("_flashes"):
        return render(parts)
    from . import _unread, select_locale
    full_key = (navbar_key(_unread(), select_locale()), tuple(request.args.items(multi=True)),
                key)
    with _lock:
        pieces = _kept.get(full_key)
    if pieces is None:
        g.proposals_shell = True
        try:
            # a mark of a fixed name per hole
            html = render({name: Markup(f"\x00{name}\x00")  # nosec B704  # fixed names
                           for name in parts})
        finally:
            g.proposals_shell = False
        # literal text, a hole's name, literal text, …
        pieces = re.split("\x00(" + "|".join(["csrf", *parts]) + ")\x00", html)
        with _lock:
            _kept[full_key] = pieces
    values = dict(parts, csrf=csrf_token())
    return "".join(piece if i % 2 == 0 else values.get(piece, "") for i, piece in
                   enumerate(pieces))
