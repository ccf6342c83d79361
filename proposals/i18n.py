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
locale selector, which reads the session and fails.
"""
import threading

from cachetools import LRUCache
from flask.globals import _cv_request
from flask_babel import get_locale, get_translations as _babel_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup


KEPT_MESSAGES = 5000  # finished template messages kept (install_template_gettext)


def N_(string):
    """Mark a string for extraction without translating it (module-level label dicts)."""
    return string


def _per_request(name, look_up, outside):
    """``look_up()`` once per request, kept on the request context; ``outside`` outside one.
    flask_babel looks the catalog and the locale up again on every message, through several
    context proxies: a tenth of a list page's time went there (issue 7)."""
    ctx = _cv_request.get(None)
    if ctx is None:
        return outside
    found = getattr(ctx, name, None)
    if found is None:
        found = look_up()
        setattr(ctx, name, found)
    return found


def translations():
    """The current request's catalog (None outside a request)."""
    return _per_request("proposals_translations", _babel_translations, None)


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


def template_gettext(string):
    """Jinja's ``_()`` (the i18n extension formats the message itself)."""
    catalog = translations()
    return catalog.ugettext(string) if catalog is not None and string else string


def install_template_gettext(env):
    """Jinja's ``_()``, ``gettext()`` and ``ngettext()`` (the i18n extension's newstyle: the
    message is autoescaped and formatted with ``%``, variables or not) on the request's catalog
    (translations()). A message without variables is finished once per language and kept: a
    page calls ``_()`` a few dozen times, each through several context lookups (issue 7)."""
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)
    newstyle = env.globals["gettext"]
    kept = LRUCache(maxsize=KEPT_MESSAGES)  # template literals and label tables: a few hundred
    lock = threading.Lock()  # the development server answers in threads

    @pass_context
    def gettext(__context, __string, **variables):
        if variables or not __context.eval_ctx.autoescape:
            return newstyle(__context, __string, **variables)
        key = (current_language(), __string)
        with lock:
            found = kept.get(key)
        if found is None:
            # a translation is trusted markup, as in Jinja's own newstyle gettext
            found = Markup(template_gettext(__string)) % {}  # nosec B704  # see above
            with lock:
                kept[key] = found
        return found
    env.globals.update(gettext=gettext, _=gettext)


def template_ngettext(singular, plural, num):
    catalog = translations()
    if catalog is not None:
        return catalog.ungettext(singular, plural, num)
    return singular if num == 1 else plural


def lazy_gettext(string, **variables):
    """Translated when rendered (form labels and other objects built at import time)."""
    return LazyString(gettext, string, **variables)


_ = gettext


def current_language():
    """'zh' outside a request, else the request's language ('zh', 'en')."""
    def look_up():
        locale = get_locale()
        return locale.language if locale is not None else "zh"
    return _per_request("proposals_language", look_up, "zh")


def join(items):
    """A list in running text: 甲、乙、丙 in Chinese, "A, B, C" in English."""
    return _("、").join(str(i) for i in items)


__all__ = ["N_", "_", "gettext", "ngettext", "lazy_gettext", "join", "current_language"]
