"""Translation helpers that work everywhere: in a request (the page's or the API call's language),
and outside one (the CLI, Celery tasks, tests driving the operations), where the message stays
in Chinese, the source language.

The Chinese text is the msgid (``_("提交")``, ``_("剩 %(n)d 天", n=3)``); the English catalog
lives in proposals/translations/en. Module-level labels are marked with ``N_`` (a no-op the
extractor knows, see babel.cfg) and translated where they are shown: ``_(STATE_LABELS[s])``.
In a template, a msgid that comes from data (an admin's category name) goes through the
``label`` filter (web/filters.py), not ``_()``: Jinja formats every ``_()`` message with ``%``.
A label and its value are one msgid (``_("签收期限：%(d)s", d=…)``), never "label" + "："; lists
are joined with ``join()`` here or ``|join(_("、"))`` in a template.

flask_babel.gettext alone is not enough: inside an app context without a request it asks the
locale selector, which reads the session and fails. Templates use Flask-Babel's own ``_()``
(installed by Babel.init_app), which only ever runs inside a request.
"""

from flask import has_request_context
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def N_(string):
    """Mark a string for extraction without translating it (module-level label dicts)."""
    return string


def translations():
    """The current request's catalog (None outside a request)."""
    return get_translations() if has_request_context() else None


def gettext(string, **variables):
    """The message in the current request's language; Chinese (the msgid) outside a request."""
    if not string:
        return string  # gettext("") would return the catalog's header
    catalog = translations()
    if catalog is not None:
        string = catalog.ugettext(string)
    return string % variables if variables else string


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    catalog = translations()
    if catalog is not None:
        return catalog.ungettext(singular, plural, num) % variables
    return (singular if num == 1 else plural) % variables


def lazy_gettext(string, **variables):
    """Translated when rendered (form labels and other objects built at import time)."""
    return LazyString(gettext, string, **variables)


_ = gettext


def current_language():
    """'zh' outside a request, else the request's language ('zh', 'en')."""
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "zh"


def join(items):
    """A list in running text: 甲、乙、丙 in Chinese, "A, B, C" in English."""
    return _("、").join(str(i) for i in items)


__all__ = ["N_", "_", "gettext", "ngettext", "lazy_gettext", "join", "current_language"]
