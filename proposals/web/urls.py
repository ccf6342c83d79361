"""Links that every page builds, without building them again on every request (issue 7):
werkzeug's url_for matches the endpoint's rules and encodes the arguments every time; a list page
builds about thirty links besides its rows'."""
from urllib.parse import quote_plus, urlencode

from flask import current_app, request, url_for
from flask.globals import _cv_request
from markupsafe import Markup, escape

from ..i18n import _

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


def fixed_markup(build):
    """``build()``: markup that depends only on the application and its script root (the
    Bootstrap asset tags: flask_bootstrap builds them, with url_for, on every call), kept like
    fixed_url."""
    cache = current_app.extensions.setdefault("proposals.fixed_markup", {})
    key = (request.script_root, build)
    found = cache.get(key)
    if found is None:
        found = cache[key] = build()
    return found


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


def list_url_for(endpoint, name, **changes):
    """A function of one value: ``list_url(endpoint, name=value, **changes)`` for each value,
    the rest of the link built once (the query string's ``name=value`` comes last)."""
    base = list_url(endpoint, **{name: None}, **changes)
    prefix = base + ("&" if "?" in base else "?") + urlencode([(name, "")], safe=QUERY_SAFE)
    # (urlencode's own quoting; a page number needs none)
    return lambda value: prefix + (str(value) if isinstance(value, int)
                                   else quote_plus(str(value), safe=QUERY_SAFE))


def pagination(page, pages, endpoint):
    """A list's page links (page ``page`` of ``pages``; ``endpoint``: a list without path
    arguments): previous, the first and last page, the current one ± 2, "…" where pages are
    left out, next. Built here rather than in a template: a dozen links, each through the
    template's calls, were a twentieth of a list page (issue 7)."""
    if pages <= 1:
        return Markup("")
    link = list_url_for(endpoint, "page")
    lo, hi = max(page - 3, 1), min(page + 3, pages)
    numbers = ([1] if lo > 1 else []) + list(range(lo, hi + 1)) + ([pages] if hi < pages else [])

    def step(n, text, disabled):
        off = ' aria-disabled="true" tabindex="-1"' if disabled else ""
        return (f'<li class="page-item{" disabled" if disabled else ""}"><a class="page-link" '
                f'href="{escape(link(n))}"{off}>{escape(text)}</a></li>')
    out = [f'<nav aria-label="{escape(_("分页"))}">',
           '<ul class="pagination pagination-sm flex-wrap">', step(page - 1, _("上一页"), page <= 1)]
    for n in numbers:
        if n == 1 or n == pages or abs(n - page) <= 2:
            current = ' aria-current="page"' if n == page else ""
            active = " active" if n == page else ""
            out.append(f'<li class="page-item{active}"><a class="page-link" '
                       f'href="{escape(link(n))}"{current}>{n}</a></li>')
        elif abs(n - page) == 3:
            out.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
    out.append(step(page + 1, _("下一页"), page >= pages))
    out.append("</ul></nav>")
    return Markup("".join(out))  # nosec B704  # every value above escaped or an int
