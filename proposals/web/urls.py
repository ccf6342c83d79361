"""Links of the lists: the current filters kept in page, sorting and export links, and which
page numbers a list's page links show."""

from flask import request, url_for


def list_url(endpoint, **changes):
    """``endpoint`` (a list or its export, without path arguments) with the current query
    string's non-empty values and ``changes`` (a value of None leaves that name out)."""
    args = {
        name: value for name, value in request.args.items() if value != "" and name not in changes
    }
    args.update((name, value) for name, value in changes.items() if value is not None)
    return url_for(endpoint, **args)


def page_numbers(page, pages):
    """The page numbers a list's page links show for page ``page`` of ``pages``: the first,
    the last and the current one ± 2, with None where a run of pages is left out ("…")."""
    shown = []
    for n in range(max(page - 3, 1), min(page + 3, pages) + 1):
        if abs(n - page) <= 2:
            shown.append(n)
        elif n not in (1, pages):
            shown.append(None)
    if shown[0] != 1:
        shown.insert(0, 1)
    if shown[-1] != pages:
        shown.append(pages)
    return shown
