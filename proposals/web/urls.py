"""Links that every page builds, without building them again on every request (issue 7):
werkzeug's url_for matches the endpoint's rules and encodes the arguments every time; a list page
builds about thirty links besides its rows'."""
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask.globals import _cv_request

# werkzeug's own choice of characters left unescaped in a query string (werkzeug.urls)
QUERY_SAFE = "!$'()*,/:;?@"


def fixed_url(endpoint, **values):
    """url_for(endpoint, **values) (a path: no host), kept per application and script root."""
    cache = current_app.extensions.setdefault("proposals.fixed_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


def list_url(endpoint, **changes):
    """A list's page, sorting or export link: the endpoint's path (an endpoint without
    arguments) and the current query string's non-empty values with ``changes`` (None: left
    out). The rest of the query string is encoded once per request and set of changed names
    (a page has a dozen such links)."""
    ctx = _cv_request.get()
    kept = getattr(ctx, "proposals_list_queries", None)
    if kept is None:
        kept = ctx.proposals_list_queries = {}
    names = tuple(sorted(changes))
    rest = kept.get(names)
    if rest is None:
        rest = kept[names] = urlencode([(k, v) for k, v in request.args.items()
                                        if v != "" and k not in changes], safe=QUERY_SAFE)
    changed = urlencode([(k, v) for k, v in changes.items() if v is not None], safe=QUERY_SAFE)
    query = "&".join(part for part in (rest, changed) if part)
    return fixed_url(endpoint) + ("?" + query if query else "")
