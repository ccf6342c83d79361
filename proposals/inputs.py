"""Reading numbers and JSON out of requests, checked before anything reaches the database.

A number past a column's range is a database error (an OverflowError on SQLite, "integer out
of range" on PostgreSQL, where parameters are bound with their column's type), and JSON nested
thousands deep overflows Python's stack; both are bad input, answered 400 like any other, and
checked here in Python before a query or an operation sees them.

- ``bounded_int``: an integer within bounds from text (a query string, a form, a header) or
  from JSON; ``int_arg`` reads one query parameter with it and names it when it is wrong;
  ``int_arg_or_400`` does the same for a page that has no form to show the message on.
- ``parse_json``: a request body as JSON, refusing nesting past MAX_JSON_DEPTH and numbers that
  are not finite (1e400, NaN).
- ``check_fields``: the types of a JSON object's fields (text, boolean, id, list …), so that an
  operation never compares a list or an object with its words or codes.
"""

import json
import math
import re

from flask import abort, request

from .i18n import _, join

MAX_ID = 2**31 - 1  # ids (and other integer columns) are 32-bit integers on PostgreSQL
# years counted in: the year after the last must be a date too (statistics count up to its
# 1 January, and compare with the year before)
MIN_YEAR, MAX_YEAR = 1900, 9998
MAX_JSON_DEPTH = 32

_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")  # ASCII digits only: int() also takes "١٢" and "1_0"


def bounded_int(value, low, high):
    """``value`` as an int within ``low``..``high``, or None: text holding an integer (spaces
    around it allowed), or an int from JSON; never a bool, a float or anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def int_problem(value, low, high):
    """The message for a value that is not an integer within ``low``..``high``, or None."""
    if bounded_int(value, low, high) is not None:
        return None
    if bounded_int(value, -math.inf, math.inf) is None:
        return _("应为整数")
    return _("应在 %(min)d 到 %(max)d 之间", min=low, max=high)


def int_arg(errors, name, low, high, default=None, args=None):
    """The query parameter ``name`` (of ``args``, default the request's) as an int within
    ``low``..``high``; ``default`` when it is absent or empty. A bad value is put in ``errors``
    under its name (and ``default`` returned)."""
    raw = (request.args if args is None else args).get(name, "")
    if not isinstance(raw, str) or not raw.strip():
        return default
    problem = int_problem(raw, low, high)
    if problem:
        errors[name] = problem
        return default
    return bounded_int(raw, low, high)


def int_arg_or_400(name, low, high, default=None):
    """``int_arg`` for a page without a form to show the message on: a 400 page naming the
    parameter."""
    errors = {}
    value = int_arg(errors, name, low, high, default)
    if errors:
        abort(400, description=_("%(field)s：%(message)s", field=name, message=errors[name]))
    return value


# ---------------------------------------------------------------- JSON


class BadJson(ValueError):
    """JSON nested too deep or holding a number that is not finite; ``message`` says which."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _finite(text):
    number = float(text)
    if not math.isfinite(number):
        raise BadJson(_("数值超出范围"))
    return number


def _no_constant(name):
    raise BadJson(_("数值超出范围"))


def depth(value):
    """How deeply lists and objects nest in ``value`` (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_json(data):
    """``data`` (bytes of a request body) as JSON. Raises BadJson when it nests deeper than
    MAX_JSON_DEPTH or holds a number that is not finite, ValueError when it is not JSON (or
    not UTF-8, or holds an integer of thousands of digits)."""
    too_deep = _("JSON 嵌套不能超过 %(n)d 层", n=MAX_JSON_DEPTH)
    try:
        value = json.loads(data, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:  # nested far deeper than the limit: the parser gave up
        raise BadJson(too_deep) from None
    if depth(value) > MAX_JSON_DEPTH:
        raise BadJson(too_deep)
    return value


# ---------------------------------------------------------------- the types of JSON fields
# Each check takes a field's value (never None: a null is left to the operation, which knows
# whether the field is required) and returns a message when the value has the wrong type.


def text(value):
    return None if isinstance(value, str) else _("应为文本")


def boolean(value):
    return None if isinstance(value, bool) else _("应为 true 或 false")


def identifier(value):
    """An id in JSON: an integer (not text) that a record may have."""
    if isinstance(value, int) and bounded_int(value, 1, MAX_ID) is not None:
        return None
    return _("应为 1 到 %(max)d 之间的整数", max=MAX_ID)


def day(value):
    return None if isinstance(value, str) else _("日期应为 YYYY-MM-DD")


def text_list(value):
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None
    return _("应为文本的列表")


def object_list(**fields):
    """A list of objects whose fields ``fields`` (name: check) have their types."""

    def check(value):
        if isinstance(value, list) and all(
            isinstance(item, dict)
            and not any(
                item.get(name) is not None and problem(item[name])
                for name, problem in fields.items()
            )
            for item in value
        ):
            return None
        return _("应为对象的列表，每个对象的 %(names)s 应为文本", names=join(fields))

    return check


def check_fields(data, spec):
    """{name: message} for each field of ``data`` (a dict) named in ``spec`` ({name: check})
    whose value is not null and has the wrong type."""
    errors = {}
    for name, check in spec.items():
        value = data.get(name)
        if value is not None:
            problem = check(value)
            if problem:
                errors[name] = problem
    return errors
