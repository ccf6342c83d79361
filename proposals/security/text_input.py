"""Text no database can store: a NUL character (PostgreSQL refuses it in text columns) or a
lone UTF-16 surrogate (not encodable as UTF-8). Found by schemathesis on PostgreSQL as server
errors; refused up front as bad input, on every database alike, so that SQLite and PostgreSQL
answer the same."""

import re

from flask import abort, request

from ..i18n import _

BAD = re.compile("[\x00\ud800-\udfff]")


def bad_text(value, path="body"):
    """The path of the first string in ``value`` (JSON data) that cannot be stored, or None."""
    if isinstance(value, str):
        return path if BAD.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = bad_text(key, path) or bad_text(item, str(key))
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = bad_text(item, path)
            if found:
                return found
    return None


def init_app(app):
    @app.before_request
    def _refuse_unstorable_text():
        """Query strings and form fields of every route (JSON bodies: api.json_body)."""
        sources = [request.args]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.form)
        for source in sources:
            for key, values in source.lists():
                if any(isinstance(v, str) and BAD.search(v) for v in (key, *values)):
                    abort(400, description=_("输入包含无法保存的字符（如 NUL）"))
